// Preloaded (node --require) by our language host, pulumi-language-nodejs, into every Node.js program and policy pack
// it starts (see cmd/pulumi-language-nodejs/config.go): reads the stack configuration from the inherited pipe named by
// PULUMI_SPS_CONFIG_FD — a JSON object of PULUMI_CONFIG and PULUMI_CONFIG_SECRET_KEYS, each the JSON text
// @pulumi/pulumi expects — closes the pipe, and sets both in this process's environment before @pulumi/pulumi loads.
"use strict";
const fs = require("node:fs");

const fdText = process.env.PULUMI_SPS_CONFIG_FD;
if (fdText !== undefined) {
  delete process.env.PULUMI_SPS_CONFIG_FD;
  const fd = Number(fdText);
  if (!Number.isInteger(fd) || fd < 3) {
    throw new Error(
      `pulumi-language-nodejs: PULUMI_SPS_CONFIG_FD=${fdText} is not an inherited file descriptor`,
    );
  }
  let text;
  try {
    text = fs.readFileSync(fd, "utf8");
  } finally {
    fs.closeSync(fd);
  }
  const variables = JSON.parse(text);
  for (const name of ["PULUMI_CONFIG", "PULUMI_CONFIG_SECRET_KEYS"]) {
    if (typeof variables[name] !== "string") {
      throw new Error(`pulumi-language-nodejs: the configuration pipe carried no ${name}`);
    }
    process.env[name] = variables[name];
  }
}
