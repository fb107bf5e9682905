import assert from "node:assert/strict";
import { SpsApiFault, SystemControlRefused } from "../../../emulator/sps/api-errors";
import { ManualClock, MINUTE, SECOND } from "../../../emulator/common/clock";
import { EmulatedNode, type EmulatedNodeOptions } from "../../../emulator/sps/emulated-node";
import { buildLicenseFile, dayOffset } from "../../../emulator/sps/license";
import { pluginManifest } from "../../../emulator/sps/plugin-archive";

function standalone(
  version: string,
  extra: Partial<EmulatedNodeOptions> = {},
): { node: EmulatedNode; clock: ManualClock } {
  const clock = new ManualClock();
  return { clock, node: new EmulatedNode({ name: "sps1", version, clock, ...extra }) };
}

function stage(node: EmulatedNode, version: string): number {
  return node.uploadFirmware({ version, sha256: `sha-${version}`, size: 1 });
}

function faultOf(fn: () => unknown): SpsApiFault {
  try {
    fn();
  } catch (e) {
    assert.ok(e instanceof SpsApiFault, String(e));
    return e;
  }
  assert.fail("expected an SPS error");
}

describe("emulated SPS node model", function () {
  it("starts with five firmware slots, the running version current and selected for after reboot", function () {
    const { node } = standalone("6.0.5");
    const view = node.firmwareSlots();
    assert.equal(view.slots.length, 5);
    assert.equal(view.slots[0]?.version, "6.0.5");
    assert.equal(view.current, 1);
    assert.equal(view.afterReboot, 1);
    assert.equal(view.slots.filter((s) => s === null).length, 4);
  });

  it("reboots into the after-reboot slot: down, then a first boot refusing service (S10), then the new version (S13)", function () {
    const { node, clock } = standalone("6.0.5");
    const slot = stage(node, "6.0.7");
    assert.ok(node.testFirmware(slot).passed);
    node.activateFirmware(slot, "go");
    assert.equal(node.runningVersion, "6.0.5", "activation alone does not reboot");
    node.rebootThisNode();
    assert.equal(node.serviceState(), "down");
    clock.advance(node.timings.downMs);
    assert.equal(node.serviceState(), "booting");
    clock.advance(node.timings.firstBootMs - SECOND);
    assert.equal(node.serviceState(), "booting");
    clock.advance(SECOND);
    assert.equal(node.serviceState(), "up");
    assert.equal(node.runningVersion, "6.0.7");
    const boots = node.events.list({ name: "boot" });
    assert.equal(boots.length, 1);
    assert.deepEqual([boots[0].detail?.from, boots[0].detail?.to], ["6.0.5", "6.0.7"]);
  });

  it("applies lazily every transition due, whatever the time between calls", function () {
    const { node, clock } = standalone("6.0.5");
    node.activateFirmware(stage(node, "6.0.7"), null);
    node.rebootThisNode();
    clock.advance(2 * 60 * MINUTE);
    assert.equal(node.serviceState(), "up");
    assert.equal(node.runningVersion, "6.0.7");
  });

  it("a rollback at boot leaves the node on its previous firmware and records it (S13)", function () {
    const { node, clock } = standalone("6.0.5");
    node.activateFirmware(stage(node, "6.0.7"), null);
    node.faults = { rollbackOnBoot: true };
    node.rebootThisNode();
    clock.advance(node.timings.downMs + node.timings.firstBootMs);
    assert.equal(node.serviceState(), "up");
    assert.equal(node.runningVersion, "6.0.5");
    assert.equal(node.events.list({ name: "rollback" }).length, 1);
    assert.equal(node.firmwareSlots().afterReboot, node.firmwareSlots().current);
  });

  it("a web interface that never returns keeps the node in first boot (S12)", function () {
    const { node, clock } = standalone("6.0.5");
    node.activateFirmware(stage(node, "6.0.7"), null);
    node.faults = { webNeverReturns: true };
    node.rebootThisNode();
    clock.advance(10 * 60 * MINUTE);
    assert.equal(node.serviceState(), "booting");
  });

  it("the first boot into 6.3 takes the storage reorganisation time on top (P14)", function () {
    const { node, clock } = standalone("6.2.1");
    node.activateFirmware(stage(node, "6.3.0"), null);
    node.rebootThisNode();
    clock.advance(node.timings.downMs + node.timings.firstBootMs);
    assert.equal(node.serviceState(), "booting");
    clock.advance(node.timings.storageReorgMs);
    assert.equal(node.serviceState(), "up");
  });

  it("the upgrade test says the storage reorganisation of 6.3 happens at first boot (P14)", function () {
    const { node } = standalone("6.2.1");
    assert.match(node.testFirmware(stage(node, "6.3.2")).summary, /reorganized at first boot/);
  });

  for (const [limit, target, passes] of [
    [49, "6.0.4", false],
    [99, "6.0.4", false],
    [50, "6.0.4", true],
    [98, "6.0.7", true],
    [99, "6.0.3", true],
    [30, "6.3.0", false],
  ] as const) {
    it(`the upgrade test ${passes ? "allows" : "refuses"} ${target} with a disk fill-up limit of ${limit}% (P8)`, function () {
      const { node } = standalone("6.0.2", { diskFillupLimitPercent: limit });
      const result = node.testFirmware(stage(node, target));
      assert.equal(result.passed, passes, result.summary);
      if (!passes) assert.match(result.summary, /between 50% and 98%/);
    });
  }

  it("the upgrade test refuses a downgrade (V3)", function () {
    const { node } = standalone("6.0.5");
    const result = node.testFirmware(stage(node, "6.0.3"));
    assert.equal(result.passed, false);
    assert.match(result.summary, /^Upgrade is not allowed;\nDowngrading/);
  });

  it("the upgrade test refuses 5.1 or later on Pyramid hardware (V8)", function () {
    const { node } = standalone("5.0.9", { hardware: "pyramid" });
    assert.equal(node.testFirmware(stage(node, "5.1.0")).passed, false);
  });

  it("the upgrade test refuses a plugin build that does not support the target (P6)", function () {
    const legacy = pluginManifest({ name: "Okta MFA", version: "1.2.0" });
    const deprecated = pluginManifest({ name: "Okta MFA", version: "1.3.0-DEPRECATED" });
    const modern = pluginManifest({ name: "Okta MFA", version: "2.0.0", api: "2.0" });
    const to60 = standalone("5.11.2", { plugins: [legacy] }).node;
    assert.match(
      to60.testFirmware(stage(to60, "6.0.7")).summary,
      /Plugin Okta MFA 1\.2\.0 does not support SPS 6\.0\.7/,
    );
    const to60ok = standalone("5.11.2", { plugins: [deprecated] }).node;
    assert.ok(to60ok.testFirmware(stage(to60ok, "6.0.7")).passed, "the DEPRECATED build runs on 6.0");
    const to61 = standalone("6.0.7", { plugins: [deprecated] }).node;
    assert.equal(
      to61.testFirmware(stage(to61, "6.1.0")).passed,
      false,
      "from 6.1 the new implementation is required",
    );
    const to61ok = standalone("6.0.7", { plugins: [modern] }).node;
    assert.ok(to61ok.testFirmware(stage(to61ok, "6.1.0")).passed);
  });

  it("accepts a plugin upload that supports the running or a staged firmware, and refuses others (P6)", function () {
    const { node } = standalone("6.0.7");
    const modern = pluginManifest({ name: "Okta MFA", version: "2.0.0", api: "2.0" });
    assert.equal(faultOf(() => node.checkPluginUpload(modern)).type, "PluginNotSupported");
    stage(node, "6.1.0");
    node.checkPluginUpload(modern);
  });

  it("refuses Starling 2FA 2.2.0 or later on a node not joined to Starling, and accepts older builds (P7)", function () {
    const { node } = standalone("6.3.2");
    const starling = (version: string): ReturnType<typeof pluginManifest> =>
      pluginManifest({ name: "Starling Two-Factor Authentication", version, api: "2.0" });
    assert.equal(faultOf(() => node.checkPluginUpload(starling("2.2.0"))).type, "TransactionProcessingError");
    node.checkPluginUpload(starling("2.1.4"));
    node.starlingJoined = true;
    node.checkPluginUpload(starling("2.2.0"));
  });

  it("keeps an injected upgrade test failure text verbatim and refuses activation with FirmwareTestFailed (P12)", function () {
    const { node } = standalone("6.0.5");
    const slot = stage(node, "6.0.7");
    node.faults = { testFailureText: "Upgrade is not allowed;\nsomething odd" };
    assert.deepEqual(node.testFirmware(slot), {
      passed: false,
      summary: "Upgrade is not allowed;\nsomething odd",
    });
    const fault = faultOf(() => node.activateFirmware(slot, null));
    assert.equal(fault.type, "FirmwareTestFailed");
    assert.equal(fault.details.test_summary, "Upgrade is not allowed;\nsomething odd");
    assert.equal(node.firmwareSlots().afterReboot, 1);
  });

  it("refuses to delete the current or after-reboot slot and to test an empty one", function () {
    const { node } = standalone("6.0.5");
    assert.equal(faultOf(() => node.deleteFirmwareSlot(1)).type, "SlotInUse");
    assert.equal(faultOf(() => node.testFirmware(3)).type, "ResourceNotFound");
  });

  it("a license is valid for its LTS major only, until it expires; a new one is uploaded after the hop (S2, S11)", function () {
    const { node, clock } = standalone("5.11.2");
    assert.equal(node.licenseState(), "valid");
    node.activateFirmware(stage(node, "6.0.7"), null);
    node.rebootThisNode();
    clock.advance(node.timings.downMs + node.timings.firstBootMs);
    assert.equal(node.runningVersion, "6.0.7");
    assert.equal(node.licenseState(), "wrong-version");
    node.systemControl().uploadLicense(buildLicenseFile(6, dayOffset(399, clock.now())));
    assert.equal(node.licenseState(), "valid");
    clock.advance(400 * 24 * 60 * MINUTE);
    assert.equal(node.licenseState(), "expired");
    assert.throws(() => node.uploadLicense("not a license"), /not valid JSON/);
  });

  it("refuses to reboot a node that is not running", function () {
    const { node } = standalone("6.0.5");
    node.rebootThisNode();
    assert.throws(() => node.rebootThisNode(), SystemControlRefused);
  });

  it("records every action in the event record with emulated time", function () {
    const { node, clock } = standalone("6.0.5");
    const slot = stage(node, "6.0.7");
    clock.advance(MINUTE);
    node.testFirmware(slot);
    const names = node.events.list({ node: "sps1" }).map((e) => e.name);
    assert.deepEqual(names, ["upload-firmware", "test-firmware"]);
    const [a, b] = node.events.list({ node: "sps1" });
    assert.equal(b.at - a.at, MINUTE);
  });

  it("an out-of-band upgrade changes the running version (drift)", function () {
    const { node } = standalone("6.0.5");
    node.driftRunningVersion("6.0.7");
    assert.equal(node.runningVersion, "6.0.7");
    assert.equal(node.events.list({ name: "drift-version" }).length, 1);
  });
});
