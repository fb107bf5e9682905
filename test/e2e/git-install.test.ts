// Installing pulumi-sps from a git URL, as a team without a registry does: npm clones the repository, installs
// its devDependencies there, runs `prepare` (scripts/prepare.js: compiles dist/) and packs the clone with
// package.json `files`. Here the URL is git+file:// of a clone of this repository's HEAD, in a fresh project
// outside the repository; the npm cache serves the packages. And a directory linked with `npm install <dir>`
// that never had `npm ci` says what to do instead of "tsc: not found".
import { strict as assert } from "node:assert";
import { execFile } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { promisify } from "node:util";
import { REPO_ROOT } from "../support/pulumi-engine";

const exec = promisify(execFile);

function lockedVersion(name: string): string {
  const lock = JSON.parse(fs.readFileSync(path.join(REPO_ROOT, "package-lock.json"), "utf8")) as {
    packages: Record<string, { version?: string }>;
  };
  const version = lock.packages[`node_modules/${name}`]?.version;
  assert.ok(version, `package-lock.json has no ${name}`);
  return version;
}

function project(dir: string): void {
  fs.mkdirSync(dir, { recursive: true });
  fs.writeFileSync(
    path.join(dir, "package.json"),
    `${JSON.stringify({ name: path.basename(dir), private: true })}\n`,
  );
}

describe("installs from a git URL (compiled on install) and names the fix for an unprepared directory", function () {
  this.timeout(900_000);
  // Made when the suite starts (not when mocha loads the file), removed after it.
  let root = "";
  let clone = "";

  before(async function () {
    root = fs.mkdtempSync(path.join(os.tmpdir(), "sps-git-install-"));
    clone = path.join(root, "pulumi-sps");
    await exec("git", ["clone", "--quiet", REPO_ROOT, clone]);
  });

  after(function () {
    if (root) fs.rmSync(root, { recursive: true, force: true });
  });

  it("npm install git+file://…: dist/ built by prepare, only the package's files, the SDK, its runtime entry and the CLI load", async function () {
    const dir = path.join(root, "from-git");
    project(dir);
    await exec(
      "npm",
      [
        "install",
        "--prefer-offline",
        "--no-audit",
        "--no-fund",
        "--loglevel=error",
        `git+file://${clone}`,
        `@pulumi/pulumi@${lockedVersion("@pulumi/pulumi")}`,
      ],
      { cwd: dir, maxBuffer: 64 * 1024 * 1024 },
    );
    const installed = path.join(dir, "node_modules", "pulumi-sps");
    assert.ok(!fs.lstatSync(installed).isSymbolicLink());
    assert.deepEqual(fs.readdirSync(installed).sort(), [
      "ARCHITECTURE.md",
      "BENCHMARKS.md",
      "CONTRIBUTING.md",
      "LICENSE",
      "README.md",
      "bin",
      "dist",
      "docs",
      "package.json",
      "policy",
    ]);
    assert.deepEqual(fs.readdirSync(path.join(installed, "dist")).sort(), [
      "cli",
      "core",
      "emulator",
      "policy",
      "provider",
      "sdk",
    ]);
    const { stdout } = await exec(
      process.execPath,
      [
        "-e",
        'const s = require("pulumi-sps"); console.log(typeof s.SpsCluster, typeof require("pulumi-sps/runtime").dynamicProvider, require.resolve("pulumi-sps/runtime"))',
      ],
      { cwd: dir },
    );
    assert.equal(
      stdout.trim(),
      `function function ${path.join(installed, "dist", "provider", "resources", "index.js")}`,
    );
    const version = await exec(path.join(dir, "node_modules", ".bin", "sps-upgrade"), ["--version"], {
      cwd: dir,
    });
    const pkg = JSON.parse(fs.readFileSync(path.join(REPO_ROOT, "package.json"), "utf8")) as {
      version: string;
    };
    assert.equal(version.stdout.trim(), pkg.version);
  });

  it("npm install <directory without npm ci>: prepare names the fix", async function () {
    const dir = path.join(root, "from-dir");
    project(dir);
    await assert.rejects(
      exec("npm", ["install", "--prefer-offline", "--no-audit", "--no-fund", clone], { cwd: dir }),
      (e: Error & { stderr?: string }) => {
        assert.match(
          String(e.stderr),
          /cannot compile .*TypeScript is not installed there\. Run `npm ci` in it first/,
        );
        assert.doesNotMatch(String(e.stderr), /tsc: not found/);
        return true;
      },
    );
  });
});
