/**
 * executeClusterPlan against the SPS emulator: a standalone node through several hops (S1–S13, V6,
 * P14), then a second run that does nothing (idempotence: every step skipped, no write reaches the
 * appliance).
 */
import assert from "node:assert/strict";
import { ExecutionError, executeClusterPlan, observeCluster } from "../../../provider/executor";
import { buildPluginZip } from "../../../emulator/sps/plugin-archive";
import { EmulatedCluster } from "./emulated-cluster";

describe("executor: standalone node, multi-hop upgrade on the emulator (rules S1–S13, V6, P14)", function () {
  this.timeout(60_000);
  let cluster: EmulatedCluster | undefined;
  afterEach(async () => {
    await cluster?.stop();
    cluster = undefined;
  });

  it("converges 5.0.3 → 5.0.9 → 6.0.7 → 6.3.2 with one reboot per hop and the 6 LTS license after the reboot into 6 (S9, S11, S13, P14)", async () => {
    cluster = await EmulatedCluster.start({ target: "6.3", nodes: [{ name: "sps1", version: "5.0.3" }] });
    assert.deepEqual(
      cluster.plan.hops.map((h) => h.to),
      ["5.0.9", "6.0.7", "6.3.2"],
    );
    const started = Date.now();
    const result = await executeClusterPlan(cluster.inputs());
    const tookMs = Date.now() - started;
    assert.equal(result.complete, true);
    assert.equal(result.nodes.sps1?.runningVersion, "6.3.2");
    assert.equal(cluster.fleet.node("sps1").node.runningVersion, "6.3.2");
    assert.ok(result.steps.every((s) => s.status !== "failed"));
    assert.equal(result.steps.length, cluster.plan.steps.length);
    // S9: exactly one reboot per hop, each into that hop's target.
    const reboots = cluster.reboots("sps1");
    assert.deepEqual(
      reboots.map((e) => e.detail?.afterReboot),
      ["5.0.9", "6.0.7", "6.3.2"],
    );
    // S11: the 6 LTS license after the reboot into 6.0.
    const lic = cluster.events().filter((e) => e.name === "upload-license");
    assert.equal(lic.length, 1);
    assert.equal(lic[0].detail?.major, 6);
    assert.ok(lic[0].seq > reboots[1].seq && lic[0].seq < reboots[2].seq);
    assert.equal(result.nodes.sps1?.license?.state, "valid");
    // Progress: one start and one end line per step.
    assert.equal(cluster.progress.filter((p) => p.phase === "start").length, cluster.plan.steps.length);
    assert.ok(cluster.progress.some((p) => p.phase === "waiting" && /first boot/.test(p.message)));
    assert.ok(tookMs < 30_000, `took ${tookMs} ms`);
  });

  it("a second run with the saved checkpoint does nothing: every step skipped, no write reaches the appliance", async () => {
    cluster = await EmulatedCluster.start({ target: "6.0", nodes: [{ name: "sps1", version: "5.0.9" }] });
    await executeClusterPlan(cluster.inputs());
    const mark = cluster.lastSeq();
    const again = await executeClusterPlan(cluster.inputs());
    assert.equal(again.complete, true);
    assert.deepEqual(
      again.steps.filter((s) => s.status !== "skipped").map((s) => `${s.seq} ${s.action}: ${s.detail}`),
      [],
    );
    assert.deepEqual(cluster.writes(mark), []);
    // Also without any checkpoint: the truth on the appliance is enough.
    const fresh = await executeClusterPlan(cluster.inputs({ checkpoint: undefined }));
    assert.ok(fresh.steps.every((s) => s.status === "skipped"));
    assert.deepEqual(cluster.writes(mark), []);
  });
});

