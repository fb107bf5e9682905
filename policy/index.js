// Entry of the policy pack (PulumiPolicy.yaml beside this file): the rules are TypeScript (policy/*.ts), compiled by
// the repository's `npm run build` into dist/policy/; @pulumi/pulumi's run-policy-pack loads this file.
"use strict";
const path = require("node:path");
const fs = require("node:fs");

const compiled = path.join(__dirname, "..", "dist", "policy", "pack.js");
if (!fs.existsSync(compiled)) {
  throw new Error(
    `pulumi-sps policy pack: ${compiled} is missing: run npm run build (or scripts/setup.sh) first`,
  );
}
require(compiled);
