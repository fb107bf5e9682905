/**
 * Rule P2 ("no issues are displayed on the System Monitor"): doctor and the executor's preflight give
 * the same verdict on the same node, from the one function (core/rules.ts, RULES.P2.live).
 * A degraded RAID or a tainted file used to pass the run's preflight while doctor reported it.
 */
import assert from "node:assert/strict";
import { probeNode } from "../../../cli/node-probe";
import { readiness } from "../../../core/readiness";
import { ExecutionError } from "../../../provider/executor";
import { EmulatedCluster } from "./emulated-cluster";

describe("P2: one health verdict for doctor and the executor's preflight", function () {
  this.timeout(60_000);
  let cluster: EmulatedCluster | undefined;
  afterEach(async () => {
    await cluster?.stop();
    cluster = undefined;
  });

  const cases: { what: string; spoil: (n: { raidStatus: string; taintedCoreFiles: number }) => void }[] = [
    { what: "a degraded RAID", spoil: (n) => (n.raidStatus = "Degraded") },
    { what: "tainted files", spoil: (n) => (n.taintedCoreFiles = 2) },
  ];
  for (const c of cases) {
    it(`${c.what}: doctor says not ready and the run stops at preflight with nothing changed`, async () => {
      cluster = await EmulatedCluster.start({ target: "6.0", nodes: [{ name: "sps1", version: "5.0.9" }] });
      c.spoil(cluster.fleet.node("sps1").node);
      const probe = await probeNode(cluster.clients["sps1"]);
      const doctor = readiness({ ha: false }, probe.access, probe.facts);
      assert.equal(doctor.ready, false);
      const doctorP2 = doctor.blockers.find((b) => b.startsWith("P2"));
      assert.ok(doctorP2, doctor.blockers.join(", "));
      let err: unknown;
      try {
        await cluster.runToEnd(() => cluster!.inputs());
      } catch (e) {
        err = e;
      }
      assert.ok(err instanceof ExecutionError, `expected the run to stop, got ${String(err)}`);
      assert.equal(err.kind, "preflight-blocked");
      assert.equal(err.rule, "P2");
      // The same problems, in the same words.
      for (const p of probe.facts.healthProblems ?? []) assert.ok(err.message.includes(p), p);
      assert.deepEqual(cluster.writes(), []);
    });
  }

  it("a clean node passes both", async () => {
    cluster = await EmulatedCluster.start({ target: "6.0", nodes: [{ name: "sps1", version: "5.0.9" }] });
    const probe = await probeNode(cluster.clients["sps1"]);
    assert.equal(probe.facts.healthOk, true);
    const result = await cluster.runToEnd(() => cluster!.inputs());
    assert.equal(result.complete, true);
  });
});
