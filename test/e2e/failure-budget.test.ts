// A failure budget above 0 through the real engine against the emulator (examples/staged-rollout with
// `failureBudget: 1`): stage "first" is site-a and site-b, stage "second" site-c and site-d. Failures
// are the emulator's firmware-test fault (rule P12), so they are deterministic. Asserted from the
// emulator's event record, the engine's exit code and output, and the stack's outputs — never on time.
//   1. two failures in stage "first" (one more than the budget): stage "second" never starts.
//   2. site-b's fault removed: stage "first" has one failure (site-a), within the budget, so stage
//      "second" runs — and the `up` still exits non-zero, naming site-a.
//   3. site-a's fault removed: the next `up` retries only site-a, converges, exits 0, every gate verified.
import { strict as assert } from "node:assert";
import { control } from "../support/sps-lab";
import { events, labStack, type EmulatorEvent, type LabStack } from "./sps-helpers";

const ALL = ["sps-canary", "sps-a", "sps-b", "sps-c", "sps-d"];
const STAGE_2 = ["sps-c", "sps-d"];
const FAULT = { testFailureText: "Upgrade is not allowed: emulated failure" };

/** The changes the appliances recorded after event `since` (every action but a login). */
async function actions(ls: LabStack, nodes: readonly string[], since = 0): Promise<EmulatorEvent[]> {
  const all = await Promise.all(nodes.map((node) => events(ls.lab, { node, kind: "action" })));
  return all.flat().filter((e) => e.name !== "login" && e.seq > since);
}

async function lastSeq(ls: LabStack): Promise<number> {
  const all = await events(ls.lab, {});
  return Math.max(0, ...all.map((e) => e.seq));
}

describe("a failure budget of 1: within it the next stage starts and the up still fails; over it the next stage never starts", function () {
  this.timeout(1_200_000);
  let ls: LabStack;
  const up = () =>
    ls.stack.cli(["up", "--yes", "--skip-preview", "--parallel", "16", "--stack", ls.stack.name]);

  before(async function () {
    ls = await labStack("staged-rollout", { config: { "sps-staged-rollout:failureBudget": "1" } });
  });

  after(async function () {
    await ls?.dispose();
  });

  it("previews the budget in every stage line (the canary's is 0)", async function () {
    const preview = await ls.stack.cli(["preview", "--parallel", "16", "--stack", ls.stack.name]);
    assert.equal(preview.code, 0, preview.stderr + preview.stdout);
    assert.match(
      preview.stdout,
      /rollout stage 1\/3 "canary": 1 cluster, 1 at a time; about .*; failure budget 0/,
    );
    assert.match(
      preview.stdout,
      /rollout stage 2\/3 "first": 2 clusters, 2 at a time; about .*; failure budget 1/,
    );
    assert.match(
      preview.stdout,
      /rollout stage 3\/3 "second": 2 clusters, 2 at a time; about .*; failure budget 1/,
    );
    // Below stage "first"'s two clusters: no warning that the whole stage could fail.
    assert.doesNotMatch(preview.stdout, /failureBudget 1 is at least/);
  });

  it("previews a lane of two clusters (maxInFlight 1): the second's plan is known although its lane's outcomes are not yet", async function () {
    const preview = await ls.stack.cli([
      "preview",
      "--parallel",
      "16",
      "--config",
      "sps-staged-rollout:maxInFlight=1",
      "--stack",
      ls.stack.name,
    ]);
    assert.equal(preview.code, 0, preview.stderr + preview.stdout);
    // The stage line needs every cluster's estimate (computed by check): site-b's check ran.
    assert.match(
      preview.stdout,
      /rollout stage 2\/3 "first": 2 clusters, 1 at a time; about .*, slowest site-[ab]; failure budget 1/,
    );
    const reset = await ls.stack.cli([
      "config",
      "rm",
      "sps-staged-rollout:maxInFlight",
      "--stack",
      ls.stack.name,
    ]);
    assert.equal(reset.code, 0, reset.stderr);
  });

  it("two failures in stage 1 (one over the budget): stage 2 never starts", async function () {
    await control(ls.lab, "POST", "/_emulator/nodes/sps-a/faults", FAULT);
    await control(ls.lab, "POST", "/_emulator/nodes/sps-b/faults", FAULT);
    const run = await up();
    assert.notEqual(run.code, 0, "the up fails");
    const out = run.stdout + run.stderr;
    assert.match(
      out,
      /stage 2\/3 "first" is not verified \(2 failed clusters, failure budget 1\), so no later stage starts/,
    );
    assert.match(out, /site-a failed: firmware\/site-a: firmware-test-failed \(rule P12\)/);
    assert.match(out, /site-b failed: firmware\/site-b: firmware-test-failed \(rule P12\)/);
    assert.match(out, /emulated failure/);
    const canary = await actions(ls, ["sps-canary"]);
    assert.ok(
      canary.some((e) => e.name === "reboot"),
      "the canary was upgraded",
    );
    const first = await actions(ls, ["sps-a", "sps-b"]);
    assert.ok(first.length > 0, "stage 1 ran up to its firmware test");
    assert.ok(!first.some((e) => e.name === "reboot"), "neither failed cluster rebooted");
    assert.deepEqual(await actions(ls, STAGE_2), [], "stage 2 never touched an appliance");
  });

  it("one failure in stage 1 (within the budget): stage 2 runs after stage 1, and the up still exits non-zero", async function () {
    await control(ls.lab, "DELETE", "/_emulator/nodes/sps-b/faults");
    const since = await lastSeq(ls);
    const run = await up();
    assert.notEqual(run.code, 0, "a failed cluster never ends in a green up");
    const out = run.stdout + run.stderr;
    assert.match(out, /1 cluster of the fleet failed \(site-a\), so this `up` fails/);
    const first = await actions(ls, ["sps-a", "sps-b"], since);
    const second = await actions(ls, STAGE_2, since);
    assert.ok(
      first.some((e) => e.node === "sps-b" && e.name === "reboot"),
      "site-b, retried, upgraded",
    );
    assert.ok(
      first.some((e) => e.node === "sps-a"),
      "site-a was retried (and failed again)",
    );
    assert.ok(!first.some((e) => e.node === "sps-a" && e.name === "reboot"), "site-a never rebooted");
    assert.ok(
      STAGE_2.every((n) => second.some((e) => e.node === n && e.name === "reboot")),
      "stage 2 upgraded within the budget",
    );
    const lastFirst = Math.max(...first.map((e) => e.seq));
    assert.ok(
      second.every((e) => e.seq > lastFirst),
      `stage 2's first action #${Math.min(...second.map((e) => e.seq))} after stage 1's last #${lastFirst}`,
    );
  });

  it("the next up retries only the failed cluster and converges", async function () {
    await control(ls.lab, "DELETE", "/_emulator/nodes/sps-a/faults");
    const since = await lastSeq(ls);
    const run = await up();
    assert.equal(run.code, 0, run.stderr + run.stdout);
    const changed = await actions(ls, ALL, since);
    assert.deepEqual(
      [...new Set(changed.map((e) => e.node))],
      ["sps-a"],
      "only the failed cluster's appliance changed",
    );
    assert.ok(
      changed.some((e) => e.name === "reboot"),
      "site-a upgraded",
    );
    const outputs = await ls.stack.stack.outputs();
    const gates = outputs["gates"]?.value as Record<string, { verified: boolean; failed: string[] }>;
    assert.deepEqual(Object.fromEntries(Object.entries(gates).map(([k, g]) => [k, [g.verified, g.failed]])), {
      canary: [true, []],
      first: [true, []],
      second: [true, []],
    });
  });
});
