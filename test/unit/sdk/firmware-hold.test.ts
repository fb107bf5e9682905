// Under a fleet's failure budget (provider/resources/firmware-provider.ts, `hold`): a cluster whose lane
// already has more failed clusters before it than its stage's budget does not start — nothing is
// contacted (the node's address does not even resolve), the outcome is "held", and diff retries it.
import { strict as assert } from "node:assert";
import { laneFailures } from "../../../sdk/fleet";
import { create, diff } from "../../../provider/resources/firmware-provider";

const inputs = (hold: { budget: number; failedBefore: string[] }) => ({
  cluster: "site-c",
  target: "6.3",
  nodes: [{ name: "sps-c", address: "https://sps-c.invalid", tls: { system: true } }],
  recordFailure: true,
  hold,
});

describe("firmware under a failure budget: held in its lane", function () {
  it("does not start when its lane's failures are over the stage's budget, and names them", async function () {
    const made = await create(inputs({ budget: 1, failedBefore: ["site-a", "site-b"] }));
    assert.equal(made.outs["outcome"], "held");
    const lastRun = made.outs["lastRun"] as { failed: { kind: string; message: string } };
    assert.equal(lastRun.failed.kind, "held");
    assert.match(
      lastRun.failed.message,
      /firmware\/site-c: not started: 2 cluster\(s\) before it in its lane failed \(site-a, site-b\), over the stage's failure budget of 1/,
    );
    assert.deepEqual(made.outs["nodeStates"], {});
  });

  it("starts within the budget, and without recordFailure the hold is not applied", async function () {
    // Starting means logging in to the node, for which this test has no credentials: the run stops
    // there (the credentials error), not at the hold.
    const started = (e: unknown): boolean =>
      e instanceof Error &&
      /no REST login for node "sps-c"/.test(e.message) &&
      !/not started/.test(e.message);
    await assert.rejects(create(inputs({ budget: 1, failedBefore: ["site-a"] })), started);
    await assert.rejects(
      create({ ...inputs({ budget: 0, failedBefore: ["site-a"] }), recordFailure: false }),
      started,
    );
  });

  it("a held or failed cluster is retried by the next up", async function () {
    const news = inputs({ budget: 1, failedBefore: [] });
    for (const outcome of ["held", "failed"]) {
      const r = await diff("sps-firmware:site-c", { ...news, outcome }, news);
      assert.equal(r.changes, true, outcome);
    }
  });
});

describe("SpsFleet's lane failures (what `hold` gets)", function () {
  const value = <T>(o: { apply: (f: (v: T) => void) => unknown }): Promise<T> =>
    new Promise((resolve) => void o.apply(resolve));

  it("adds a cluster that did not succeed to the lane's failures before it, and keeps them", async function () {
    assert.deepEqual(await value(laneFailures([], "site-a", { outcome: "succeeded" })), []);
    const one = laneFailures([], "site-a", { outcome: "failed" });
    assert.deepEqual(await value(one), ["site-a"]);
    assert.deepEqual(await value(laneFailures(one, "site-b", { outcome: "held" })), ["site-a", "site-b"]);
    assert.deepEqual(await value(laneFailures(one, "site-b", { outcome: "succeeded" })), ["site-a"]);
  });
});