describe("executor: plugins before and after the hop (rules P6, S4, S15)", function () {
  this.timeout(60_000);
  let cluster: EmulatedCluster | undefined;
  afterEach(async () => {
    await cluster?.stop();
    cluster = undefined;
  });

  it("uploads the DEPRECATED build the 6.0 target needs before the firmware, once; a rerun skips it", async () => {
    cluster = await EmulatedCluster.start({
      target: "6.0",
      nodes: [{ name: "sps1", version: "5.0.9", plugins: [{ name: "mfa-duo", version: "1.2.0" }] }],
    });
    const build = {
      version: "1.3.0-DEPRECATED",
      zip: buildPluginZip({
        name: "mfa-duo",
        version: "1.3.0-DEPRECATED",
        description: "DEPRECATED build for 6.0",
      }),
    };
    const inputs = cluster.inputs({ plugins: { "mfa-duo": { "6.0": build } } });
    const result = await executeClusterPlan(inputs);
    assert.equal(result.complete, true);
    assert.deepEqual(result.nodes.sps1?.plugins, [{ name: "mfa-duo", version: "1.3.0-DEPRECATED" }]);
    const ev = cluster.events().filter((e) => e.kind === "action");
    const installs = ev.filter((e) => e.name === "install-plugin");
    assert.equal(installs.length, 1);
    // P6 / S4: the plugin build is in place before the firmware is uploaded.
    assert.ok(ev.indexOf(installs[0]) < ev.findIndex((e) => e.name === "upload-firmware"));
    assert.equal(result.steps.find((s) => s.action === "upgrade-plugin")?.status, "skipped");
    const mark = cluster.lastSeq();
    const again = await executeClusterPlan(inputs);
    assert.ok(again.steps.every((s) => s.status === "skipped"));
    assert.deepEqual(cluster.writes(mark), []);
  });

  it("stops with a clear input error when the build for the target is missing (P6), before changing anything", async () => {
    cluster = await EmulatedCluster.start({
      target: "6.0",
      nodes: [{ name: "sps1", version: "5.0.9", plugins: [{ name: "mfa-duo", version: "1.2.0" }] }],
    });
    await assert.rejects(executeClusterPlan(cluster.inputs()), (e: unknown) => {
      assert.ok(e instanceof ExecutionError);
      assert.equal(e.kind, "input-missing");
      assert.equal(e.rule, "P6");
      assert.match(e.message, /plugins\["mfa-duo"\]\["6\.0"\]/);
      return true;
    });
    assert.deepEqual(cluster.writes(), []);
  });
});

describe("executor: observeCluster, the read-only live view (refresh / drift)", function () {
  this.timeout(30_000);
  let cluster: EmulatedCluster | undefined;
  afterEach(async () => {
    await cluster?.stop();
    cluster = undefined;
  });

  it("reports version, slots, license, plugins and HA state, sees an out-of-band upgrade and a node in first boot, and writes nothing (S10)", async () => {
    cluster = await EmulatedCluster.start({
      target: "6.0",
      nodes: [
        { name: "sps1", version: "6.0.5", plugins: [{ name: "mfa-duo", version: "1.3.0-DEPRECATED" }] },
        { name: "pair", version: "6.0.5", ha: true },
      ],
    });
    const inputs = { nodes: cluster.bindings(), systemControl: cluster.systemControl };
    const first = await observeCluster(inputs);
    assert.equal(first.nodes.sps1?.runningVersion, "6.0.5");
    assert.deepEqual(first.nodes.sps1?.slots, [
      { id: 1, version: "6.0.5", current: true, afterReboot: true },
    ]);
    assert.deepEqual(first.nodes.sps1?.license, { major: 6, state: "valid" });
    assert.deepEqual(first.nodes.sps1?.plugins, [{ name: "mfa-duo", version: "1.3.0-DEPRECATED" }]);
    assert.equal(first.nodes.pair?.ha?.status, "HA");
    // Someone upgraded sps1 by hand, and the pair is rebooting.
    cluster.fleet.node("sps1").node.driftRunningVersion("6.0.7");
    cluster.fleet.systemControl("pair").shutdownSecondary();
    cluster.fleet.systemControl("pair").rebootThisNode();
    cluster.fleet.clock.advance(2 * 60_000);
    const mark = cluster.lastSeq();
    const second = await observeCluster(inputs);
    assert.equal(second.nodes.sps1?.runningVersion, "6.0.7");
    assert.equal(second.nodes.pair?.booting, true);
    assert.equal(second.nodes.pair?.runningVersion, null);
    assert.deepEqual(cluster.writes(mark), []);
    const during = cluster
      .events()
      .filter((e) => e.seq > mark && e.node === "pair" && e.kind === "http")
      .map((e) => e.name);
    assert.ok(during.length > 0);
    assert.ok(
      during.every((n) => n === "GET /api/authentication" || n === "GET /api/info"),
      `only login and /api/info (read-only) are tried during a first boot: ${during.join(", ")}`,
    );
  });
});
