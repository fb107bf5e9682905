/**
 * What `pulumi up` prints: the executor's progress and step details on the emulator. A wait's
 * message does not repeat the phase (the sdk prints "… waiting: <message>"), and the power-on step
 * names the channel the operation was routed to, not always IPMI (rule H2 allows `command` too).
 */
import assert from "node:assert/strict";
import type { ChannelKind, SystemControl } from "../../../provider/clients/system-control/operations";
import { EmulatedCluster } from "./emulated-cluster";

/** The emulator's SystemControl, reporting `channel` as the route of every operation (as the router does). */
function routedVia(inner: SystemControl, channel: ChannelKind): SystemControl {
  return {
    rebootNode: (node) => inner.rebootNode(node),
    rebootCluster: (pair) => inner.rebootCluster(pair),
    shutdownSecondary: (pair) => inner.shutdownSecondary(pair),
    powerOnSecondary: (pair) => inner.powerOnSecondary(pair),
    activateSecondary: (pair) => inner.activateSecondary(pair),
    readHaState: (node) => inner.readHaState(node),
    readPowerState: (node) => inner.readPowerState(node),
    uploadLicense: (node, license) => inner.uploadLicense(node, license),
    channelOf: () => channel,
  };
}

describe("executor: progress lines and step details name what really happens (rules H2, S12)", function () {
  this.timeout(60_000);
  let cluster: EmulatedCluster | undefined;
  afterEach(async () => {
    await cluster?.stop();
    cluster = undefined;
  });

  it("an HA pair whose power-on is routed to the command channel: the step says so, and no wait line repeats 'waiting:'", async () => {
    cluster = await EmulatedCluster.start({
      target: "6.3",
      nodes: [{ name: "sm", version: "6.0.7", ha: true }],
    });
    const result = await cluster.runToEnd(() =>
      cluster!.inputs({ systemControl: routedVia(cluster!.systemControl, "command") }),
    );
    assert.equal(result.complete, true);
    const powerOn = result.steps.find((s) => s.action === "power-on-secondary");
    assert.equal(powerOn?.status, "done");
    assert.match(powerOn?.detail ?? "", /^secondary b powered on through the configured command \(sm-b\)$/);
    assert.doesNotMatch(powerOn?.detail ?? "", /IPMI/);
    const preflight = result.steps.find((s) => s.action === "preflight");
    assert.match(
      preflight?.detail ?? "",
      /secondary b power read through the configured command \(power on\) \(P4\)/,
    );
    assert.doesNotMatch(preflight?.detail ?? "", /IPMI|BMC/);

    const waits = cluster.progress.filter((e) => e.phase === "waiting");
    assert.ok(waits.length > 0, "the run waited at least once");
    for (const w of waits) {
      assert.doesNotMatch(w.message, /^waiting:/, w.message);
      assert.doesNotMatch(w.message, /\b0 min\b/, w.message);
    }
    assert.ok(waits.some((w) => /\(deadline \d+(\.\d)? (s|min|h), rule [A-Z]\d+\)$/.test(w.message)));
  });

  it("a SystemControl that cannot tell its channel claims none", async () => {
    cluster = await EmulatedCluster.start({
      target: "6.3",
      nodes: [{ name: "sm", version: "6.0.7", ha: true }],
    });
    const result = await cluster.runToEnd(() => cluster!.inputs());
    assert.equal(result.complete, true);
    const powerOn = result.steps.find((s) => s.action === "power-on-secondary");
    assert.equal(powerOn?.detail, "secondary b powered on through system control (sm-b)");
    assert.match(
      result.steps.find((s) => s.action === "preflight")?.detail ?? "",
      /secondary b power read through system control \(power on\) \(P4\)/,
    );
  });
});
