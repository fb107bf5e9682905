/**
 * Interrupted runs resume from the truth: abort through the signal, or a fault thrown mid-run, then
 * a new run with the saved checkpoint. Never a second reboot of a node for the same hop (S9, S10,
 * S13, H1), nothing but read-only waits during a first boot (S10), no second upload of an ISO.
 */
import assert from "node:assert/strict";
import { type ProgressEvent } from "../../../provider/executor";
import { EmulatedCluster } from "./emulated-cluster";
import { runFailure as expectExecutionError } from "./run-failure";

/** A progress sink that aborts the run when `when` matches. */
function abortWhen(when: (e: ProgressEvent) => boolean): {
  controller: AbortController;
  sink: (e: ProgressEvent) => void;
} {
  const controller = new AbortController();
  return {
    controller,
    sink: (e) => {
      if (!controller.signal.aborted && when(e)) controller.abort(new Error("operator pressed Ctrl-C"));
    },
  };
}

describe("executor: interrupted runs resume without repeating dangerous steps (rules S9, S10, S13, H1, H2)", function () {
  this.timeout(60_000);
  let cluster: EmulatedCluster | undefined;
  afterEach(async () => {
    await cluster?.stop();
    cluster = undefined;
  });

  const points: Array<[string, (e: ProgressEvent) => boolean]> = [
    [
      "after the ISO upload of hop 1",
      (e) => e.action === "upload-firmware" && e.hop === 1 && e.phase === "done",
    ],
    [
      "after activation, before the reboot of hop 1",
      (e) => e.action === "activate-firmware" && e.hop === 1 && e.phase === "done",
    ],
    [
      "during the first boot of hop 1 (S10)",
      (e) =>
        e.action === "reboot" &&
        e.hop === 1 &&
        e.phase === "waiting" &&
        /^first boot of sps1\b/.test(e.message),
    ],
    [
      "during the first boot of hop 2 (S10, P14 reorganisation)",
      (e) =>
        e.action === "reboot" &&
        e.hop === 2 &&
        e.phase === "waiting" &&
        /^first boot of sps1\b/.test(e.message),
    ],
    ["after the license upload into 6 LTS (S11)", (e) => e.action === "upload-license" && e.phase === "done"],
  ];
  for (const [where, when] of points) {
    it(`aborted ${where}: the next run converges with one reboot and one upload per hop`, async () => {
      cluster = await EmulatedCluster.start({ target: "6.3", nodes: [{ name: "sps1", version: "5.0.9" }] });
      const { controller, sink } = abortWhen(when);
      const err = await expectExecutionError(
        cluster.runToEnd(() => cluster!.inputs({ signal: controller.signal, progress: sink })),
      );
      assert.equal(err.kind, "aborted");
      assert.ok(err.partial, "partial result recorded");
      assert.equal(err.partial.complete, false);
      const result = await cluster.runToEnd(() => cluster!.inputs());
      assert.equal(result.complete, true);
      assert.equal(cluster.fleet.node("sps1").node.runningVersion, "6.3.2");
      assert.deepEqual(
        cluster.reboots("sps1").map((e) => e.detail?.afterReboot),
        ["6.0.7", "6.3.2"],
      );
      assert.deepEqual(
        cluster
          .events()
          .filter((e) => e.name === "upload-firmware")
          .map((e) => e.detail?.version),
        ["6.0.7", "6.3.2"],
      );
      assert.equal(cluster.events().filter((e) => e.name === "upload-license").length, 1);
      // S10: during first boots only read-only polling: nothing answered 503.
      assert.deepEqual(
        cluster.events().filter((e) => e.kind === "http" && e.status === 503),
        [],
      );
    });
  }

  it("aborted while watching the upgrade call (S9, S10): the resumed run does not read the node again in the steps planned before the call, so a node going away under it does not stop the run", async () => {
    // Emulated time stands still between the runs (virtual time at real speed): the call's reboot, due
    // 5 emulated seconds after it, happens only when the resumed run reads the node's health — the
    // moment a loaded machine can produce by chance (crash matrix, CM cluster, point 31).
    cluster = await EmulatedCluster.start({
      target: "6.3",
      nodes: [{ name: "sps1", version: "5.0.9" }],
      virtualTime: true,
      timeScale: 1,
    });
    const c = cluster;
    const { controller, sink } = abortWhen(
      (e) => e.action === "activate-firmware" && e.hop === 2 && e.phase === "waiting",
    );
    const err = await expectExecutionError(
      c.runToEnd(() => c.inputs({ signal: controller.signal, progress: sink })),
    );
    assert.equal(err.kind, "aborted");
    assert.equal(c.fleet.node("sps1").node.serviceState(), "up", "the call's reboot is still to come");
    const client = c.clients.sps1;
    const health = client.getHealth.bind(client);
    client.getHealth = () => {
      c.fleet.clock.advance(10_000); // the node goes away while the step reads it
      return health();
    };
    const result = await c.runToEnd(() => c.inputs());
    assert.equal(result.complete, true);
    for (const action of ["preflight", "backup-config"])
      assert.match(
        result.steps.find((st) => st.action === action)?.detail ?? "",
        /upgrade call to 6\.3\.2 was made at .* not repeated while sps1 may be rebooting \(rules S9, S10\)/,
        action,
      );
    assert.deepEqual(
      c.reboots("sps1").map((e) => [e.detail?.afterReboot, e.detail?.via]),
      [
        ["6.0.7", "upgrade-call"],
        ["6.3.2", "upgrade-call"],
      ],
    );
    assert.equal(
      c.events().filter((e) => e.name === "activate-firmware").length,
      2,
      "no second upgrade call",
    );
    assert.equal(c.fleet.node("sps1").node.runningVersion, "6.3.2");
  });

  it("aborted between the secondary's shutdown and its power-on (H2): no second reboot, one power-on, pair converges", async () => {
    cluster = await EmulatedCluster.start({
      target: "6.3",
      nodes: [{ name: "sm", version: "6.0.7", ha: true }],
    });
    const { controller, sink } = abortWhen((e) => e.action === "shutdown-secondary" && e.phase === "done");
    const err = await expectExecutionError(
      cluster.runToEnd(() => cluster!.inputs({ signal: controller.signal, progress: sink })),
    );
    assert.equal(err.kind, "aborted");
    assert.equal(cluster.systemControl.calls.filter((c) => c.startsWith("shutdownSecondary")).length, 1);
    assert.equal(cluster.store.current?.secondaryDown.sm, 1);
    const result = await cluster.runToEnd(() => cluster!.inputs());
    assert.equal(result.complete, true);
    const names = cluster
      .events()
      .filter((e) => e.node === "sm" && e.kind === "action")
      .map((e) => e.name);
    assert.equal(names.filter((n) => n === "shutdown-secondary").length, 1);
    assert.equal(names.filter((n) => n === "reboot").length, 1);
    assert.equal(names.filter((n) => n === "power-on").length, 1);
    assert.equal(names.filter((n) => n === "activate-secondary").length, 1);
    assert.deepEqual(cluster.store.current?.secondaryDown, {});
  });

  it("aborted between hop 2's secondary shutdown and its power-on, resumed with the full plan (H2): hop 1's HA steps leave the secondary off; one power-on per hop", async () => {
    cluster = await EmulatedCluster.start({
      target: "6.3",
      nodes: [{ name: "sm", version: "6.0.5", ha: true }],
    });
    const { controller, sink } = abortWhen(
      (e) => e.action === "shutdown-secondary" && e.hop === 2 && e.phase === "done",
    );
    const err = await expectExecutionError(
      cluster.runToEnd(() => cluster!.inputs({ signal: controller.signal, progress: sink })),
    );
    assert.equal(err.kind, "aborted");
    assert.equal(cluster.store.current?.secondaryDown.sm, 2);
    const powerOnsBefore = cluster.events().filter((e) => e.node === "sm" && e.name === "power-on").length;
    assert.equal(powerOnsBefore, 1);
    const result = await cluster.runToEnd(() => cluster!.inputs());
    assert.equal(result.complete, true);
    const hop1PowerOn = result.steps.find((s) => s.action === "power-on-secondary" && s.hop === 1);
    assert.equal(hop1PowerOn?.status, "skipped");
    assert.match(hop1PowerOn?.detail ?? "", /shut down for hop 2/);
    const names = cluster
      .events()
      .filter((e) => e.node === "sm" && e.kind === "action")
      .map((e) => e.name);
    assert.equal(names.filter((n) => n === "power-on").length, 2);
    assert.equal(names.filter((n) => n === "shutdown-secondary").length, 2);
    assert.equal(names.filter((n) => n === "reboot").length, 2);
    assert.deepEqual(cluster.store.current?.secondaryDown, {});
  });

  it("aborted while hop 2's Activate Slave finishes, resumed with the full plan (H2): hop 1's activation is not repeated though its rebooted unit is primary again; one activation per hop", async () => {
    cluster = await EmulatedCluster.start({
      target: "6.3",
      nodes: [{ name: "sm", version: "6.0.5", ha: true }],
    });
    const { controller, sink } = abortWhen(
      (e) => e.action === "activate-secondary" && e.hop === 2 && e.phase === "done",
    );
    await expectExecutionError(
      cluster.runToEnd(() => cluster!.inputs({ signal: controller.signal, progress: sink })),
    );
    // Two hops swap the roles back: the unit rebooted in hop 1 is primary again.
    const hop1Unit = cluster.reboots("sm")[0]?.unit;
    assert.equal(cluster.fleet.node("sm").node.haState().primary.unit, hop1Unit);
    const result = await cluster.runToEnd(() => cluster!.inputs());
    assert.equal(result.complete, true, JSON.stringify(result.steps.filter((s) => s.status === "failed")));
    const hop1Activate = result.steps.find((s) => s.action === "activate-secondary" && s.hop === 1);
    assert.equal(hop1Activate?.status, "skipped");
    assert.match(hop1Activate?.detail ?? "", /past this hop's 6\.0\.7/);
    const activations = cluster.events().filter((e) => e.node === "sm" && e.name === "activate-secondary");
    assert.equal(activations.length, 2, "one Activate Slave per hop");
    assert.equal(result.nodes.sm?.ha?.nodes.find((n) => n.role === "primary")?.unit, hop1Unit);
  });

  it("aborted during the primary's first boot with the secondary off (S10, H2): waits, then powers the secondary on once", async () => {
    cluster = await EmulatedCluster.start({
      target: "6.3",
      nodes: [{ name: "sm", version: "6.0.7", ha: true }],
    });
    const { controller, sink } = abortWhen(
      // The executor's own "first boot of sm" line (the node answers "booting"), not the generic
      // "waiting: web interface … (first boot reorganises storage, P14)" line that comes while it is down.
      (e) => e.action === "reboot" && e.phase === "waiting" && /^first boot of sm\b/.test(e.message),
    );
    await expectExecutionError(
      cluster.runToEnd(() => cluster!.inputs({ signal: controller.signal, progress: sink })),
    );
    assert.equal(cluster.fleet.node("sm").node.serviceState(), "booting");
    const result = await cluster.runToEnd(() => cluster!.inputs());
    assert.equal(result.complete, true);
    assert.equal(cluster.reboots("sm").length, 1);
    assert.equal(cluster.events().filter((e) => e.name === "power-on").length, 1);
    assert.equal(result.steps.find((s) => s.action === "reboot")?.status, "skipped");
    assert.match(result.steps.find((s) => s.action === "reboot")?.detail ?? "", /already issued/);
  });

  it("aborted while the secondary boots and resyncs (H2): the next run passes preflight on the degraded pair, waits, activates once", async () => {
    cluster = await EmulatedCluster.start({
      target: "6.3",
      nodes: [{ name: "sm", version: "6.0.7", ha: true }],
    });
    const { controller, sink } = abortWhen(
      (e) => e.action === "wait-secondary-rejoin" && e.phase === "waiting",
    );
    await expectExecutionError(
      cluster.runToEnd(() => cluster!.inputs({ signal: controller.signal, progress: sink })),
    );
    assert.notEqual(cluster.fleet.systemControl("sm").haState().status, "HA");
    const result = await cluster.runToEnd(() => cluster!.inputs());
    assert.equal(result.complete, true);
    assert.equal(cluster.reboots("sm").length, 1);
    assert.equal(cluster.events().filter((e) => e.name === "power-on").length, 1);
    assert.equal(cluster.events().filter((e) => e.name === "activate-secondary").length, 1);
  });

  it("a fault thrown by the power-on (IPMI failure) stops the run; the next run powers the secondary on and converges", async () => {
    cluster = await EmulatedCluster.start({
      target: "6.3",
      nodes: [{ name: "sm", version: "6.0.7", ha: true }],
    });
    cluster.systemControl.failNext = {
      operation: "powerOnSecondary",
      error: new Error("ipmitool: Unable to establish IPMI v2 / RMCP+ session"),
    };
    const err = await expectExecutionError(cluster.runToEnd(() => cluster!.inputs()));
    assert.equal(err.kind, "step-failed");
    assert.equal(err.step?.action, "power-on-secondary");
    assert.match(err.message, /RMCP\+ session/);
    assert.equal(err.partial?.steps.at(-1)?.status, "failed");
    const result = await cluster.runToEnd(() => cluster!.inputs());
    assert.equal(result.complete, true);
    assert.equal(cluster.reboots("sm").length, 1);
  });

  it("a failed firmware test stops the node with the test summary verbatim (P12); the next run does not upload again", async () => {
    const text = "Upgrade is not allowed; X.509 host certificates are in use in connection policy ssh-prod.";
    cluster = await EmulatedCluster.start({
      target: "6.0",
      nodes: [{ name: "sps1", version: "5.0.9", emulator: { faults: { testFailureText: text } } }],
    });
    const err = await expectExecutionError(cluster.runToEnd(() => cluster!.inputs()));
    assert.equal(err.kind, "firmware-test-failed");
    assert.equal(err.rule, "P12");
    assert.ok(err.message.includes(text), err.message);
    assert.equal(err.step?.action, "test-firmware");
    assert.equal(cluster.reboots().length, 0);
    // Second run, fault still there: same verbatim failure, the ISO is not uploaded again.
    const again = await expectExecutionError(cluster.runToEnd(() => cluster!.inputs()));
    assert.ok(again.message.includes(text));
    assert.equal(again.partial?.steps.find((s) => s.action === "upload-firmware")?.status, "skipped");
    // The operator fixes the configuration: the next run converges, still one upload.
    cluster.fleet.node("sps1").node.faults = {};
    const result = await cluster.runToEnd(() => cluster!.inputs());
    assert.equal(result.complete, true);
    assert.equal(cluster.events().filter((e) => e.name === "upload-firmware").length, 1);
    assert.equal(cluster.reboots().length, 1);
  });

  it("a rollback at boot stops with a clear error (S13) and the next run never reboots the node again", async () => {
    cluster = await EmulatedCluster.start({
      target: "6.0",
      nodes: [{ name: "sps1", version: "5.0.9", emulator: { faults: { rollbackOnBoot: true } } }],
    });
    const err = await expectExecutionError(cluster.runToEnd(() => cluster!.inputs()));
    assert.equal(err.kind, "rollback-detected");
    assert.equal(err.rule, "S13");
    assert.match(err.message, /rolled back.*runs 5\.0\.9.*6\.0\.7/s);
    // Advice for the retry: what to fix and what the next up does.
    assert.match(err.message, /To retry: .*upgrade sps1 to 6\.0\.7 yourself.*run `pulumi up` again/);
    assert.equal(err.step?.action, "verify-version");
    assert.equal(cluster.reboots().length, 1);
    const mark = cluster.lastSeq();
    const again = await expectExecutionError(cluster.runToEnd(() => cluster!.inputs()));
    assert.equal(again.kind, "rollback-detected");
    assert.match(again.message, /To retry: .*upgrade sps1 to 6\.0\.7 yourself/);
    assert.equal(cluster.reboots().length, 1);
    assert.deepEqual(cluster.writes(mark), []);
  });

  it("a web interface that does not come back stops at the S12 deadline: console access needed", async () => {
    cluster = await EmulatedCluster.start({
      target: "6.0",
      // 5.11 shows a boot progress page (5.0.x shows nothing until 6.0 is up [doc]).
      nodes: [{ name: "sps1", version: "5.11.0", emulator: { faults: { webNeverReturns: true } } }],
    });
    const err = await expectExecutionError(cluster.runToEnd(() => cluster!.inputs()));
    assert.equal(err.kind, "web-interface-not-back");
    assert.equal(err.rule, "S12");
    assert.match(err.message, /console access needed/);
    assert.equal(err.partial?.nodes.sps1?.booting, true);
    // The next run waits again (read-only) and never reboots a node in its first boot (S10).
    const again = await expectExecutionError(cluster.runToEnd(() => cluster!.inputs()));
    assert.equal(again.kind, "web-interface-not-back");
    assert.equal(cluster.reboots().length, 1);
  });
});
