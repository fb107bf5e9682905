import assert from "node:assert/strict";
import { SystemControlRefused } from "../../../emulator/sps/api-errors";
import { ManualClock, SECOND } from "../../../emulator/common/clock";
import { EmulatedNode } from "../../../emulator/sps/emulated-node";

function haPair(version = "6.0.5"): { node: EmulatedNode; clock: ManualClock } {
  const clock = new ManualClock();
  return { clock, node: new EmulatedNode({ name: "sm", version, ha: true, clock }) };
}

function bootTime(node: EmulatedNode): number {
  return node.timings.downMs + node.timings.firstBootMs;
}

/** The HA hop's reboot: secondary shut down, this node rebooted, the secondary powered on and rejoined. */
function rebootWithSecondaryOff(node: EmulatedNode, clock: ManualClock): void {
  const sc = node.systemControl();
  sc.shutdownSecondary();
  sc.rebootThisNode();
  clock.advance(bootTime(node));
  sc.powerOn("secondary");
  clock.advance(bootTime(node) + node.timings.haRejoinSyncMs);
}

describe("emulated HA pair model", function () {
  it("starts as a synced HA pair of two units, unit a primary", function () {
    const { node } = haPair();
    const ha = node.haState();
    assert.equal(ha.status, "HA");
    assert.equal(ha.sync, "synced");
    assert.deepEqual(
      ha.nodes.map((n) => [n.unit, n.role, n.power]),
      [
        ["a", "primary", "on"],
        ["b", "secondary", "on"],
      ],
    );
  });

  it("runs the documented HA upgrade sequence and ends with both units on the new firmware, roles swapped (H2)", function () {
    const { node, clock } = haPair();
    const sc = node.systemControl();
    node.uploadFirmware({ version: "6.0.7", sha256: "x", size: 1 });
    node.activateInWebInterface("6.0.7"); // [doc] "activate the firmware" — no reboot
    assert.equal(node.haState().firmwareSynced, false, "sync takes a moment");
    clock.advance(node.timings.haFirmwareSyncMs);
    const synced = node.haState();
    assert.equal(synced.firmwareSynced, true);
    assert.equal(synced.secondary?.afterRebootVersion, "6.0.7");

    sc.shutdownSecondary();
    assert.equal(sc.powerStatus("secondary"), "off");
    assert.equal(node.haState().status, "Degraded");

    sc.rebootThisNode();
    assert.equal(node.events.list({ name: "takeover" }).length, 0, "no takeover: the secondary is off");
    clock.advance(bootTime(node));
    assert.equal(sc.runningVersion(), "6.0.7");

    sc.powerOn("secondary");
    assert.equal(node.haState().secondary?.phase, "down");
    clock.advance(bootTime(node));
    assert.equal(node.haState().sync, "syncing", "heartbeat back, data still syncing");
    assert.throws(() => sc.activateSecondary(), SystemControlRefused);
    clock.advance(node.timings.haRejoinSyncMs);
    const rejoined = node.haState();
    assert.equal(rejoined.status, "HA");
    // [doc] 6.0 guide: "on the Other node > Boot firmware version, the version number next to Current is
    // lower than the version number next to Active" — until Activate Slave.
    assert.deepEqual(
      rejoined.nodes.map((n) => [n.role, n.firmware.current, n.firmware.active]),
      [
        ["primary", "6.0.7", "6.0.7"],
        ["secondary", "6.0.5", "6.0.7"],
      ],
    );

    sc.activateSecondary();
    const swapped = node.haState();
    assert.equal(swapped.primary.unit, "b");
    assert.equal(swapped.secondary?.unit, "a");
    assert.equal(swapped.nodes[0]?.firmware.current, "6.0.5", '"Activate Slave … can take a few minutes"');
    clock.advance(node.timings.haActivationMs);
    // [doc] "These version numbers should all be the same."
    for (const n of node.haState().nodes) assert.deepEqual(n.firmware, { current: "6.0.7", active: "6.0.7" });

    const actions = node.events.list({ kind: "action" }).map((e) => e.name);
    assert.deepEqual(actions, [
      "upload-firmware",
      "test-firmware",
      "activate-firmware",
      "shutdown-secondary",
      "reboot",
      "power-on",
      "activate-secondary",
    ]);
    assert.equal(node.events.list({ name: "reboot" }).length, 1, "one reboot for the hop");
  });

  it("a hop to 5.11 (no Activate Slave in its guide) leaves the secondary's boot firmware Current = Active after its boot ([unknown] reading)", function () {
    const { node, clock } = haPair("5.10.1");
    node.uploadFirmware({ version: "5.11.0", sha256: "x", size: 1 });
    node.activateInWebInterface("5.11.0");
    clock.advance(node.timings.haFirmwareSyncMs);
    rebootWithSecondaryOff(node, clock);
    const ha = node.haState();
    assert.equal(ha.sync, "synced");
    for (const n of ha.nodes) assert.deepEqual(n.firmware, { current: "5.11.0", active: "5.11.0" });
  });

  it("rebooting the primary while a synced secondary runs makes the secondary take over (why H2 shuts it down first)", function () {
    const { node, clock } = haPair();
    node.uploadFirmware({ version: "6.0.7", sha256: "x", size: 1 });
    node.activateInWebInterface("6.0.7");
    clock.advance(node.timings.haFirmwareSyncMs);
    node.rebootThisNode();
    assert.equal(node.events.list({ name: "takeover" }).length, 1);
    assert.equal(node.haState().primary.unit, "b");
    assert.equal(node.serviceState(), "up", "the API is now served by the old secondary");
    assert.equal(node.runningVersion, "6.0.5");
  });

  it('in the "reboots" reading the REST upgrade call reboots the primary while the synced secondary runs: the secondary takes over (the H2 hazard)', function () {
    const { node, clock } = haPair();
    assert.equal(node.upgradeCall, "reboots", "the default reading");
    const slot = node.uploadFirmware({ version: "6.0.7", sha256: "x", size: 1 });
    clock.advance(node.timings.haFirmwareSyncMs);
    node.activateFirmware(slot, null);
    assert.equal(node.serviceState(), "up", "the call answers first");
    clock.advance(10 * SECOND);
    assert.notEqual(node.haState().primary.unit, "a", "transitions applied: unit a is down");
    const reboots = node.events.list({ name: "reboot" });
    assert.deepEqual(
      reboots.map((r) => r.detail?.via),
      ["upgrade-call"],
    );
    assert.equal(node.events.list({ name: "takeover" }).length, 1);
    assert.equal(node.haState().primary.unit, "b");
  });

  it('in the "selects" reading the call only marks the slot: nothing reboots', function () {
    const clock = new ManualClock();
    const node = new EmulatedNode({ name: "sm", version: "6.0.5", ha: true, clock, upgradeCall: "selects" });
    node.activateFirmware(node.uploadFirmware({ version: "6.0.7", sha256: "x", size: 1 }), null);
    clock.advance(30 * 60 * SECOND);
    assert.equal(node.events.list({ name: "reboot" }).length, 0);
    assert.equal(node.firmwareSlots().afterReboot, 2);
    assert.equal(node.runningVersion, "6.0.5");
  });

  it("a secondary that never syncs keeps the old firmware, stays Degraded after power-on and cannot be activated", function () {
    const { node, clock } = haPair();
    node.faults = { secondaryNeverSyncs: true };
    const sc = node.systemControl();
    node.uploadFirmware({ version: "6.0.7", sha256: "x", size: 1 });
    node.activateInWebInterface("6.0.7");
    clock.advance(10 * node.timings.haFirmwareSyncMs);
    assert.equal(node.haState().firmwareSynced, false);
    rebootWithSecondaryOff(node, clock);
    const ha = node.haState();
    assert.equal(ha.status, "Degraded");
    assert.equal(ha.sync, "version-mismatch");
    assert.equal(ha.secondary?.currentVersion, "6.0.5");
    assert.throws(() => sc.activateSecondary(), /not synced/);
  });

  it("powers units on and off by physical unit id, as a BMC bound to one unit does", function () {
    const { node, clock } = haPair();
    const sc = node.systemControl();
    assert.deepEqual(sc.units(), ["a", "b"]);
    sc.powerOff("b");
    assert.equal(sc.powerStatus("b"), "off");
    assert.equal(sc.haState().status, "Degraded");
    sc.powerOn("b");
    clock.advance(node.timings.downMs + node.timings.plainBootMs + node.timings.haRejoinSyncMs + SECOND);
    assert.equal(sc.haState().status, "HA");
  });

  it("a standalone node has no secondary to shut down or activate", function () {
    const clock = new ManualClock();
    const sc = new EmulatedNode({ name: "solo", version: "6.0.5", clock }).systemControl();
    assert.equal(sc.haState().status, "Standalone");
    assert.throws(() => sc.shutdownSecondary(), /not an HA pair/);
    assert.throws(() => sc.activateSecondary(), /not an HA pair/);
  });
});
