/**
 * `render` and `migrate-state` read stdin as a stream: the input of `pulumi preview --json | npx
 * sps-upgrade render` arrives in parts while the command already reads, and npx leaves the pipe
 * non-blocking (a synchronous read then fails with EAGAIN as soon as the pipe is momentarily empty).
 * The pipeline here: a writer that writes the first half (larger than the pipe's buffer, so it returns
 * only once the reader is reading) and the rest on a later timer, into a launcher that, like npx,
 * opens its stdin (making it non-blocking) and runs the CLI on it. The assertions are on the output.
 * The size cap is checked on the reader itself (test/unit/cli/read-input.test.ts).
 */
import { strict as assert } from "node:assert";
import { spawnSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";

const ROOT = join(__dirname, "..", "..", "..");
const BIN = join(ROOT, "bin", "sps-upgrade.js");
const PREVIEW = join(ROOT, "test", "fixtures", "render", "demo-preview.json");
const STATE = join(ROOT, "test", "fixtures", "legacy-provider-state", "stack-export.json");

const WRITER = `
const fs = require("node:fs");
const text = " ".repeat(1 << 20) + fs.readFileSync(process.argv[2], "utf8");
const half = Math.floor(text.length / 2);
fs.writeSync(1, text.slice(0, half));
setTimeout(() => fs.writeSync(1, text.slice(half)), 300);
`;

const LAUNCHER = `
process.stdin.pause();
const r = require("node:child_process").spawnSync(process.execPath, process.argv.slice(2), { stdio: "inherit" });
process.exitCode = r.status ?? 1;
`;

describe("sps-upgrade render / migrate-state: stdin that arrives in parts on a non-blocking pipe", function () {
  this.timeout(120_000);
  let dir: string;
  before(() => {
    dir = mkdtempSync(join(tmpdir(), "sps-stdin-"));
    writeFileSync(join(dir, "writer.js"), WRITER);
    writeFileSync(join(dir, "launcher.js"), LAUNCHER);
  });
  after(() => rmSync(dir, { recursive: true, force: true }));

  function piped(input: string, command: string) {
    const q = (s: string) => `'${s.replace(/'/g, `'\\''`)}'`;
    const node = q(process.execPath);
    const line = `${node} ${q(join(dir, "writer.js"))} ${q(input)} | ${node} ${q(join(dir, "launcher.js"))} ${q(BIN)} ${command}`;
    const r = spawnSync("/bin/sh", ["-c", line], { encoding: "utf8", cwd: ROOT, timeout: 100_000 });
    return { code: r.status, stdout: r.stdout, stderr: r.stderr };
  }

  it("render: the whole preview is read and rendered", () => {
    const r = piped(PREVIEW, "render");
    assert.equal(r.stderr, "");
    assert.equal(r.code, 0);
    assert.match(r.stdout, /^# SPS upgrade plan\n/);
    const direct = spawnSync(process.execPath, [BIN, "render", "--preview", PREVIEW], { encoding: "utf8" });
    assert.equal(r.stdout, direct.stdout);
  });

  it("migrate-state: the whole export is read and rewritten", () => {
    const r = piped(STATE, "migrate-state");
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stderr, /resource\(s\) rewritten/);
    const doc = JSON.parse(r.stdout) as { deployment?: unknown };
    assert.ok(doc.deployment);
    assert.deepEqual(Object.keys(doc), Object.keys(JSON.parse(readFileSync(STATE, "utf8")) as object));
  });
});
