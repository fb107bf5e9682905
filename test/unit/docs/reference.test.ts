/**
 * The repository carries its own reference: no file points at material outside the clone, no file gives
 * an issue number as its reason, and every rule ID the code, tests and docs cite is in docs/rules.md
 * (scripts/rules-coverage.js, the same check `npm run rules:coverage` makes).
 */
import * as assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";

interface Coverage {
  error?: string;
  ids: string[];
  notTested: string[];
  unknown: Map<string, string[]>;
}
// eslint-disable-next-line @typescript-eslint/no-require-imports
const coverage = require("../../../scripts/rules-coverage.js") as {
  checkCoverage(dir: string): Coverage;
  citedIds(text: string, letters: string): Set<string>;
};

const root = path.join(__dirname, "..", "..", "..");

/** Every file git knows in the checkout (tracked and new, not ignored), text only. */
function repositoryTexts(): Array<{ name: string; text: string }> {
  const names = execFileSync("git", ["ls-files", "--cached", "--others", "--exclude-standard"], {
    cwd: root,
    encoding: "utf8",
  })
    .split("\n")
    .filter((n) => n && fs.existsSync(path.join(root, n)) && fs.statSync(path.join(root, n)).isFile());
  return names
    .map((name) => ({ name, buf: fs.readFileSync(path.join(root, name)) }))
    .filter(({ buf }) => !buf.subarray(0, 8000).includes(0))
    .map(({ name, buf }) => ({ name, text: buf.toString("utf8") }));
}

// Built from pieces so that this file does not match itself.
const OUTSIDE = new RegExp(["\\.\\./", "shared", "|", "shared", "/(reference|seeds)"].join(""));
const ISSUE_NUMBER = new RegExp(["[Ii]ssues?", " ?#?[0-9]+"].join(""));
/** An upstream project's public tracker (owner/repo #N, owner/repo#N, a GitHub URL) is a fine citation. */
const UPSTREAM = /[\w.-]+\/[\w.-]+ ?#\d+|github\.com\/|[\w.-]+\/[\w.-]+ issues? #?\d+/;

function tempCheckout(files: Record<string, string>): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "sps-rules-"));
  for (const [name, text] of Object.entries(files)) {
    fs.mkdirSync(path.dirname(path.join(dir, name)), { recursive: true });
    fs.writeFileSync(path.join(dir, name), text);
  }
  return dir;
}

// Fixtures use section letters the real catalogue does not have (Y, W, Q), so that this file cites no real rule
// and cannot count as the test of one.
const CATALOGUE = "# Rules\n\n## Y — fixture\n\n### Y1 — First\n\nText.\n\nSource: x.\n";
const TWO_RULES = CATALOGUE + "\n### Y2 — Second\n\nText.\n\nSource: y.\n";

describe("the repository carries its own reference", function () {
  this.timeout(60_000);

  it("no file points at reference material outside the clone", () => {
    const hits = repositoryTexts().flatMap(({ name, text }) =>
      text
        .split("\n")
        .map((line, i) => ({ line, at: `${name}:${i + 1}` }))
        .filter(({ line }) => OUTSIDE.test(line))
        .map(({ at, line }) => `${at}: ${line.trim().slice(0, 120)}`),
    );
    assert.deepEqual(hits, [], "point at a file in docs/ instead");
  });

  it("no file gives an issue number as its reason (upstream trackers are fine)", () => {
    const hits = repositoryTexts().flatMap(({ name, text }) =>
      text
        .split("\n")
        .map((line, i) => ({ line, at: `${name}:${i + 1}` }))
        .filter(({ line }) => ISSUE_NUMBER.test(line) && !UPSTREAM.test(line))
        .map(({ at, line }) => `${at}: ${line.trim().slice(0, 120)}`),
    );
    assert.deepEqual(hits, [], "state the reason itself, or point at docs/design-notes.md");
  });

  it("every rule ID cited in code, tests and docs is in docs/rules.md, and every rule there is tested", () => {
    const r = coverage.checkCoverage(root);
    assert.equal(r.error, undefined);
    assert.ok(r.ids.length >= 56, `docs/rules.md lists ${r.ids.length} rules`);
    assert.deepEqual(Object.fromEntries(r.unknown), {}, "add the rule to docs/rules.md or fix the ID");
    assert.deepEqual(r.notTested, []);
  });
});

describe("rules:coverage (scripts/rules-coverage.js)", function () {
  const made: string[] = [];
  afterEach(() => {
    for (const d of made.splice(0)) fs.rmSync(d, { recursive: true, force: true });
  });

  it("fails when code cites a rule ID the catalogue does not have, naming the file", () => {
    // Built from pieces so that this file does not cite them itself.
    const [y9, q2] = ["Y" + "9", "Q" + "2"];
    const dir = tempCheckout({
      "docs/rules.md": CATALOGUE,
      "provider/x.ts": `// ${"rule"} Y1 and ${"rule"} ${y9}\nexport const f = { ${"rule"}: "${q2}" };\n`,
      "test/x.test.ts": "it('Y1: ...')\n",
    });
    made.push(dir);
    const r = coverage.checkCoverage(dir);
    assert.deepEqual(Object.fromEntries(r.unknown), { [y9]: ["provider/x.ts"], [q2]: ["provider/x.ts"] });
    assert.deepEqual(r.notTested, []);
  });

  it("fails when a catalogue rule is cited by no test (code alone does not count)", () => {
    const dir = tempCheckout({
      "docs/rules.md": TWO_RULES,
      "provider/x.ts": "// Y1 Y2\n",
      "test/x.test.ts": "it('Y1: ...')\n",
    });
    made.push(dir);
    assert.deepEqual(coverage.checkCoverage(dir).notTested, ["Y2"]);
  });

  it("fails when the rule table (core/rules.ts) does not list the catalogue's IDs in its order", () => {
    const table = 'export const RULES = {\n  Y2: blocks("y."),\n  Y1: warns("x."),\n};\n';
    const files = {
      "docs/rules.md": TWO_RULES,
      "core/rules.ts": table,
      "test/x.test.ts": "it('Y1, Y2')\n",
    };
    made.push(tempCheckout(files));
    const { error } = coverage.checkCoverage(made[made.length - 1]);
    assert.match(error ?? "", /rules\.ts lists Y2, Y1; docs\/rules\.md lists Y1, Y2/);
  });

  it("fails without a catalogue", () => {
    const dir = tempCheckout({ "test/x.test.ts": "it('Y1')\n" });
    made.push(dir);
    assert.match(coverage.checkCoverage(dir).error ?? "", /docs\/rules\.md not found/);
  });

  it("reads lists and ranges as citations, and ignores look-alikes inside keys and hashes", () => {
    const cited = coverage.citedIds(
      "Y5/Y6/Y7 (Y1–Y15) W12. ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIY9+abcdefghijklmnopqrstuvw 5 F11",
      "YW",
    );
    assert.deepEqual([...cited].sort(), ["W12", "Y1", "Y15", "Y5", "Y6", "Y7"]);
  });
});
