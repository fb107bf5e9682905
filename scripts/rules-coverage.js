#!/usr/bin/env node
// Lists every rule ID of upgrade-rules.md (sections V, P, S, H, C, I, J by default; SPS_RULE_SECTIONS overrides) that no test cites,
// and fails when any is missing. Rule IDs are read from the shared reference beside the
// project (../shared/reference/upgrade-rules.md); a missing reference is a failure.
"use strict";
const fs = require("node:fs");
const path = require("node:path");

const root = path.join(__dirname, "..");
const candidates = [
  process.env.SPS_RULES_FILE,
  path.join(root, "..", "shared", "reference", "upgrade-rules.md"),
].filter(Boolean);
const rulesFile = candidates.find((f) => fs.existsSync(f));
if (!rulesFile) {
  console.error(`rules:coverage: upgrade-rules.md not found (looked in: ${candidates.join(", ")})`);
  process.exit(2);
}

/** Sections whose rules must be cited by a test. */
// J (SPP join) is required since issue 7 landed its tests (J1-J6).
const REQUIRED = (process.env.SPS_RULE_SECTIONS || "V,P,S,H,C,I,J").split(",");

const ids = [];
let section = null;
for (const line of fs.readFileSync(rulesFile, "utf8").split("\n")) {
  const h = /^## ([A-Z]) —/.exec(line);
  if (h) {
    section = h[1];
    continue;
  }
  if (!section) continue;
  const bullet = /^- \*\*([A-Z]\d+)\b/.exec(line);
  if (bullet) ids.push(bullet[1]);
  const numbered = /^(\d+)\. /.exec(line);
  if (numbered && section === "S") ids.push(`S${numbered[1]}`);
}

function walk(dir) {
  const out = [];
  for (const e of fs.readdirSync(dir, { withFileTypes: true })) {
    const p = path.join(dir, e.name);
    if (e.isDirectory()) out.push(...walk(p));
    else if (/\.(ts|js)$/.test(e.name)) out.push(p);
  }
  return out;
}
const cited = new Set();
for (const f of walk(path.join(root, "test"))) {
  for (const m of fs.readFileSync(f, "utf8").matchAll(/\b([VPSHCIJ]\d{1,2})\b/g)) cited.add(m[1]);
}

const required = ids.filter((id) => REQUIRED.includes(id[0]));
const missing = required.filter((id) => !cited.has(id));
console.log(
  `rules:coverage: ${required.length - missing.length}/${required.length} rule IDs cited by tests (${rulesFile})`,
);
if (missing.length) {
  console.error(`rules:coverage: not cited by any test: ${missing.join(", ")}`);
  process.exit(1);
}
