// A staged rollout (examples/staged-rollout) through the real engine against the emulator: the canary,
// stage "first" (site-a, site-b), stage "second" (site-c, site-d), at most two clusters at once. A
// failed firmware test on site-b (emulator fault, rule P12) stops stage "second" from starting while
// site-a, already running, finishes; once the fault is gone the next `up` finishes stage "first" and
// only then starts stage "second". Asserted from the emulator's event record and the engine's output.
import { strict as assert } from "node:assert";
import { control } from "../support/sps-lab";
import { events, labStack, systemControlEvents, type EmulatorEvent, type LabStack } from "./sps-helpers";

const STAGE_1 = ["sps-a", "sps-b"];
const STAGE_2 = ["sps-c", "sps-d"];

/** The changes the appliances recorded (every action but a login: preview and check read, too). */
async function actions(ls: LabStack, nodes: readonly string[]): Promise<EmulatorEvent[]> {
  const all = await Promise.all(nodes.map((node) => events(ls.lab, { node, kind: "action" })));
  return all.flat().filter((e) => e.name !== "login");
}

describe("a staged rollout: canary, two stages, a failed cluster stops the later stage (examples/staged-rollout)", function () {
  this.timeout(900_000);
  let ls: LabStack;

  before(async function () {
    ls = await labStack("staged-rollout");
  });

  after(async function () {
    await ls?.dispose();
  });

  it("previews the stages in order with their estimated duration, and what a low --parallel costs", async function () {
    const low = await ls.stack.cli(["preview", "--parallel", "1", "--stack", ls.stack.name]);
    assert.equal(low.code, 0, low.stderr + low.stdout);
    const text = low.stdout;
    const at = (s: string): number => text.indexOf(s);
    assert.match(text, /rollout stage 1\/3 "canary": 1 cluster, 1 at a time; about \d/);
    assert.match(text, /rollout stage 2\/3 "first": 2 clusters, 2 at a time; about \d/);
    assert.match(text, /rollout stage 3\/3 "second": 2 clusters, 2 at a time; about \d/);
    assert.ok(at('stage 1/3 "canary"') < at('stage 2/3 "first"'), text);
    assert.match(
      text,
      /rollout stage 2\/3 "first": engine parallelism 1 runs only 1 of the stage's 2 clusters at once: about .* instead of .*; run `pulumi up --parallel 2` or more/,
    );
    const wide = await ls.stack.cli(["preview", "--parallel", "16", "--stack", ls.stack.name]);
    assert.equal(wide.code, 0, wide.stderr + wide.stdout);
    assert.match(wide.stdout, /rollout stage 2\/3 "first": 2 clusters/);
    assert.doesNotMatch(wide.stdout, /engine parallelism/);
  });

  /** `pulumi up` of the stack with the engine's parallelism at 16, so clusters of a stage can run side by side. */
  const upParallel = () =>
    ls.stack.cli(["up", "--yes", "--skip-preview", "--parallel", "16", "--stack", ls.stack.name]);

  it("stops stage 2 when a stage-1 cluster fails; the stage-1 cluster already running finishes", async function () {
    await control(ls.lab, "POST", "/_emulator/nodes/sps-b/faults", {
      testFailureText: "Upgrade is not allowed: emulated failure",
    });
    const up = await upParallel();
    assert.notEqual(up.code, 0, "the up fails");
    const out = up.stdout + up.stderr;
    assert.match(out, /site-b/);
    assert.match(out, /emulated failure/);
    assert.doesNotMatch(out, /firmware\/site-c|firmware\/site-d/, "no stage-2 cluster started");

    const canary = await actions(ls, ["sps-canary"]);
    const first = await actions(ls, STAGE_1);
    assert.ok(
      canary.some((e) => e.name === "reboot"),
      "the canary was upgraded",
    );
    const lastCanary = Math.max(...canary.map((e) => e.seq));
    assert.ok(
      first.every((e) => e.seq > lastCanary),
      "stage 1 started after the canary had finished",
    );
    assert.ok(
      first.some((e) => e.node === "sps-a" && e.name === "reboot"),
      "site-a, running beside the failed site-b, finished its upgrade",
    );
    assert.ok(!first.some((e) => e.node === "sps-b" && e.name === "reboot"), "site-b never rebooted");
    assert.deepEqual(await actions(ls, STAGE_2), [], "stage 2 never touched an appliance");
  });

  it("after the fault is gone, finishes stage 1 before stage 2 starts, and every gate passes", async function () {
    await control(ls.lab, "DELETE", "/_emulator/nodes/sps-b/faults");
    const up = await upParallel();
    assert.equal(up.code, 0, up.stderr + up.stdout);
    const first = await actions(ls, STAGE_1);
    const second = await actions(ls, STAGE_2);
    assert.ok(
      first.some((e) => e.node === "sps-b" && e.name === "reboot"),
      "site-b upgraded",
    );
    assert.ok(
      STAGE_2.every((n) => second.some((e) => e.node === n && e.name === "reboot")),
      "stage 2 upgraded",
    );
    const lastFirst = Math.max(...first.map((e) => e.seq));
    assert.ok(
      second.every((e) => e.seq > lastFirst),
      `stage 2's first action #${Math.min(...second.map((e) => e.seq))} after stage 1's last #${lastFirst}`,
    );
    const outputs = await ls.stack.stack.outputs();
    const gates = outputs["gates"]?.value as Record<string, { verified: boolean; clusters: string[] }>;
    assert.deepEqual(gates, {
      canary: { stage: "canary", verified: true, clusters: ["canary"] },
      first: { stage: "first", verified: true, clusters: ["site-a", "site-b"] },
      second: { stage: "second", verified: true, clusters: ["site-c", "site-d"] },
    });
    // Every cluster is a standalone node with no system-control channel — the REST upgrade
    // call rebooted each, and no system-control operation reached any (the emulator's event record).
    for (const n of ["sps-canary", ...STAGE_1, ...STAGE_2]) {
      assert.deepEqual(await systemControlEvents(ls.lab, n), [], `${n}: no system control`);
      assert.ok(
        (await events(ls.lab, { node: n, name: "reboot" })).every(
          (e) => e.detail?.["via"] === "upgrade-call",
        ),
        `${n}: rebooted by the upgrade call`,
      );
    }
  });
});
