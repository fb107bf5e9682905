// The plan is shown in a preview and never recorded (sdk/wiring.ts PREVIEW_KEY), and live reads are
// shared across the resources of one operation but never across a run that changes the node
// (provider/resources/live-reads.ts).
import { strict as assert } from "node:assert";
import { forgetNodes, sharedRead } from "../../../provider/resources/live-reads";
import { checkedInputs, PREVIEW_KEY, previewedPlan } from "../../../sdk/wiring";

describe("the plan in checked inputs", function () {
  const news = { cluster: "branch", target: "6.3" };
  const plan = { plannedActions: ["hop 1: 6.0.12 -> 6.3.0"], planFindings: [] };

  it("goes into a preview's checked inputs, where diff takes it as this preview's plan", function () {
    const checked = checkedInputs({ ...news, [PREVIEW_KEY]: true }, plan);
    assert.deepEqual(checked["plannedActions"], plan.plannedActions);
    assert.deepEqual(previewedPlan(checked), plan.plannedActions);
  });

  it("stays out of a real run's checked inputs (what the engine records)", function () {
    const real = { ...news, [PREVIEW_KEY]: false };
    assert.deepEqual(checkedInputs(real, plan), real);
    assert.equal(previewedPlan(checkedInputs(real, plan)), undefined);
  });

  it("is never taken from recorded inputs of earlier versions (a stale plan, no preview key)", function () {
    const recorded = { ...news, plannedActions: ["hop 1: 6.0.12 -> 6.3.0"] };
    assert.equal(previewedPlan(recorded), undefined);
    assert.equal(previewedPlan({ ...recorded, [PREVIEW_KEY]: false }), undefined);
  });
});

describe("shared live reads", function () {
  it("reads once per node and kind within an operation", async function () {
    let reads = 0;
    const read = async (): Promise<string> => {
      reads += 1;
      return "6.3.0";
    };
    const answers = await Promise.all([1, 2, 3].map(() => sharedRead("rest:a@x#1", "firmware", read)));
    assert.deepEqual(answers, ["6.3.0", "6.3.0", "6.3.0"]);
    assert.equal(reads, 1);
    await sharedRead("rest:a@x#1", "license", read);
    await sharedRead("rest:b@y#1", "firmware", read);
    assert.equal(reads, 3, "another kind of read, another node: read again");
  });

  it("forgets a node's answers when a run changes it", async function () {
    let version = "6.0.12";
    const read = async (): Promise<string> => version;
    assert.equal(await sharedRead("rest:c@z#1", "firmware", read), "6.0.12");
    version = "6.3.0";
    assert.equal(await sharedRead("rest:c@z#1", "firmware", read), "6.0.12", "shared until forgotten");
    forgetNodes(["rest:c@z#1"]);
    assert.equal(await sharedRead("rest:c@z#1", "firmware", read), "6.3.0");
  });

  it("keeps no failed read: the next caller asks again", async function () {
    let calls = 0;
    const flaky = async (): Promise<string> => {
      calls += 1;
      if (calls === 1) throw new Error("ECONNRESET");
      return "ok";
    };
    await assert.rejects(sharedRead("rest:d@w#1", "plugins", flaky), /ECONNRESET/);
    assert.equal(await sharedRead("rest:d@w#1", "plugins", flaky), "ok");
    assert.equal(calls, 2);
  });
});
