// Team state in PostgreSQL: the DIY backend's `postgres://` (table pulumi_state) on a real PostgreSQL 15 server this
// test starts on loopback (test/support/postgres.ts) and stops. A standalone SPS appliance of the emulated lab
// (examples/standalone) is upgraded with its state there while a second `up` of the same stack is refused by the
// lock; the table holds no plaintext secret; `pulumi cancel` clears the lock a killed `pulumi up` left behind.
import { strict as assert } from "node:assert";
import { spawn, type ChildProcess } from "node:child_process";
import * as fs from "node:fs";
import * as path from "node:path";
import { createTestStack, PULUMI_BIN_DIR, type TestStack } from "../support/pulumi-engine";
import { startPostgres, type PostgresServer } from "../support/postgres";
import { startLab, type Lab } from "../support/sps-lab";
import { EXAMPLES, licenseGateIn, passLicenseGate } from "./sps-helpers";

const LOCKED =
  /the stack is currently locked by 1 lock\(s\)\. Either wait for the other process\(es\) to end or delete the lock file with `pulumi cancel`\./;

/** Polls `condition` every 100 ms until it holds; fails naming `what` after `ms`. */
async function waitFor(what: string, ms: number, condition: () => Promise<boolean> | boolean): Promise<void> {
  const deadline = Date.now() + ms;
  while (!(await condition())) {
    if (Date.now() > deadline) throw new Error(`timed out after ${ms} ms waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

interface Running {
  child: ChildProcess;
  output: () => string;
  exit: Promise<number | null>;
}

/** `pulumi up --yes` of `stack` in the background. */
function upInBackground(stack: TestStack): Running {
  const child = spawn(
    path.join(PULUMI_BIN_DIR, "pulumi"),
    ["up", "--yes", "--skip-preview", "--non-interactive", "--color", "never", "--stack", stack.name],
    { cwd: stack.workDir, env: { ...process.env, ...stack.env }, stdio: ["ignore", "pipe", "pipe"] },
  );
  let text = "";
  child.stdout?.on("data", (chunk: Buffer) => (text += chunk.toString("utf8")));
  child.stderr?.on("data", (chunk: Buffer) => (text += chunk.toString("utf8")));
  const exit = new Promise<number | null>((resolve) => child.on("close", (code) => resolve(code)));
  return { child, output: () => text, exit };
}

describe("team state in PostgreSQL (postgres:// DIY backend)", function () {
  this.timeout(600_000);
  let pg: PostgresServer;
  let lab: Lab;
  let stack: TestStack;
  const stacks: TestStack[] = [];

  const locks = async (stackName: string): Promise<string[]> =>
    (
      await pg.query(
        `SELECT key FROM pulumi_state WHERE key LIKE '%.pulumi/locks/%/${stackName}/%' ORDER BY key`,
      )
    )
      .split("\n")
      .filter((line) => line !== "");

  before(async function () {
    pg = await startPostgres();
    const fleet = JSON.parse(
      fs.readFileSync(path.join(EXAMPLES, "standalone", "fleet.json"), "utf8"),
    ) as unknown;
    lab = await startLab(fleet);
    stack = await createTestStack({
      programDir: path.join(EXAMPLES, "standalone"),
      stackName: "branch",
      config: lab.config,
      secrets: lab.secrets,
      backendUrl: pg.url,
    });
    stacks.push(stack);
  });

  after(async function () {
    for (const s of stacks) await s.dispose();
    await lab?.stop();
    await pg?.stop();
  });

  it("upgrades on up with the state in pulumi_state, refusing a second up of the same stack meanwhile", async function () {
    const first = upInBackground(stack);
    let ended = false;
    void first.exit.then(() => (ended = true));
    await waitFor(
      "the first up to take the stack's lock",
      120_000,
      async () => ended || (await locks("branch")).length > 0,
    );
    assert.ok(!ended, `the first up ended before it took the lock:\n${first.output()}`);

    const second = await stack.cli(["up", "--yes", "--skip-preview", "--stack", stack.name]);
    assert.notEqual(second.code, 0, second.stdout);
    assert.match(second.stderr, LOCKED);

    // The example's standalone node has no system-control channel: the first up stops at the
    // S11 license gate; the operator uploads the file in the web interface and runs up again.
    assert.notEqual(await first.exit, 0, first.output());
    const gate = licenseGateIn(first.output());
    assert.ok(gate, first.output());
    assert.deepEqual(await locks("branch"), [], "the lock is released");
    await passLicenseGate(lab, gate);
    const resumed = await stack.up();
    assert.equal(
      (resumed.outputs["nodes"] as Record<string, { version: string }>)["sps-branch"]?.version,
      "6.3.0",
    );
    assert.deepEqual(await locks("branch"), [], "the lock is released");
    const keys = await pg.query("SELECT key FROM pulumi_state ORDER BY key");
    // Keys are the file backend's paths under the database name; the project layout (meta.yaml version 1).
    assert.match(keys, /^pulumi\/\.pulumi\/meta\.yaml$/m);
    assert.match(keys, /^pulumi\/\.pulumi\/stacks\/sps-standalone\/branch\.json$/m);

    // State intact: the refused up changed nothing; the next one finds nothing to do.
    const exported = JSON.parse(await stack.exportState()) as {
      deployment: { resources: { type: string }[] };
    };
    assert.ok(
      exported.deployment.resources.some((r) => r.type === "pulumi-nodejs:dynamic/sps:ClusterFirmware"),
    );
    const again = await stack.up();
    assert.equal(again.resourceChanges["create"] ?? 0, 0);
    assert.equal(again.resourceChanges["delete"] ?? 0, 0);
  });

  it("keeps no plaintext secret in the table", async function () {
    // Each row's data is JSON {"data": "<base64 of the file>"}: decoded, it is what a file backend would hold.
    const rows = (await pg.query("SELECT key || ' ' || (data->>'data') FROM pulumi_state"))
      .split("\n")
      .filter(Boolean);
    const decoded = rows.map((row) => {
      const [key, data] = row.split(" ");
      return `== ${key}\n${Buffer.from(data ?? "", "base64").toString("utf8")}`;
    });
    const table = [...rows, ...decoded].join("\n");
    assert.match(
      table,
      /"ciphertext":"v1:[A-Za-z0-9+/=:]+"/,
      "the state (decoded) holds secret values encrypted",
    );
    assert.ok(!table.includes(lab.password), "the appliance password is not in the table");
    for (const [name, text] of Object.entries(lab.licenses)) {
      const line = text.split("\n").find((l) => l.trim().length > 20) ?? text;
      assert.ok(!table.includes(line.trim()), `license ${name} is not in the table`);
    }
  });

  it("clears the stale lock of a killed up with pulumi cancel", async function () {
    const smoke = await createTestStack({
      programDir: path.join(__dirname, "programs", "smoke"),
      stackName: "stale",
      config: { plannedActions: JSON.stringify(["stage firmware 7.5.1"]) },
      secrets: { token: "stale-lock-secret-4b1d" },
      backendUrl: pg.url,
    });
    stacks.push(smoke);
    const killed = upInBackground(smoke);
    await waitFor("the up to take the lock", 120_000, async () => (await locks("stale")).length > 0);
    killed.child.kill("SIGKILL");
    await killed.exit;
    assert.equal((await locks("stale")).length, 1, "a killed up leaves its lock behind");

    const refused = await smoke.cli(["up", "--yes", "--skip-preview", "--stack", smoke.name]);
    assert.notEqual(refused.code, 0);
    assert.match(refused.stderr, LOCKED);

    const cancel = await smoke.cli(["cancel", "--yes", "--stack", smoke.name]);
    assert.equal(cancel.code, 0, cancel.stderr);
    assert.deepEqual(await locks("stale"), []);
    const up = await smoke.up();
    assert.equal(up.outputs["commandStdout"], "smoke-command-ran");
  });
});
