#!/usr/bin/env node
"use strict";
// Runs the compiled CLI; in a source checkout without a build, runs the TypeScript through ts-node.
const path = require("node:path");
const fs = require("node:fs");
const compiled = path.join(__dirname, "..", "dist", "cli", "sps-upgrade.js");
let cli;
if (fs.existsSync(compiled)) {
  cli = require(compiled);
} else {
  require("ts-node").register({ transpileOnly: true, project: path.join(__dirname, "..", "tsconfig.json") });
  cli = require(path.join(__dirname, "..", "cli", "sps-upgrade.ts"));
}
cli.runCli(process.argv.slice(2)).then(
  (code) => {
    process.exitCode = code;
  },
  (e) => {
    process.stderr.write(`sps-upgrade: ${e instanceof Error ? e.message : String(e)}\n`);
    process.exitCode = 1;
  },
);
