/**
 * Command-line conventions of both executables (docs/design-notes.md#command-line-conventions): `--help` exits 0 and prints the
 * usage on stdout, `--version` prints the package version, unknown flags are usage errors (exit 2,
 * naming the flag). Real child processes of the bin scripts, as a user runs them.
 */
import { strict as assert } from "node:assert";
import { spawnSync } from "node:child_process";
import { readFileSync } from "node:fs";
import { join } from "node:path";

const ROOT = join(__dirname, "..", "..", "..");
const VERSION = (JSON.parse(readFileSync(join(ROOT, "package.json"), "utf8")) as { version: string }).version;

function run(bin: "sps-upgrade" | "sps-emulator", ...args: string[]) {
  const r = spawnSync(process.execPath, [join(ROOT, "bin", `${bin}.js`), ...args], {
    encoding: "utf8",
    cwd: ROOT,
    timeout: 60_000,
  });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

describe("CLI conventions: --help, --version, util.parseArgs", function () {
  this.timeout(60_000);

  it("sps-upgrade --help and -h exit 0 with the command list on stdout", () => {
    for (const flag of ["--help", "-h", "help"]) {
      const r = run("sps-upgrade", flag);
      assert.equal(r.code, 0, r.stderr);
      assert.match(r.stdout, /^usage: sps-upgrade <command>/);
      assert.match(r.stdout, /^ {2}plan {2}/m);
      assert.equal(r.stderr, "");
    }
  });

  it("sps-upgrade plan --help exits 0 with the plan usage (help plan is the same)", () => {
    const r = run("sps-upgrade", "plan", "--help");
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stdout, /^usage: sps-upgrade plan --fleet FLEET\.json/);
    assert.equal(run("sps-upgrade", "help", "plan").stdout, r.stdout);
  });

  it("sps-upgrade --version and -v print the package version", () => {
    for (const flag of ["--version", "-v"]) {
      const r = run("sps-upgrade", flag);
      assert.equal(r.code, 0, r.stderr);
      assert.equal(r.stdout, `${VERSION}\n`);
    }
  });

  it("sps-upgrade: an unknown command or flag exits 2 naming it, then the usage", () => {
    const cmd = run("sps-upgrade", "explode");
    assert.equal(cmd.code, 2);
    assert.match(cmd.stderr, /unknown command "explode"/);
    assert.match(cmd.stderr, /usage: sps-upgrade <command>/);
    const flag = run("sps-upgrade", "plan", "--fleet", "x.json", "--bogus");
    assert.equal(flag.code, 2);
    assert.match(flag.stderr, /'--bogus'/);
    assert.match(flag.stderr, /usage: sps-upgrade plan/);
    const value = run("sps-upgrade", "plan", "--fleet");
    assert.equal(value.code, 2);
    assert.match(value.stderr, /--fleet/);
    assert.equal(run("sps-upgrade").code, 2);
  });

  it("sps-emulator --help and -h exit 0 with the usage on stdout, starting nothing", () => {
    for (const flag of ["--help", "-h"]) {
      const r = run("sps-emulator", flag);
      assert.equal(r.code, 0, r.stderr);
      assert.match(r.stdout, /^usage: sps-emulator --fleet FLEET\.json/);
      assert.equal(r.stderr, "");
    }
  });

  it("sps-emulator --version prints the package version", () => {
    const r = run("sps-emulator", "--version");
    assert.equal(r.code, 0, r.stderr);
    assert.equal(r.stdout, `${VERSION}\n`);
  });

  it("sps-emulator: unknown flag, missing value and bad numbers exit 2 naming the flag", () => {
    const unknown = run("sps-emulator", "--fleet", "f.json", "--bogus");
    assert.equal(unknown.code, 2);
    assert.match(unknown.stderr, /'--bogus'/);
    const missing = run("sps-emulator", "--fleet");
    assert.equal(missing.code, 2);
    assert.match(missing.stderr, /--fleet/);
    const scale = run("sps-emulator", "--fleet", "f.json", "--time-scale", "fast");
    assert.equal(scale.code, 2);
    assert.match(scale.stderr, /--time-scale: "fast" must be a positive number/);
    const port = run("sps-emulator", "--fleet", "f.json", "--control-port", "70000");
    assert.equal(port.code, 2);
    assert.match(port.stderr, /--control-port: "70000"/);
  });
});
