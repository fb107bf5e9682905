// The rollout stage gate's verification (sdk/runtime/rollout-stage-provider.ts): every node of every
// cluster of the stage on target, every stack waited for verified — anything else fails the gate.
import { strict as assert } from "node:assert";
import { check, create, unverified } from "../../../sdk/runtime/rollout-stage-provider";

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
});
