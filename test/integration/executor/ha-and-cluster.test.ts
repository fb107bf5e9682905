/**
 * HA pairs (H2, H3) and central-management clusters (C1, C3) on the emulator: the order of what
 * reached the appliances is read from the emulator's event record.
 */
import assert from "node:assert/strict";
import type { EmulatorEvent } from "../../../emulator/sps/events";
import { EmulatedCluster } from "./emulated-cluster";

function firstIndex(events: EmulatorEvent[], pred: (e: EmulatorEvent) => boolean): number {
  const i = events.findIndex(pred);
  assert.ok(i >= 0, "expected event not found");
  return i;
}

describe("executor: HA pair and cluster order on the emulator (rules H2, H3, C1, C3)", function () {
  this.timeout(60_000);
  let cluster: EmulatedCluster | undefined;
  afterEach(async () => {
    await cluster?.stop();
    cluster = undefined;
  });

  it("upgrades an HA pair in the H2 order: activate → synced to secondary → shut secondary down → reboot primary → power secondary on → rejoin → activate slave", async () => {
    cluster = await EmulatedCluster.start({
      target: "6.3",
      nodes: [{ name: "sm", version: "6.0.7", ha: true }],
    });
    const result = await cluster.runToEnd(() => cluster!.inputs());
    assert.equal(result.complete, true);
    const ev = cluster.events().filter((e) => e.node === "sm" && (e.kind === "action" || e.kind === "state"));
    const names = ev.map((e) => e.name);
    const at = (name: string): number => firstIndex(ev, (e) => e.name === name);
    // H2 order.
    assert.ok(at("upload-firmware") < at("activate-firmware"));
    const syncedAfterActivation = firstIndex(
      ev,
      (e) => e.name === "ha-firmware-synced" && ev.indexOf(e) > at("activate-firmware"),
    );
    assert.ok(syncedAfterActivation < at("shutdown-secondary"), names.join(","));
    assert.ok(at("shutdown-secondary") < at("reboot"));
    assert.ok(at("reboot") < at("power-on"));
    assert.ok(at("power-on") < at("activate-secondary"));
    assert.ok(!names.includes("takeover"), "no uncontrolled takeover");
    // One reboot of one unit (H1: never the cluster), one power-on, one activation.
    assert.equal(cluster.reboots("sm").length, 1);
    assert.equal(names.filter((n) => n === "power-on").length, 1);
    assert.equal(names.filter((n) => n === "activate-secondary").length, 1);
    const rebootedUnit = cluster.reboots("sm")[0].unit;
    const ha = result.nodes.sm?.ha;
    assert.ok(ha);
    assert.equal(ha.status, "HA");
    // The secondary became primary ("Activate slave").
    assert.notEqual(ha.nodes.find((n) => n.role === "primary")?.unit, rebootedUnit);
    assert.ok(ha.nodes.every((n) => n.firmware.current === "6.3.2" && n.firmware.active === "6.3.2"));
    // A second run: nothing written.
    const mark = cluster.lastSeq();
    const again = await cluster.runToEnd(() => cluster!.inputs());
    assert.ok(
      again.steps.every((s) => s.status === "skipped"),
      JSON.stringify(again.steps.filter((s) => s.status !== "skipped")),
    );
    assert.deepEqual(cluster.writes(mark), []);
  });

  it("activates the secondary while its boot firmware Current is lower than Active, the state the 6.0 and 6.3 guides show before Activate Slave, then waits until all are the same", async () => {
    cluster = await EmulatedCluster.start({
      target: "6.3",
      nodes: [{ name: "sm", version: "6.0.7", ha: true }],
    });
    const result = await cluster.runToEnd(() => cluster!.inputs());
    assert.equal(result.complete, true, JSON.stringify(result.steps.filter((s) => s.status === "failed")));
    const ev = cluster.events().filter((e) => e.node === "sm");
    const at = (name: string): number => firstIndex(ev, (e) => e.name === name);
    // The emulator holds the secondary's boot firmware below Active from its boot until the activation.
    const held = ev[at("boot-firmware-held")];
    assert.deepEqual(held?.detail, { current: "6.0.7", active: "6.3.2" });
    assert.ok(at("power-on") < at("boot-firmware-held"));
    assert.ok(at("boot-firmware-held") < at("activate-secondary"));
    assert.ok(at("activate-secondary") < at("boot-firmware-activated"));
    const rejoin = result.steps.find((s) => s.node === "sm" && s.action === "wait-secondary-rejoin");
    assert.equal(rejoin?.status, "done");
    assert.match(
      rejoin?.detail ?? "",
      /current 6\.0\.7, active 6\.3\.2: boot firmware Current lower than Active/,
    );
    const verify = result.steps.find((s) => s.node === "sm" && s.action === "verify-ha");
    assert.equal(verify?.status, "done", "verify-ha waited for the activation to finish");
    assert.ok(
      result.nodes.sm?.ha?.nodes.every(
        (n) => n.firmware.current === "6.3.2" && n.firmware.active === "6.3.2",
      ),
    );
  });

  it("takes an HA pair through two hops: each hop reboots the unit that is primary then, and the roles swap back (H2, C3)", async () => {
    cluster = await EmulatedCluster.start({
      target: "6.3",
      nodes: [{ name: "sm", version: "6.0.5", ha: true }],
    });
    assert.equal(cluster.plan.hops.length, 2);
    const result = await cluster.runToEnd(() => cluster!.inputs());
    assert.equal(result.complete, true);
    assert.deepEqual(
      cluster.reboots("sm").map((e) => `${e.unit ?? "?"}→${String(e.detail?.afterReboot)}`),
      ["a→6.0.7", "b→6.3.2"],
    );
    assert.deepEqual(
      cluster
        .events()
        .filter((e) => e.name === "power-on")
        .map((e) => e.unit),
      ["b", "a"],
    );
    assert.equal(result.nodes.sm?.ha?.nodes.find((n) => n.role === "primary")?.unit, "a");
    assert.ok(result.nodes.sm?.ha?.nodes.every((n) => n.firmware.current === "6.3.2"));
  });

  it("has no activate-slave step for a pair going to 5.11 (H3), and still verifies both units", async () => {
    cluster = await EmulatedCluster.start({
      target: "5.11",
      nodes: [{ name: "ha511", version: "5.10.0", ha: true }],
    });
    assert.ok(!cluster.plan.steps.some((s) => s.action === "activate-secondary"));
    const result = await cluster.runToEnd(() => cluster!.inputs());
    assert.equal(result.complete, true);
    assert.equal(cluster.events().filter((e) => e.name === "activate-secondary").length, 0);
    assert.ok(result.nodes.ha511?.ha?.nodes.every((n) => n.firmware.current === "5.11.2"));
  });

  it("upgrades a CM cluster minions → managed hosts → CM → search master, hop by hop (C1, C3)", async () => {
    cluster = await EmulatedCluster.start({
      target: "6.3",
      nodes: [
        { name: "sm", version: "6.0.5", roles: ["search-master"] },
        { name: "cm", version: "6.0.5", roles: ["central-management"] },
        { name: "mh1", version: "6.0.5", roles: ["managed-host"] },
        { name: "mh2", version: "6.0.5", roles: ["managed-host"] },
        { name: "min1", version: "6.0.5", roles: ["search-minion"] },
      ],
    });
    assert.equal(cluster.plan.hops.length, 2);
    const result = await cluster.runToEnd(() => cluster!.inputs());
    assert.equal(result.complete, true);
    const reboots = cluster.reboots().map((e) => `${e.node}:${String(e.detail?.afterReboot)}`);
    const pos = (s: string): number => reboots.indexOf(s);
    for (const hop of ["6.0.7", "6.3.2"]) {
      // C1 within each hop.
      assert.ok(
        pos(`min1:${hop}`) < pos(`mh1:${hop}`) && pos(`min1:${hop}`) < pos(`mh2:${hop}`),
        reboots.join(" "),
      );
      assert.ok(pos(`mh1:${hop}`) < pos(`cm:${hop}`) && pos(`mh2:${hop}`) < pos(`cm:${hop}`));
      assert.ok(pos(`cm:${hop}`) < pos(`sm:${hop}`));
    }
    // C3: every node finished hop 1 (its verify) before any node started hop 2.
    const lastHop1 = Math.max(
      ...result.steps.filter((s) => s.hop === 1).map((s) => Date.parse(s.finishedAt)),
    );
    const firstHop2 = Math.min(
      ...result.steps.filter((s) => s.hop === 2).map((s) => Date.parse(s.startedAt)),
    );
    assert.ok(lastHop1 <= firstHop2);
    assert.equal(reboots.length, 10);
    // Managed hosts of one wave ran in parallel (C2: keep the window short).
    const mhSteps = result.steps.filter(
      (s) => s.hop === 1 && s.action === "reboot" && s.node.startsWith("mh"),
    );
    assert.equal(mhSteps.length, 2);
    assert.ok(Date.parse(mhSteps[0].startedAt) < Date.parse(mhSteps[1].finishedAt));
    assert.ok(Date.parse(mhSteps[1].startedAt) < Date.parse(mhSteps[0].finishedAt));
  });
});
