// Our Node.js language host (tools/pulumi-engine/cmd/pulumi-language-nodejs) under the real engine: configuration of
// any size, secrets neither in the program's start environment nor on disk, the engine's parallelism as the program
// reads it, a resource provider and a policy pack written in Node.js (RunPlugin), and Cancel.
import { strict as assert } from "node:assert";
import { spawn } from "node:child_process";
import * as crypto from "node:crypto";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { createTestStack, PULUMI_BIN_DIR, TestStack } from "../support/pulumi-engine";

const PROGRAM_DIR = path.join(__dirname, "programs", "host-probe");
const POLICY_DIR = path.join(__dirname, "programs", "probe-policy");
const BIG = 300 * 1024;

const sha256 = (text: string): string => crypto.createHash("sha256").update(text).digest("hex");

/** Whether process `pid` runs (a zombie, dead but not yet reaped, does not). */
function alive(pid: number): boolean {
  try {
    const stat = fs.readFileSync(`/proc/${pid}/stat`, "utf8");
    return stat.slice(stat.lastIndexOf(")") + 2, stat.lastIndexOf(")") + 3) !== "Z";
  } catch {
    return false;
  }
}

/** Polls `condition` every 100 ms until it holds; fails naming `what` after `ms`. */
async function waitFor(what: string, ms: number, condition: () => boolean): Promise<void> {
  const deadline = Date.now() + ms;
  while (!condition()) {
    if (Date.now() > deadline) {
      throw new Error(`timed out after ${ms} ms waiting for ${what}`);
    }
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

/** Regular files under `dir` modified since `since` (ms) that contain `needle`; unreadable entries are skipped. */
function filesContaining(dir: string, needle: string, since: number): string[] {
  const found: string[] = [];
  let entries: fs.Dirent[];
  try {
    entries = fs.readdirSync(dir, { withFileTypes: true });
  } catch {
    return found;
  }
  for (const entry of entries) {
    const file = path.join(dir, entry.name);
    if (entry.isDirectory()) {
      found.push(...filesContaining(file, needle, since));
    } else if (entry.isFile()) {
      try {
        const stat = fs.statSync(file);
        if (stat.mtimeMs >= since && stat.size < 64 * 1024 * 1024 && fs.readFileSync(file).includes(needle)) {
          found.push(file);
        }
      } catch {
        // gone or unreadable: not ours
      }
    }
  }
  return found;
}

describe("our language host under the real engine", function () {
  this.timeout(300_000);
  const stacks: TestStack[] = [];
  const make = async (stackName: string): Promise<TestStack> => {
    const stack = await createTestStack({ programDir: PROGRAM_DIR, stackName });
    stacks.push(stack);
    return stack;
  };

  after(async function () {
    for (const stack of stacks) {
      await stack.dispose();
    }
  });

  it("passes a 300 KiB plain and a 300 KiB secret config value, neither in the start environment nor on disk", async function () {
    const started = Date.now() - 1000;
    const stack = await make("config");
    const big = "p".repeat(BIG - 3) + "end";
    const secret = crypto.randomBytes(BIG / 2).toString("hex");
    // Through stdin: a 300 KiB command-line argument would itself exceed Linux's 128 KiB limit per argument.
    for (const [key, value, flags] of [
      ["big", big, []],
      ["bigSecret", secret, ["--secret"]],
    ] as const) {
      const set = await stack.cli(["config", "set", ...flags, key, "--stack", stack.name], { input: value });
      assert.equal(set.code, 0, set.stderr);
    }

    const up = await stack.up();
    assert.equal(up.outputs["bigLength"], BIG);
    assert.equal(up.outputs["bigSha256"], sha256(big));
    assert.equal(up.outputs["bigSecretSha256"], sha256(secret));
    assert.ok(up.secretOutputs.includes("bigSecretSha256"), "an output derived from a secret stays secret");
    assert.equal(up.outputs["configInStartEnvironment"], false);

    const needle = secret.slice(0, 64);
    assert.ok(!stack.transcript().includes(needle), "the secret is not printed");
    assert.ok(!(await stack.stateText()).includes(needle), "the state holds the secret only encrypted");
    assert.deepEqual(
      filesContaining(os.tmpdir(), needle, started),
      [],
      "no file holds the secret in plaintext",
    );
  });

  it("hands the engine's --parallel to the program as PULUMI_NODEJS_PARALLEL", async function () {
    const stack = await make("parallel");
    assert.equal((await stack.up({ parallel: 3 })).outputs["parallel"], "3");
    assert.equal((await stack.up({ parallel: 1 })).outputs["parallel"], "1");
  });

  it("runs a resource provider written in Node.js (RunPlugin, kind resource) and ends it with the update", async function () {
    const stack = await make("provider");
    await stack.setConfig("greet", "world");
    const up = await stack.up();
    assert.equal(up.outputs["greetingText"], "hello world");
    const greeting = up.outputs["greeting"] as { pid?: unknown; id?: unknown };
    assert.equal(greeting.id, "greeting-world");
    assert.equal(typeof greeting.pid, "number");
    await waitFor(
      `the provider process ${greeting.pid} to end`,
      30_000,
      () => !alive(greeting.pid as number),
    );
  });

  it("runs a policy pack written in Node.js (RunPlugin, kind analyzer) with the stack's and its own config", async function () {
    const stack = await make("policy");
    await stack.setConfig("greet", "mallory");
    await stack.setConfig("forbidden", "mallory");
    const configFile = path.join(stack.workDir, "probe-policy.json");
    fs.writeFileSync(
      configFile,
      JSON.stringify({ "probe-forbidden-greeting": { prefix: "REFUSED-BY-PROBE" } }),
    );
    const refused = await stack.cli([
      "preview",
      "--stack",
      stack.name,
      "--policy-pack",
      POLICY_DIR,
      "--policy-pack-config",
      configFile,
    ]);
    const output = refused.stdout + refused.stderr;
    assert.notEqual(refused.code, 0, output);
    assert.match(output, /probe-forbidden-greeting/);
    assert.match(
      output,
      /REFUSED-BY-PROBE: urn:pulumi:policy::pulumi-sps-host-probe::probe:index:Greeting::greeting/,
    );
    assert.match(output, /greets "mallory" \(stack policy\)/);

    await stack.setConfig("greet", "alice");
    const passed = await stack.preview({ policyPacks: [POLICY_DIR] });
    assert.equal(passed.changeSummary["create"], 2);
    assert.doesNotMatch(passed.stdout + passed.stderr, /probe-forbidden-greeting/);
  });

  it("interrupts the program on the engine's Cancel (Ctrl-C), and pulumi ends", async function () {
    const stack = await make("cancel");
    const marker = path.join(stack.workDir, "program.pid");
    await stack.setConfig("hangMarker", marker);
    const child = spawn(
      path.join(PULUMI_BIN_DIR, "pulumi"),
      // -v=7 logs each call to the language host, Cancel's answer among them.
      [
        "up",
        "--yes",
        "--skip-preview",
        "--non-interactive",
        "--color",
        "never",
        "--stack",
        stack.name,
        "-v=7",
        "--logtostderr",
      ],
      { cwd: stack.workDir, env: { ...process.env, ...stack.env }, stdio: ["ignore", "pipe", "pipe"] },
    );
    let output = "";
    child.stdout.on("data", (chunk: Buffer) => (output += chunk.toString("utf8")));
    child.stderr.on("data", (chunk: Buffer) => (output += chunk.toString("utf8")));
    const exited = new Promise<number | null>((resolve) => child.on("close", (code) => resolve(code)));
    let code: number | null = null;
    let ended = false;
    void exited.then((c) => {
      code = c;
      ended = true;
    });
    try {
      await waitFor("the program to start and write its pid", 120_000, () => fs.existsSync(marker) || ended);
      assert.ok(!ended, `pulumi ended before the program started:\n${output}`);
      await waitFor("the pid in the marker file", 5_000, () => /^\d+$/.test(fs.readFileSync(marker, "utf8")));
      const programPid = Number(fs.readFileSync(marker, "utf8"));
      assert.ok(alive(programPid));
      child.kill("SIGINT");
      await waitFor("pulumi to end after Ctrl-C", 60_000, () => ended);
      assert.notEqual(code, 0, output);
      assert.match(output, /error: update canceled/);
      assert.match(output, /langhost\[nodejs\]\.Cancel\(\) success/);
      assert.doesNotMatch(output, /Cancel\(\) not implemented/);
      await waitFor(`the program ${programPid} to end`, 30_000, () => !alive(programPid));
    } finally {
      if (!ended) {
        child.kill("SIGKILL");
      }
    }
  });
});
