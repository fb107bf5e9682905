#!/usr/bin/env node
// Rule coverage against the project's own catalogue, docs/rules.md (format: one "### ID — title"
// heading per rule). Fails (exit 1) when
//   - a catalogue rule is cited by no test (test/**), or
//   - a file of the repository (code, tests, scripts, docs) cites a rule ID the catalogue does not have.
// A missing or empty catalogue, or a rule table (core/rules.ts) whose IDs are not the catalogue's
// in its order, is a failure too (exit 2). test/unit/docs/reference.test.ts runs the same checks.
"use strict";
const fs = require("node:fs");
const path = require("node:path");
const { execFileSync } = require("node:child_process");

const root = path.join(__dirname, "..");
const CATALOGUE = "docs/rules.md";
const TABLE = "core/rules.ts";

/** Rule IDs of the rule table, in order: every "  ID: blocks(" or "  ID: warns(" entry of RULES. */
function tableIds(text) {
  return [...text.matchAll(/^ {2}([A-Z]\d{1,2}): (?:blocks|warns)\(/gm)].map((m) => m[1]);
}

/** Rule IDs of the catalogue text, in order: every "### ID — title" heading. */
function catalogueIds(text) {
  const ids = [];
  for (const line of text.split("\n")) {
    const m = /^### ([A-Z]\d{1,2}) — \S/.exec(line);
    if (m) ids.push(m[1]);
  }
  return ids;
}

/**
 * Rule IDs a text cites: a token "<letter><number>" whose letter is a catalogue section letter, or any
 * "<letter><number>" right after the word rule (`rule: "<ID>"`, `rule <ID>`). A token inside a long
 * base64 run (keys, hashes: 32 or more characters of A-Z, a-z, 0-9, +, /, =) is not a citation.
 */
function citedIds(text, letters) {
  const out = new Set();
  const token = new RegExp(`(?<![A-Za-z0-9_])([${letters}]\\d{1,2})(?![A-Za-z0-9_])`, "g");
  for (const m of text.matchAll(token)) {
    if (!insideBase64(text, m.index, m.index + m[1].length)) out.add(m[1]);
  }
  for (const m of text.matchAll(/\brules?["']?\s*[:=]?\s*["'`]?([A-Z]\d{1,2})(?![A-Za-z0-9_])/g))
    out.add(m[1]);
  return out;
}

function insideBase64(text, start, end) {
  const b64 = /[A-Za-z0-9+/=]/;
  let a = start;
  let b = end;
  while (a > 0 && b64.test(text[a - 1])) a--;
  while (b < text.length && b64.test(text[b])) b++;
  return b - a >= 32;
}

/** The repository's text files: git's list (tracked and new, not ignored), or a walk without git. */
function repositoryFiles(dir) {
  let names;
  try {
    names = execFileSync("git", ["ls-files", "--cached", "--others", "--exclude-standard"], {
      cwd: dir,
      encoding: "utf8",
      stdio: ["ignore", "pipe", "ignore"],
    })
      .split("\n")
      .filter(Boolean);
  } catch {
    names = walk(dir, "");
  }
  return names.filter(
    (n) =>
      /\.(ts|js|cjs|mjs|md|json|sh|yaml|yml)$/.test(n) &&
      !/(^|\/)(node_modules|dist|\.tools|\.git)\//.test(n) &&
      !/(^|\/)package-lock\.json$/.test(n) &&
      fs.existsSync(path.join(dir, n)),
  );
}

function walk(dir, rel) {
  const out = [];
  for (const e of fs.readdirSync(path.join(dir, rel), { withFileTypes: true })) {
    if (["node_modules", "dist", ".tools", ".git"].includes(e.name)) continue;
    const r = rel ? `${rel}/${e.name}` : e.name;
    if (e.isDirectory()) out.push(...walk(dir, r));
    else out.push(r);
  }
  return out;
}

/**
 * The coverage check of a checkout at `dir`: the catalogue's IDs, the rules no test cites, and the IDs
 * cited somewhere that the catalogue lacks (with the files that cite them).
 */
function checkCoverage(dir) {
  const file = path.join(dir, CATALOGUE);
  if (!fs.existsSync(file)) return { error: `${CATALOGUE} not found in ${dir}` };
  const ids = catalogueIds(fs.readFileSync(file, "utf8"));
  if (ids.length === 0) return { error: `${CATALOGUE} has no "### ID — title" rule headings` };
  const tableFile = path.join(dir, TABLE);
  if (fs.existsSync(tableFile)) {
    const table = tableIds(fs.readFileSync(tableFile, "utf8"));
    if (table.join(" ") !== ids.join(" "))
      return {
        error: `${TABLE} lists ${table.join(", ")}; ${CATALOGUE} lists ${ids.join(", ")} (same IDs, same order)`,
      };
  }
  const known = new Set(ids);
  const letters = [...new Set(ids.map((id) => id[0]))].join("");
  const citedByTests = new Set();
  const unknown = new Map();
  for (const name of repositoryFiles(dir)) {
    if (name === CATALOGUE) continue;
    const cited = citedIds(fs.readFileSync(path.join(dir, name), "utf8"), letters);
    for (const id of cited) {
      if (name.startsWith("test/")) citedByTests.add(id);
      if (!known.has(id)) unknown.set(id, [...(unknown.get(id) ?? []), name]);
    }
  }
  return { ids, notTested: ids.filter((id) => !citedByTests.has(id)), unknown };
}

module.exports = { catalogueIds, tableIds, citedIds, checkCoverage, repositoryFiles };

if (require.main === module) {
  const r = checkCoverage(root);
  if (r.error) {
    console.error(`rules:coverage: ${r.error}`);
    process.exit(2);
  }
  console.log(
    `rules:coverage: ${r.ids.length - r.notTested.length}/${r.ids.length} rule IDs of ${CATALOGUE} cited by tests`,
  );
  let failed = false;
  if (r.notTested.length) {
    console.error(`rules:coverage: not cited by any test: ${r.notTested.join(", ")}`);
    failed = true;
  }
  for (const [id, files] of r.unknown) {
    console.error(`rules:coverage: ${id} is cited but not in ${CATALOGUE}: ${files.join(", ")}`);
    failed = true;
  }
  process.exit(failed ? 1 : 0);
}
