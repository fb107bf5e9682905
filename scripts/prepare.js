#!/usr/bin/env node
// npm's `prepare` (package.json): compiles the package part of the sources (tsconfig.build.json: sdk,
// provider, core, cli, emulator, policy) into dist/. npm runs it after `npm ci`/`npm install` in a checkout, before
// `npm pack`, and for a git dependency (`npm install git+https://…`: npm installs the devDependencies in its
// clone, runs this, then packs the clone with package.json `files`). Where TypeScript is not installed — a
// directory linked by `npm install <dir>` that never had `npm ci` — it says what to do instead of failing
// with "tsc: not found".
"use strict";
const { spawnSync } = require("node:child_process");
const fs = require("node:fs");
const path = require("node:path");

const root = path.join(__dirname, "..");
let tsc;
try {
  tsc = require.resolve("typescript/bin/tsc", { paths: [root] });
} catch {
  if (fs.existsSync(path.join(root, "dist", "sdk", "index.js"))) {
    console.error("pulumi-sps prepare: TypeScript is not installed here; using the dist/ already built");
    process.exit(0);
  }
  console.error(
    `pulumi-sps prepare: cannot compile ${root}: TypeScript is not installed there. Run \`npm ci\` in it ` +
      "first, or install pulumi-sps from its tarball (`npm pack` in a checkout) or its git URL",
  );
  process.exit(1);
}
const r = spawnSync(process.execPath, [tsc, "-p", path.join(root, "tsconfig.build.json")], {
  stdio: "inherit",
});
process.exit(r.status ?? 1);
