/**
 * A reboot, a firmware change or an HA role change that the run's checkpoint does not record, seen
 * while the run reads or waits on a node (another run, or a person, acted): the run stops naming the
 * appliance and what it saw, and writes nothing more (provider/executor/boot-watch.ts).
 */
import assert from "node:assert/strict";
import {
  executeClusterPlan,
  memoryCheckpointStore,
  type ExecutionInputs,
  type ProgressEvent,
} from "../../../provider/executor";
import { EmulatedCluster } from "./emulated-cluster";
import { escapeRe, foreignStop, runFailure as failure } from "./run-failure";

describe("executor: a reboot, firmware or role change the run did not make stops it (another run, or a person)", function () {
  this.timeout(120_000);
  let cluster: EmulatedCluster | undefined;
  afterEach(async () => {
    await cluster?.stop();
    cluster = undefined;
  });

  const address = (c: EmulatedCluster, node: string): string =>
    c.fleet.nodes.find((n) => n.name === node)!.url;
  /** Inputs whose bindings carry the appliance's address; `act` runs once, at the first event `when` matches. */
  const run = (
    c: EmulatedCluster,
    when: (e: ProgressEvent) => boolean,
    act: () => void,
    overrides: Partial<ExecutionInputs> = {},
  ): { inputs: ExecutionInputs; acted: () => number | undefined } => {
    let at: number | undefined;
    const nodes = Object.fromEntries(
      Object.entries(c.bindings()).map(([n, b]) => [n, { ...b, address: address(c, n) }]),
    );
    const inputs = c.inputs({
      nodes,
      checkpoint: memoryCheckpointStore(),
      progress: (e) => {
        if (at === undefined && when(e)) {
          act();
          at = c.lastSeq();
        }
      },
      ...overrides,
    });
    return { inputs, acted: () => at };
  };

  it("a node rebooted by someone else between two steps: the run stops when it finds it booting, naming the appliance, and writes nothing more", async () => {
    const c = (cluster = await EmulatedCluster.start({
      target: "6.0",
      nodes: [{ name: "sps1", version: "6.0.5" }],
      virtualTime: true,
    }));
    const node = c.fleet.node("sps1").node;
    // Another run (or a person) reboots the node right after this run's upgrade test.
    const r = run(
      c,
      (e) => e.action === "test-firmware" && e.phase === "done",
      () => node.rebootThisNode(),
    );
    const err = await foreignStop(executeClusterPlan(r.inputs));
    assert.match(
      err.message,
      new RegExp(
        `the appliance ${escapeRe(address(c, "sps1"))} changed in a way this run did not make: it is booting .*this run's checkpoint records no reboot of it \\(it ran 6\\.0\\.5 when this run read it last\\)`,
      ),
    );
    assert.match(err.message, /this run stops here and writes nothing more to it/);
    assert.match(err.message, /then run again/);
    const since = r.acted();
    assert.ok(since !== undefined);
    assert.deepEqual(c.writes(since), [], "nothing written after the reboot it did not make");
    assert.equal(c.reboots("sps1").length, 1, "only the other party's reboot");
  });

  it("a node whose running firmware changed between two reads without a reboot of this run: stops naming both versions", async () => {
    const c = (cluster = await EmulatedCluster.start({
      target: "6.0",
      nodes: [{ name: "sps1", version: "6.0.5" }],
      virtualTime: true,
    }));
    const target = c.plan.hops.at(-1)!.to;
    // Another run upgraded the node to the target while this one was uploading.
    const r = run(
      c,
      (e) => e.action === "upload-firmware" && e.phase === "done",
      () => c.fleet.node("sps1").node.driftRunningVersion(target),
    );
    const err = await foreignStop(executeClusterPlan(r.inputs), "test-firmware");
    assert.match(
      err.message,
      new RegExp(
        `the appliance ${escapeRe(address(c, "sps1"))} changed in a way this run did not make: it ran 6\\.0\\.5 when this run read it last and runs ${escapeRe(target)} now, and this run's checkpoint records no reboot of it from 6\\.0\\.5 to ${escapeRe(target)}`,
      ),
    );
    assert.deepEqual(c.writes(r.acted()), [], "no test, call or reboot after the change");
    // Run again: it reads the node afresh, finds it on the target, and has nothing to write.
    const again = await executeClusterPlan(c.inputs({ checkpoint: memoryCheckpointStore() }));
    assert.equal(again.complete, true);
    assert.equal(again.nodes["sps1"]?.runningVersion, target);
  });

  it("an HA pair whose roles swap while the run waits for the firmware to reach the secondary: stops before the shutdown and the reboot", async () => {
    const c = (cluster = await EmulatedCluster.start({
      target: "6.3",
      nodes: [{ name: "sm", version: "6.0.7", ha: true }],
      virtualTime: true,
    }));
    const node = c.fleet.node("sm").node;
    const store = memoryCheckpointStore();
    // The run stops at the activation gate (H2); the operator activates in the web interface, as documented.
    const gate = await failure(executeClusterPlan(c.inputs({ checkpoint: store })));
    assert.equal(gate.kind, "manual-step-required");
    assert.equal(gate.step?.action, "activate-firmware");
    node.activateInWebInterface(gate.step.version!);
    const before = node.haState().primary.unit;
    // The resumed run waits for the sync; meanwhile another run (or a person) makes "Activate slave".
    const r = run(
      c,
      (e) => e.action === "wait-secondary-sync" && e.phase === "waiting",
      () => node.activateSecondary(),
      { checkpoint: store },
    );
    const err = await foreignStop(executeClusterPlan(r.inputs), "wait-secondary-sync");
    assert.ok(r.acted() !== undefined, "the run waited for the sync");
    assert.match(
      err.message,
      new RegExp(
        `the appliance ${escapeRe(address(c, "sm"))} changed in a way this run did not make: unit ${escapeRe(before)} was the primary of the HA pair when this run read it last and unit \\S+ is now; this run made no "Activate slave" since`,
      ),
    );
    assert.deepEqual(c.writes(r.acted()), [], "no shutdown, reboot or power-on after the role change");
  });
});
