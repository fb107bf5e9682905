// The rollout stage gate's verification (provider/resources/rollout-stage-provider.ts): every node of every
// cluster of the stage on target, every stack waited for verified — anything else fails the gate.
import { strict as assert } from "node:assert";
import { budgetProblems } from "../../../sdk/fleet";
import { check, create, diff, unverified } from "../../../provider/resources/rollout-stage-provider";

const base = {
  fleet: "fleet",
  stage: "first",
  position: "2/3",
  clusters: ["site-a", "site-b"],
  inFlight: 2,
  summary: ['stage 2/3 "first": 2 clusters'],
};

describe("rollout stage gate", function () {
  it("passes when every node of every cluster runs its target", async function () {
    const nodeStates = {
      "site-a": { "sps-a": { version: "6.3.0", state: "on-target" } },
      "site-b": { "sps-b": { version: "6.3.0", state: "on-target", afterReboot: null } },
    };
    assert.deepEqual(unverified({ ...base, nodeStates }), []);
    const made = await create({ ...base, nodeStates });
    assert.equal(made.id, "fleet/first");
    assert.equal(made.outs["verified"], true);
    assert.equal("failed" in made.outs, false, "budget 0: the outputs as before budgets existed");
  });

  it("fails naming each cluster and node that is not on target, so no later stage starts", async function () {
    const nodeStates = {
      "site-a": { "sps-a": { version: "6.1.0", state: "behind" } },
      "site-b": {},
    };
    assert.deepEqual(unverified({ ...base, nodeStates }), [
      "site-a/sps-a is behind (runs 6.1.0)",
      "site-b: no node state recorded",
    ]);
    await assert.rejects(
      create({ ...base, nodeStates }),
      /rollout fleet: stage 2\/3 "first" is not verified, so no later stage starts: site-a\/sps-a is behind \(runs 6\.1\.0\); site-b: no node state recorded\. Fix these clusters/,
    );
  });

  it("waits for other stacks' gates: every one must read verified", function () {
    assert.deepEqual(
      unverified({
        ...base,
        stage: "waits",
        waitsFor: ["site-a canary: verified", "site-b canary: not verified yet"],
      }),
      ["site-b canary: not verified yet (run that stack's `pulumi up` first)"],
    );
  });

  it("checks its inputs, and leaves values preview does not know yet alone", async function () {
    const bad = await check({}, { ...base, inFlight: 0 });
    assert.deepEqual(
      bad.failures?.map((f) => f.property),
      ["inFlight"],
    );
    const unknown = await check({}, { ...base, nodeStates: "04da6b54-80e4-46f7-96ec-b56ff0331ba9" });
    assert.equal(unknown.failures, undefined);
  });

  describe("with a failure budget above 0", function () {
    const onTarget = { version: "6.3.0", state: "on-target" };
    const behind = { version: "6.1.0", state: "behind" };
    const three = { ...base, clusters: ["site-a", "site-b", "site-c"], inFlight: 3, failureBudget: 1 };
    const states = (failed: string[]) =>
      Object.fromEntries(
        three.clusters.map((c) => [c, { [`sps-${c}`]: failed.includes(c) ? behind : onTarget }]),
      );
    const outcomes = (failed: string[]) =>
      Object.fromEntries(
        three.clusters.map((c) => [
          c,
          failed.includes(c)
            ? { outcome: "failed", message: `firmware/${c}: test-failed` }
            : { outcome: "succeeded" },
        ]),
      );

    it("lets a stage with at most the budget's failed clusters pass, unverified, naming them", async function () {
      const made = await create({ ...three, nodeStates: states(["site-b"]), outcomes: outcomes(["site-b"]) });
      assert.equal(made.outs["verified"], false);
      assert.deepEqual(made.outs["failed"], ["site-b"]);
      const clean = await create({ ...three, nodeStates: states([]), outcomes: outcomes([]) });
      assert.equal(clean.outs["verified"], true);
      assert.deepEqual(clean.outs["failed"], []);
    });

    it("fails the gate with one failure more than the budget, so no later stage starts", async function () {
      await assert.rejects(
        create({
          ...three,
          nodeStates: states(["site-a", "site-b"]),
          outcomes: outcomes(["site-a", "site-b"]),
        }),
        /stage 2\/3 "first" is not verified \(2 failed clusters, failure budget 1\), so no later stage starts: site-a failed: firmware\/site-a: test-failed; site-a\/sps-site-a is behind/,
      );
    });

    it("the final gate fails the up on any failed cluster of the fleet", async function () {
      await assert.rejects(
        create({
          ...three,
          stage: "result",
          position: "result",
          failureBudget: 0,
          final: true,
          nodeStates: states(["site-c"]),
          outcomes: outcomes(["site-c"]),
        }),
        /rollout fleet: 1 cluster of the fleet failed \(site-c\), so this `up` fails although later stages ran within the failure budget/,
      );
    });

    it("decides again on every up while a cluster has failed, even with unchanged inputs", async function () {
      const failedInputs = { ...three, nodeStates: states(["site-b"]), outcomes: outcomes(["site-b"]) };
      assert.equal((await diff("fleet/first", failedInputs, failedInputs)).changes, true);
      const passed = { ...three, nodeStates: states([]), outcomes: outcomes([]) };
      assert.equal((await diff("fleet/first", { ...passed, failed: [] }, passed)).changes, false);
      assert.equal((await diff("fleet/first", { ...passed, failed: ["site-b"] }, passed)).changes, true);
    });
  });

  it("SpsFleet refuses license, plugins and indexers under a budget above 0, naming the cluster and the fix", function () {
    const c = { cluster: "site-a", target: "6.3", nodes: [], firmware: {} };
    const withLicense = { ...c, license: { name: "lic", major: 6 } };
    assert.deepEqual(budgetProblems([c, withLicense], 0), []);
    assert.deepEqual(budgetProblems([c], 1), []);
    assert.deepEqual(budgetProblems([c, withLicense], 1), [
      "clusters[1] (site-a): declares license, which rollout.failureBudget 1 does not cover (they would run after a failed firmware upgrade); declare them in an SpsCluster outside the fleet, or set rollout.failureBudget to 0",
    ]);
  });
});
