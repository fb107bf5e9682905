/**
 * Prerequisites declared as not done (rules P5, P15): a virtual appliance without a VM snapshot or
 * console redirection stops at its preflight — nothing written — until the operator confirms each; a
 * confirmation passes its gate once, and a declared one before the run reaches it.
 */
import assert from "node:assert/strict";
import { ExecutionError, executeClusterPlan } from "../../../provider/executor";
import { EmulatedCluster } from "./emulated-cluster";

describe("executor: confirmed prerequisites of a virtual appliance (rules P5, P15)", function () {
  this.timeout(60_000);
  let cluster: EmulatedCluster | undefined;
  afterEach(async () => {
    await cluster?.stop();
    cluster = undefined;
  });

  it("snapshot and console redirection declared false: the run stops at preflight with nothing written until both are confirmed", async () => {
    cluster = await EmulatedCluster.start({
      target: "6.3",
      nodes: [
        {
          name: "vm1",
          version: "6.0.7",
          declared: { virtual: true, settings: { vmSnapshot: false, consoleRedirection: false } },
        },
      ],
    });
    const cl = cluster;
    assert.deepEqual(
      cl.plan.findings.filter((f) => f.confirm !== undefined).map((f) => `${f.rule} ${f.confirm}`),
      ["P5 vm-snapshot vm1", "P15 console-redirection vm1"],
    );
    await assert.rejects(executeClusterPlan(cl.inputs()), (e: unknown) => {
      assert.ok(e instanceof ExecutionError);
      assert.equal(e.kind, "manual-step-required");
      assert.equal(e.step?.action, "preflight");
      assert.equal(e.rule, "P5");
      assert.match(e.message, /add "vm-snapshot vm1" to confirmed and run again/);
      assert.match(e.message, /add "console-redirection vm1" to confirmed and run again/);
      return true;
    });
    // One confirmed, the other still stops the run.
    await assert.rejects(executeClusterPlan(cl.inputs({ confirmed: ["vm-snapshot vm1"] })), (e: unknown) => {
      assert.ok(e instanceof ExecutionError && e.rule === "P15");
      assert.doesNotMatch(e.message, /vm-snapshot/);
      return true;
    });
    assert.deepEqual(cl.writes(), [], "nothing written before the prerequisites are confirmed");
    const result = await executeClusterPlan(
      cl.inputs({ confirmed: ["vm-snapshot vm1", "console-redirection vm1"] }),
    );
    assert.equal(result.complete, true);
  });
});
