/**
 * `sps-upgrade render` as a process (stdin, --preview, --out, bad input → exit 2), and its Gantt
 * chart drawn by a real browser: Debian's chromium, headless, mermaid loaded from node_modules into
 * a local page (no network). The chart counts as drawn when mermaid finished, the SVG has one task
 * bar per rendered task with its name, and the bars' widths follow the estimate.
 */
import { strict as assert } from "node:assert";
import { spawnSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { drawMermaid, mermaidBlock } from "../../support/mermaid-browser";

const ROOT = join(__dirname, "..", "..", "..");
const BIN = join(ROOT, "bin", "sps-upgrade.js");
const FIXTURE = join(ROOT, "test", "fixtures", "render", "demo-preview.json");

function run(args: string[], input?: string) {
  const r = spawnSync(process.execPath, [BIN, ...args], {
    encoding: "utf8",
    cwd: ROOT,
    timeout: 60_000,
    ...(input !== undefined ? { input } : {}),
  });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

interface Bar {
  id: string;
  width: number;
}

function bars(dom: string): Bar[] {
  return [...dom.matchAll(/<rect id="[^"]*-(t\d+)"[^>]*?width="([\d.]+)"[^>]*class="task[ "]/g)].map((m) => ({
    id: m[1] ?? "",
    width: Number(m[2]),
  }));
}

describe("sps-upgrade render: the command, and its Gantt chart in headless chromium", function () {
  this.timeout(180_000);
  let dir: string;
  before(() => {
    dir = mkdtempSync(join(tmpdir(), "sps-render-"));
  });
  after(() => rmSync(dir, { recursive: true, force: true }));

  it("reads the preview from stdin or --preview and writes the markdown to stdout or --out", () => {
    const preview = readFileSync(FIXTURE, "utf8");
    const piped = run(["render"], preview);
    assert.equal(piped.code, 0, piped.stderr);
    assert.match(piped.stdout, /^# SPS upgrade plan\n/);
    assert.match(piped.stdout, /^## Cluster `dc1` → 6\.3 \(6\.3\.0\)$/m);
    const out = join(dir, "comment.md");
    const file = run(["render", "--preview", FIXTURE, "--out", out]);
    assert.equal(file.code, 0, file.stderr);
    assert.equal(file.stdout, "");
    assert.equal(readFileSync(out, "utf8"), piped.stdout);
    assert.equal(run(["render", "--help"]).code, 0);
  });

  it("exit 2 on bad input, naming the file and what is wrong", () => {
    const notJson = run(["render"], "Previewing update (e2e):");
    assert.equal(notJson.code, 2);
    assert.match(notJson.stderr, /stdin: not JSON .*pulumi preview --json/);
    const missing = run(["render", "--preview", join(dir, "nope.json")]);
    assert.equal(missing.code, 2);
    assert.match(missing.stderr, /nope\.json: cannot read the preview \(ENOENT\)/);
    const wrong = join(dir, "wrong.json");
    writeFileSync(wrong, JSON.stringify({ steps: [{ op: 1 }] }));
    const shape = run(["render", "--preview", wrong]);
    assert.equal(shape.code, 2);
    assert.match(shape.stderr, /wrong\.json: not a pulumi preview --json document: steps\.0\.op/);
    assert.match(run(["render", "--bogus"]).stderr, /'--bogus'/);
  });

  it("the demo's Gantt chart draws in chromium: one bar per task with its name, widths follow the estimate", () => {
    const md = run(["render", "--preview", FIXTURE]).stdout;
    const source = mermaidBlock(md);
    const tasks = source
      .split("\n")
      .map((l) => /^ {2}(.+) :(?:crit, )?(t\d+), (\S+ \S+), (\S+ \S+)$/.exec(l))
      .filter((m): m is RegExpExecArray => m !== null)
      .map((m) => ({
        name: m[1] ?? "",
        id: m[2] ?? "",
        seconds: (Date.parse(`${m[4]}Z`) - Date.parse(`${m[3]}Z`)) / 1000,
      }));
    assert.equal(tasks.length, 6);
    const drawn = drawMermaid(source);
    assert.equal(drawn.error, undefined);
    assert.match(drawn.dom, /<body[^>]*data-rendered="yes"/);
    assert.match(drawn.dom, /<svg[^>]*aria-roledescription="gantt"/);
    for (const t of tasks)
      assert.ok(drawn.dom.includes(`>${t.name} <`) || drawn.dom.includes(`>${t.name}<`), t.name);
    const drawnBars = bars(drawn.dom);
    assert.deepEqual(
      drawnBars.map((b) => b.id),
      tasks.map((t) => t.id),
    );
    // The longest task gets the widest bar, and widths keep the order of the durations.
    const width = new Map(drawnBars.map((b) => [b.id, b.width]));
    const byDuration = [...tasks].sort((a, b) => a.seconds - b.seconds);
    for (let i = 1; i < byDuration.length; i++) {
      const prev = byDuration[i - 1];
      const cur = byDuration[i];
      if (prev && cur && cur.seconds > prev.seconds)
        assert.ok(
          (width.get(cur.id) ?? 0) > (width.get(prev.id) ?? 0),
          `${cur.name} wider than ${prev.name}`,
        );
    }
  });
});
