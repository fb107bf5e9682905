// Failures through the real engine: a failed firmware upgrade test (P12) and a rollback at boot (S13)
// stop `up` with a clear error, the state records what happened (partial state), and the next `up`
// resumes from truth without repeating what already happened.
import { strict as assert } from "node:assert";
import { control, LAB_LICENSE_END } from "../support/sps-lab";
import { drift, events, labStack, upThroughGates, type LabStack } from "./sps-helpers";

const FIRMWARE_TYPE = "pulumi-nodejs:dynamic/sps:ClusterFirmware";

interface StateResource {
  type: string;
  outputs?: Record<string, unknown>;
  initErrors?: string[];
}

async function firmwareState(ls: LabStack): Promise<StateResource | undefined> {
  const doc = JSON.parse(await ls.stack.exportState()) as { deployment?: { resources?: StateResource[] } };
  return doc.deployment?.resources?.find((r) => r.type === FIRMWARE_TYPE);
}

async function upError(ls: LabStack): Promise<string> {
  try {
    await ls.stack.up();
  } catch (e) {
    return e instanceof Error ? e.message : String(e);
  }
  throw new Error("up succeeded, expected a failure");
}

describe("failed upgrades through Pulumi", function () {
  this.timeout(300_000);

  describe("when the firmware's own upgrade test fails (P12)", function () {
    let ls: LabStack;
    const TEST_TEXT = "Upgrade is not allowed: the audit trail store /var/lib/audit is 97% full";

    before(async function () {
      ls = await labStack("standalone");
      await control(ls.lab, "PUT", "/_emulator/nodes/sps-branch/faults", { testFailureText: TEST_TEXT });
    });

    after(async function () {
      await ls?.dispose();
    });

    it("stops up with the test's text verbatim and records the partial state", async function () {
      const message = await upError(ls);
      assert.ok(message.includes(TEST_TEXT), message);
      assert.match(message, /firmware-test-failed/);
      const state = await firmwareState(ls);
      assert.ok(state, "the firmware resource is in the state");
      const lastRun = state.outputs?.["lastRun"] as { complete: boolean; failed?: { kind: string } };
      assert.equal(lastRun.complete, false);
      assert.equal(lastRun.failed?.kind, "firmware-test-failed");
      const nodes = state.outputs?.["nodeStates"] as Record<string, { version: string }>;
      assert.equal(nodes["sps-branch"]?.version, "5.0.0");
      assert.equal(
        (await events(ls.lab, { node: "sps-branch", name: "reboot" })).length,
        0,
        "no reboot after a failed test",
      );
    });

    it("resumes on the next up once the cause is fixed, without uploading the image again", async function () {
      await control(ls.lab, "DELETE", "/_emulator/nodes/sps-branch/faults");
      // The example's standalone node has no system-control channel: its S11 license is a manual gate.
      const up = await upThroughGates(ls);
      assert.deepEqual(up.gates, ["sps-branch license sps-6"]);
      const nodes = up.outputs["nodes"] as Record<string, { version: string }>;
      assert.equal(nodes["sps-branch"]?.version, "6.3.0");
      const uploads = await events(ls.lab, { node: "sps-branch", name: "upload-firmware" });
      assert.deepEqual(
        uploads.map((e) => e.detail?.["version"]),
        ["6.0.12", "6.3.0"],
        "each image uploaded once",
      );
      assert.equal((await events(ls.lab, { node: "sps-branch", name: "reboot" })).length, 2);
    });
  });

  describe("when the node rolls back at boot (S13)", function () {
    let ls: LabStack;

    before(async function () {
      ls = await labStack("standalone");
      await control(ls.lab, "PUT", "/_emulator/nodes/sps-branch/faults", { rollbackOnBoot: true });
    });

    after(async function () {
      await ls?.dispose();
    });

    it("stops up with a clear rollback error and records the rolled-back version", async function () {
      const message = await upError(ls);
      assert.match(message, /rollback-detected/);
      assert.match(message, /S13/);
      const state = await firmwareState(ls);
      const nodes = state?.outputs?.["nodeStates"] as Record<string, { version: string }>;
      assert.equal(nodes["sps-branch"]?.version, "5.0.0");
      assert.equal((await events(ls.lab, { node: "sps-branch", name: "reboot" })).length, 1);
    });

    it("does not reboot again on the next up while the node still runs the old version", async function () {
      await control(ls.lab, "DELETE", "/_emulator/nodes/sps-branch/faults");
      const message = await upError(ls);
      assert.match(message, /rolled back/);
      assert.equal(
        (await events(ls.lab, { node: "sps-branch", name: "reboot" })).length,
        1,
        "no second reboot for hop 1",
      );
    });

    it("continues with the next hop once the operator has brought the node to the hop's version", async function () {
      await drift(ls.lab, "sps-branch", {
        version: "6.0.12",
        license: { major: 6, validNotAfter: LAB_LICENSE_END },
      });
      // The out-of-band license is not the declared file: the License resource's manual gate (no route).
      const up = await upThroughGates(ls);
      assert.deepEqual(up.gates, ["sps-branch license sps-6"]);
      const nodes = up.outputs["nodes"] as Record<string, { version: string }>;
      assert.equal(nodes["sps-branch"]?.version, "6.3.0");
      const reboots = await events(ls.lab, { node: "sps-branch", name: "reboot" });
      assert.deepEqual(
        reboots.map((e) => e.detail?.["afterReboot"]),
        ["6.0.12", "6.3.0"],
        "hop 1 rebooted once, hop 2 once",
      );
    });
  });
});
