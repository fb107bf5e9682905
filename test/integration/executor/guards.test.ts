/**
 * What the executor refuses or stops on before harm is done: unusable plans (C3), foreign or damaged
 * checkpoints, live preflight facts that contradict the declared ones (P8), HA sync that never comes
 * (H2 deadline), a manual gate for the reboot; and that `maxParallel` bounds a wave (C2).
 */
import assert from "node:assert/strict";
import { ManualStepRequired } from "../../../provider/clients/system-control/errors";
import { executeClusterPlan, memoryCheckpointStore, parseCheckpoint } from "../../../provider/executor";
import { EmulatedCluster } from "./emulated-cluster";
import { runFailure as failure } from "./run-failure";

describe("executor: guards, deadlines and limits (rules C2, C3, P8, H2, S9)", function () {
  this.timeout(60_000);
  let cluster: EmulatedCluster | undefined;
  afterEach(async () => {
    await cluster?.stop();
    cluster = undefined;
  });

  it("refuses a plan whose wave mixes two hops (C3) or that has blocking findings, before touching anything", async () => {
    cluster = await EmulatedCluster.start({
      target: "6.3",
      nodes: [
        { name: "mh1", version: "6.0.5", roles: ["managed-host"] },
        { name: "mh2", version: "6.0.5", roles: ["managed-host"] },
      ],
    });
    const plan = structuredClone(cluster.plan);
    const hop2 = plan.steps.find((s) => s.hop === 2)!;
    const hop1Wave = plan.steps.find((s) => s.hop === 1)!.wave;
    for (const s of plan.steps) if (s.wave === hop2.wave) s.wave = hop1Wave;
    // keep waves non-decreasing: move every later step onto that wave too
    for (const s of plan.steps) if (s.seq > hop2.seq) s.wave = Math.max(s.wave, hop1Wave);
    const mixed = await failure(cluster.runToEnd(() => cluster!.inputs({ plan })));
    assert.equal(mixed.kind, "input-missing");
    assert.match(mixed.message, /C3/);
    const blocked = structuredClone(cluster.plan);
    blocked.findings.push({ rule: "P8", severity: "error", node: "mh1", message: "disk fill-up limit 99" });
    const err = await failure(cluster.runToEnd(() => cluster!.inputs({ plan: blocked })));
    assert.match(err.message, /blocking findings \(P8: disk fill-up limit 99\)/);
    assert.deepEqual(cluster.writes(), []);
    assert.equal(cluster.events().length, 0, "not even a read");
  });

  it("refuses a checkpoint of another cluster and names the field of a damaged one", async () => {
    cluster = await EmulatedCluster.start({ target: "6.0", nodes: [{ name: "sps1", version: "5.0.9" }] });
    const other = memoryCheckpointStore(
      parseCheckpoint({
        schemaVersion: 1,
        cluster: "staging",
        target: "6.0.7",
        finished: [],
        reboots: [],
        secondaryDown: {},
        rolledBack: {},
        updatedAt: "2026-01-01T00:00:00.000Z",
      }),
    );
    const err = await failure(cluster.runToEnd(() => cluster!.inputs({ checkpoint: other })));
    assert.match(err.message, /belongs to cluster staging, not prod/);
    assert.throws(
      () =>
        parseCheckpoint({
          schemaVersion: 1,
          cluster: "prod",
          target: "6.0.7",
          finished: [],
          reboots: [{ node: "sps1" }],
        }),
      /executor checkpoint: reboots\.0\.hop/,
    );
  });

  it("stops in preflight when the live disk fill-up limit is out of 50–98 for a 6.0.4+ target (P8), with no write", async () => {
    cluster = await EmulatedCluster.start({
      target: "6.0",
      nodes: [{ name: "sps1", version: "5.0.9", liveSettings: { diskFillupLimitPercent: 99 } }],
    });
    const err = await failure(cluster.runToEnd(() => cluster!.inputs()));
    assert.equal(err.kind, "preflight-blocked");
    assert.equal(err.rule, "P8");
    assert.match(err.message, /is 99; set it within 50–98/);
    assert.deepEqual(cluster.writes(), []);
  });

  it("stops at the H2 deadline when the firmware never reaches the secondary; after repair the next run converges without a second upload", async () => {
    cluster = await EmulatedCluster.start({
      target: "6.3",
      nodes: [
        { name: "sm", version: "6.0.7", ha: true, emulator: { faults: { secondaryNeverSyncs: true } } },
      ],
    });
    const err = await failure(cluster.runToEnd(() => cluster!.inputs()));
    assert.equal(err.kind, "deadline");
    assert.equal(err.rule, "H2");
    assert.equal(err.step?.action, "wait-secondary-sync");
    assert.match(err.message, /within 5 min/);
    assert.equal(cluster.reboots().length, 0);
    assert.equal(cluster.events().filter((e) => e.name === "shutdown-secondary").length, 0);
    cluster.fleet.node("sm").node.faults = {};
    const result = await cluster.runToEnd(() => cluster!.inputs());
    assert.equal(result.complete, true);
    assert.equal(cluster.events().filter((e) => e.name === "upload-firmware").length, 1);
  });

  it("a firmware test that does not answer stops at its own deadline (P12), before anything is activated", async () => {
    cluster = await EmulatedCluster.start({ target: "6.0", nodes: [{ name: "sps1", version: "5.0.9" }] });
    const node = cluster.fleet.node("sps1").node;
    const err = await failure(
      executeClusterPlan(
        cluster.inputs({
          deadlines: { pollIntervalMs: 20_000, firmwareTestMs: 60_000 },
          progress: (e) => {
            // From now on the appliance answers slowly (300 ms real = 9 emulated minutes).
            if (e.action === "upload-firmware" && e.phase === "done") node.faults = { slowResponseMs: 300 };
          },
        }),
      ),
    );
    assert.equal(err.kind, "deadline");
    assert.equal(err.step?.action, "test-firmware");
    assert.match(err.message, /firmware upgrade test of 6\.0\.7 took longer than 1 min/);
    node.faults = {};
    assert.equal(cluster.events().filter((e) => e.name === "activate-firmware").length, 0);
  });

  it("a reboot routed to the manual channel stops with the instructions; after the operator rebooted, the next run waits and never reboots again (S9)", async () => {
    // The "selects" reading: the upgrade call leaves the node up, so the reboot goes through system control.
    cluster = await EmulatedCluster.start({
      target: "6.0",
      nodes: [{ name: "sps1", version: "5.0.9", emulator: { upgradeCall: "selects" } }],
    });
    cluster.systemControl.failNext = {
      operation: "rebootNode",
      error: new ManualStepRequired({
        operation: "rebootNode",
        node: "sps1",
        instructions: ["Basic Settings > System > System control > This node > Reboot"],
      }),
    };
    const err = await failure(cluster.runToEnd(() => cluster!.inputs()));
    assert.equal(err.kind, "manual-step-required");
    assert.match(err.message, /This node > Reboot/);
    assert.deepEqual(
      cluster.store.current?.reboots.map((r) => [r.route, r.observed, r.rebootIssuedAt]),
      [["upgrade-call", "stayed-up", undefined]],
      "the call is recorded (it only selected the slot); the reboot is not recorded as issued by the tool",
    );
    // The operator reboots the node by hand; the next run finds it booting and only waits.
    cluster.fleet.systemControl("sps1").rebootThisNode();
    const result = await cluster.runToEnd(() => cluster!.inputs());
    assert.equal(result.complete, true);
    assert.equal(cluster.reboots().length, 1);
    assert.equal(result.steps.find((s) => s.action === "reboot")?.status, "skipped");
  });

  it("maxParallel bounds how many nodes of a wave work at the same time (C2)", async () => {
    cluster = await EmulatedCluster.start({
      target: "6.0.7",
      nodes: [1, 2, 3, 4].map((i) => ({ name: `mh${i}`, version: "6.0.5", roles: ["managed-host"] })),
    });
    let active = 0;
    let peak = 0;
    const result = await executeClusterPlan(
      cluster.inputs({
        maxParallel: 2,
        progress: (e) => {
          if (e.action === "upload-firmware" && e.phase === "start") peak = Math.max(peak, ++active);
          if (e.action === "upgrade-plugin" || (e.action === "verify-version" && e.phase !== "start"))
            active--;
        },
      }),
    );
    assert.equal(result.complete, true);
    assert.equal(peak, 2);
    const reboots = result.steps.filter((s) => s.action === "reboot");
    const overlapping = (t: number): number =>
      reboots.filter((r) => Date.parse(r.startedAt) <= t && t < Date.parse(r.finishedAt)).length;
    assert.ok(Math.max(...reboots.map((r) => overlapping(Date.parse(r.startedAt)))) <= 2);
  });
});
