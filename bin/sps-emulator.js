#!/usr/bin/env node
"use strict";
// Emulated SPS fleet for tests and demos: see emulator/lab/cli.ts (run `npm run build` first).
const { main } = require("../dist/emulator/lab/cli.js");
main(process.argv.slice(2)).then(
  (code) => process.exit(code),
  (e) => {
    process.stderr.write(`sps-emulator: ${e instanceof Error ? e.message : String(e)}\n`);
    process.exit(1);
  },
);
