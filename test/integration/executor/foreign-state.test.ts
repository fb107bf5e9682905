/**
 * Two runs of one appliance that do not share a checkpoint (two stacks, two runners): before each
 * write a run compares the node with its own checkpoint and stops, naming the appliance, on an upload
 * or a selected slot it did not make (provider/executor/foreign-state.ts) — while a resumed run of the
 * same checkpoint still recognises its own work and finishes.
 */
import assert from "node:assert/strict";
import {
  executeClusterPlan,
  memoryCheckpointStore,
  type ExecutionInputs,
  type ProgressEvent,
} from "../../../provider/executor";
import { EmulatedCluster } from "./emulated-cluster";
import { escapeRe, foreignStop, stopAt } from "./run-failure";

describe("executor: one run per appliance, read from the appliance (another run's upload, slot, call)", function () {
  this.timeout(120_000);
  let cluster: EmulatedCluster | undefined;
  afterEach(async () => {
    await cluster?.stop();
    cluster = undefined;
  });

  const start = async (emulator: Record<string, unknown> = {}): Promise<EmulatedCluster> => {
    cluster = await EmulatedCluster.start({
      target: "6.0",
      nodes: [{ name: "sps1", version: "6.0.5", emulator }],
      virtualTime: true,
    });
    return cluster;
  };
  const address = (c: EmulatedCluster): string => c.fleet.nodes[0].url;
  /** Inputs of a run with its own checkpoint; the binding carries the appliance's address. */
  const run = (c: EmulatedCluster, overrides: Partial<ExecutionInputs> = {}): ExecutionInputs => {
    const nodes = Object.fromEntries(
      Object.entries(c.bindings()).map(([n, b]) => [n, { ...b, address: address(c) }]),
    );
    return c.inputs({ nodes, ...overrides });
  };
  /** A run stopped (as by Ctrl-C) at the first progress event `when` matches. */
  const stoppedRun = (
    c: EmulatedCluster,
    store: ReturnType<typeof memoryCheckpointStore>,
    when: (e: ProgressEvent) => boolean,
  ): Promise<void> => stopAt((o) => run(c, { checkpoint: store, ...o }), when);
  const posts = (c: EmulatedCluster, path: string): number =>
    c.events().filter((e) => e.kind === "http" && e.name === `POST ${path}`).length;
  const target = (c: EmulatedCluster): string => c.plan.hops.at(-1)!.to;

  it("another run's upload: the second run stops before any write, naming the appliance and the slot; the first resumes and finishes", async () => {
    const c = await start();
    const first = memoryCheckpointStore();
    await stoppedRun(c, first, (e) => e.action === "upload-firmware" && e.phase === "done");
    assert.equal(posts(c, "/api/upload/firmware"), 1);

    const since = c.lastSeq();
    const err = await foreignStop(
      executeClusterPlan(run(c, { checkpoint: memoryCheckpointStore() })),
      "upload-firmware",
    );
    assert.match(
      err.message,
      new RegExp(
        `the appliance ${escapeRe(address(c))} is in a state this run did not make: firmware ${escapeRe(target(c))} in slot \\d+ was not uploaded by this run \\(its checkpoint records no upload of it\\)`,
      ),
    );
    assert.match(err.message, /let it finish/);
    assert.match(err.message, /delete that firmware slot/);
    assert.deepEqual(c.writes(since), [], "the second run wrote nothing");

    const resumed = await executeClusterPlan(run(c, { checkpoint: first }));
    assert.equal(resumed.complete, true);
    assert.equal(resumed.nodes["sps1"]?.runningVersion, target(c));
    assert.equal(posts(c, "/api/upload/firmware"), 1, "one upload");
    assert.equal(posts(c, "/api/firmware/test"), 1, "one test");
    assert.equal(posts(c, "/api/firmware/upgrade"), 1, "one upgrade call");
    // The second run again, once the first is done: the node is on target, nothing to do.
    const after = c.lastSeq();
    const again = await executeClusterPlan(run(c, { checkpoint: memoryCheckpointStore() }));
    assert.equal(again.complete, true);
    assert.deepEqual(c.writes(after), []);
  });

  it("a first run (no checkpoint) finding the target image already uploaded by hand stops; once the slot is deleted it uploads its own", async () => {
    const c = await start();
    const image = c.firmware[target(c)];
    assert.ok(image && "path" in image);
    const byHand = await c.clients["sps1"].uploadFirmware(image);
    const err = await foreignStop(executeClusterPlan(run(c, { checkpoint: memoryCheckpointStore() })));
    assert.match(err.message, new RegExp(`in slot ${byHand.slotId} was not uploaded by this run`));
    assert.match(err.message, new RegExp(`DELETE /api/firmware/slots/${byHand.slotId}\\b`));
    await c.clients["sps1"].deleteFirmwareSlot(byHand.slotId);
    const ok = await executeClusterPlan(run(c, { checkpoint: memoryCheckpointStore() }));
    assert.equal(ok.complete, true);
    assert.equal(ok.nodes["sps1"]?.runningVersion, target(c));
  });

  it("a finished image left in a slot (its run's checkpoint is gone) is adopted only with the operator's confirmation of that node, slot and version", async () => {
    const c = await start();
    const image = c.firmware[target(c)];
    assert.ok(image && "path" in image);
    const left = await c.clients["sps1"].uploadFirmware(image);
    const since = c.lastSeq();
    const err = await foreignStop(executeClusterPlan(run(c, { checkpoint: memoryCheckpointStore() })));
    const confirm = `adopt-slot sps1 ${left.slotId} ${target(c)}`;
    assert.match(err.message, new RegExp(`add "${escapeRe(confirm)}" to confirmed and run again`));
    assert.match(err.message, /nothing else is upgrading it/);
    assert.deepEqual(c.writes(since), [], "nothing written before the confirmation");
    // A confirmation of another slot adopts nothing.
    const declared = run(c).confirmed ?? [];
    const other = `adopt-slot sps1 ${left.slotId + 1} ${target(c)}`;
    await foreignStop(
      executeClusterPlan(run(c, { checkpoint: memoryCheckpointStore(), confirmed: [...declared, other] })),
    );
    assert.deepEqual(c.writes(since), []);
    const ok = await executeClusterPlan(
      run(c, { checkpoint: memoryCheckpointStore(), confirmed: [...declared, confirm] }),
    );
    assert.equal(ok.complete, true);
    assert.equal(ok.nodes["sps1"]?.runningVersion, target(c));
    assert.equal(posts(c, "/api/upload/firmware"), 1, "the adopted slot is not uploaded again");
    assert.equal(posts(c, "/api/firmware/test"), 1, "one test");
    assert.equal(posts(c, "/api/firmware/upgrade"), 1, "one upgrade call");
  });

  it("two uploads at the same moment: the run that sees the other's copy after its own stops before the test", async () => {
    const c = await start();
    const image = c.firmware[target(c)];
    assert.ok(image && "path" in image);
    const client = c.clients["sps1"];
    // The other run read the node at the same moment and uploads first, while this run sends its own.
    const racing = Object.create(client) as typeof client;
    racing.uploadFirmware = async (i) => {
      await client.uploadFirmware(image);
      return client.uploadFirmware(i);
    };
    const nodes = { sps1: { client: racing, address: address(c) } };
    const err = await foreignStop(
      executeClusterPlan(c.inputs({ nodes, checkpoint: memoryCheckpointStore() })),
      "upload-firmware",
    );
    assert.match(err.message, /was not uploaded by this run \(its own upload is slot \d+\)/);
    assert.match(err.message, /this run stops before the upgrade test/);
    assert.equal(posts(c, "/api/firmware/test"), 0);
    assert.equal(posts(c, "/api/firmware/upgrade"), 0);
  });

  it("another run's upgrade call (slot selected, node still up): the second run makes no test, call or reboot", async () => {
    const c = await start({ upgradeCall: "selects" });
    const first = memoryCheckpointStore();
    await stoppedRun(c, first, (e) => e.action === "activate-firmware" && e.phase === "done");
    assert.equal(posts(c, "/api/firmware/upgrade"), 1);
    // The other run: the upload and the selected slot are not its own.
    const second = memoryCheckpointStore();
    const since = c.lastSeq();
    const err = await foreignStop(executeClusterPlan(run(c, { checkpoint: second })));
    assert.match(err.message, /was not uploaded by this run|is selected for the next boot/);
    assert.deepEqual(c.writes(since), []);
    const resumed = await executeClusterPlan(run(c, { checkpoint: first }));
    assert.equal(resumed.complete, true);
    assert.equal(posts(c, "/api/firmware/upgrade"), 1);
    assert.equal(c.reboots("sps1").length, 1);
  });

  it("a slot selected for the next boot that this run did not select: its resumed run stops before any write", async () => {
    const c = await start();
    const first = memoryCheckpointStore();
    await stoppedRun(c, first, (e) => e.action === "upload-firmware" && e.phase === "done");
    // Someone activates this run's upload in the web interface (not an HA manual gate: a standalone node).
    const slot = c.fleet.node("sps1").node.activateInWebInterface(target(c));
    const since = c.lastSeq();
    const err = await foreignStop(executeClusterPlan(run(c, { checkpoint: first })));
    // The first step that reads the slots again stops (upload-firmware, before anything is written).
    assert.equal(err.step?.action, "upload-firmware");
    assert.match(
      err.message,
      new RegExp(
        `slot ${slot} \\(${escapeRe(target(c))}\\) is selected for the next boot, by an upgrade call or activation this run did not make\\. .*this run stops before the upload and writes nothing more to it`,
      ),
    );
    assert.deepEqual(c.writes(since), []);
  });
});
