// The fleet's progressive rollout: canary, declared stages (groups or cumulative percentages), the
// rest; lanes of at most maxInFlight clusters; stage timing and the engine-parallelism cost.
import { strict as assert } from "node:assert";
import {
  planRollout,
  stageLanes,
  stageSummary,
  stageTiming,
  type RolloutCluster,
  type RolloutPlan,
} from "../../../core/rollout-stages";

const fleet = (n: number, extra: Record<number, Partial<RolloutCluster>> = {}): RolloutCluster[] =>
  Array.from({ length: n }, (_, i) => ({ name: `c${i}`, ...extra[i] }));

function plan(clusters: RolloutCluster[], spec: Parameters<typeof planRollout>[1]): RolloutPlan {
  const r = planRollout(clusters, spec);
  if (!r.ok) throw new Error(r.problems.map((p) => `${p.property}: ${p.reason}`).join("\n"));
  return r.plan;
}

function problems(clusters: RolloutCluster[], spec: Parameters<typeof planRollout>[1]): string[] {
  const r = planRollout(clusters, spec);
  assert.equal(r.ok, false);
  return r.ok ? [] : r.problems.map((p) => `${p.property}: ${p.reason}`);
}

describe("rollout stages", function () {
  it("puts the canary clusters first, then the rest (no stages declared)", function () {
    const p = plan(fleet(4, { 2: { canary: true } }), {});
    assert.deepEqual(
      p.stages.map((s) => [s.name, s.clusters]),
      [
        ["canary", ["c2"]],
        ["rest", ["c0", "c1", "c3"]],
      ],
    );
    assert.deepEqual(
      plan(fleet(2), {}).stages.map((s) => s.name),
      ["all"],
    );
  });

  it("takes named groups, inventory stage tags and cumulative percentages in order, then the rest", function () {
    const clusters = fleet(11, { 0: { canary: true }, 7: { stage: "pilot" } });
    const p = plan(clusters, {
      stages: [
        { name: "pilot", clusters: ["c9"] },
        { name: "ten", percent: 30 },
        { name: "half", percent: 50 },
      ],
    });
    assert.deepEqual(
      p.stages.map((s) => [s.name, s.clusters]),
      [
        ["canary", ["c0"]],
        ["pilot", ["c9", "c7"]],
        // 30 % of the 10 non-canary clusters is 3: the pilot's two count, one more.
        ["ten", ["c1"]],
        ["half", ["c2", "c3"]],
        ["rest", ["c4", "c5", "c6", "c8", "c10"]],
      ],
    );
  });

  it("deals a stage into lanes of at most maxInFlight clusters", function () {
    assert.deepEqual(stageLanes(["a", "b", "c", "d", "e"], 2), [
      ["a", "c", "e"],
      ["b", "d"],
    ]);
    assert.deepEqual(stageLanes(["a", "b"]), [["a"], ["b"]]);
    const p = plan(fleet(5), { maxInFlight: 3 });
    assert.deepEqual(p.stages[0]?.lanes, [["c0", "c3"], ["c1", "c4"], ["c2"]]);
  });

  it("names the field and the fix for an unknown cluster, a cluster in two stages, a stage tag nobody declares", function () {
    const found = problems(fleet(3, { 1: { stage: "nope" }, 2: { canary: true } }), {
      stages: [
        { name: "a", clusters: ["c0", "zz"] },
        { name: "b", clusters: ["c0", "c2"] },
        { name: "a", percent: 10 },
      ],
      maxInFlight: 0,
    });
    assert.deepEqual(found, ["rollout.maxInFlight: must be at least 1"]);
    const found2 = problems(fleet(3, { 1: { stage: "nope" }, 2: { canary: true } }), {
      stages: [
        { name: "a", clusters: ["c0", "zz"] },
        { name: "b", clusters: ["c0", "c2"] },
        { name: "a", percent: 10 },
      ],
    });
    assert.deepEqual(found2, [
      'rollout.stages[2].name: "a" is used twice; stage names must be unique',
      'clusters[1].stage: names stage "nope", which rollout.stages does not declare; declare it or fix the name',
      'rollout.stages[0].clusters[1]: "zz" is not a cluster of the fleet; check the name',
      'rollout.stages[1].clusters[0]: "c0" is already in stage "a"; a cluster is in one stage',
      'rollout.stages[1].clusters[1]: "c2" is already in stage "canary"; a cluster is in one stage',
    ]);
  });

  it("refuses falling percentages and a stage with no way to get a cluster", function () {
    assert.deepEqual(
      problems(fleet(4), { stages: [{ name: "a", percent: 50 }, { name: "b", percent: 20 }, { name: "c" }] }),
      [
        "rollout.stages[1].percent: 20 is below the 50 of an earlier stage; percentages are cumulative (e.g. 10, 50, 100)",
        "rollout.stages[2]: has no cluster: list clusters, tag clusters with this stage, or give a percent",
      ],
    );
    assert.deepEqual(problems(fleet(1), { stages: [{ name: "a", percent: 0 }] }), [
      "rollout.stages[0].percent: must be above 0",
    ]);
  });

  it("times a stage as its longest lane, and says what an engine parallelism below the lanes costs", function () {
    const est = new Map(
      ["a", "b", "c", "d"].map((c, i) => [
        c,
        { lowSeconds: 100, seconds: 600 + i * 100, deadlineSeconds: 1200 },
      ]),
    );
    const stage = {
      name: "s",
      clusters: ["a", "b", "c", "d"],
      lanes: stageLanes(["a", "b", "c", "d"]),
      failureBudget: 0,
    };
    const t = stageTiming(stage, est, 8);
    assert.deepEqual(t.figures, { lowSeconds: 100, seconds: 900, deadlineSeconds: 1200 });
    assert.equal(t.slowest, "d");
    assert.equal(t.serialised, undefined, "8 slots hold all 4 clusters");
    const two = stageTiming(stage, est, 2);
    // a(600) and b(700) first; c starts at 600 (ends 1400), d at 700 (ends 1600).
    assert.deepEqual(two.serialised, {
      engineParallel: 2,
      figures: { lowSeconds: 200, seconds: 1600, deadlineSeconds: 2400 },
      extraSeconds: 700,
    });
    const lines = stageSummary("2/3", stage, two);
    assert.match(lines[0] ?? "", /^stage 2\/3 "s": 4 clusters, 4 at a time; about 15 min .*, slowest d$/);
    assert.equal(
      lines[1],
      "engine parallelism 2 runs only 2 of the stage's 4 clusters at once: about 26.7 min instead of 15 min (+11.7 min); run `pulumi up --parallel 4` or more",
    );
  });

  it("runs a lane's clusters one after another", function () {
    const est = new Map(
      ["a", "b", "c"].map((c) => [c, { lowSeconds: 10, seconds: 60, deadlineSeconds: 90 }]),
    );
    const stage = {
      name: "s",
      clusters: ["a", "b", "c"],
      lanes: stageLanes(["a", "b", "c"], 2),
      failureBudget: 0,
    };
    assert.deepEqual(stageTiming(stage, est).figures, { lowSeconds: 20, seconds: 120, deadlineSeconds: 180 });
    assert.equal(stageTiming(stage, est, 2).serialised, undefined);
  });

  it("gives every stage the failure budget but the canary (0), and shows it in each stage line", function () {
    const p = plan(fleet(7, { 0: { canary: true } }), {
      stages: [{ name: "first", clusters: ["c1", "c2", "c3"] }],
      failureBudget: 1,
    });
    assert.deepEqual(
      p.stages.map((s) => [s.name, s.failureBudget]),
      [
        ["canary", 0],
        ["first", 1],
        ["rest", 1],
      ],
    );
    assert.deepEqual(p.warnings, []);
    const first = p.stages[1];
    if (!first) throw new Error("no stage first");
    const est = new Map(
      first.clusters.map((c) => [c, { lowSeconds: 60, seconds: 600, deadlineSeconds: 900 }]),
    );
    const [line] = stageSummary("2/3", first, stageTiming(first, est), p.failureBudget);
    assert.match(
      line ?? "",
      /^stage 2\/3 "first": 3 clusters, 3 at a time; about 10 min .*; failure budget 1$/,
    );
    const [canaryLine] = stageSummary("1/3", p.stages[0] ?? first, stageTiming(first, est), p.failureBudget);
    assert.match(canaryLine ?? "", /; failure budget 0$/);
    // Budget 0 (the default): the line is as before, without a budget.
    assert.doesNotMatch(stageSummary("2/3", first, stageTiming(first, est))[0] ?? "", /failure budget/);
  });

  it("warns when the budget lets a whole stage fail while a later stage still starts, and refuses a bad budget", function () {
    const p = plan(fleet(5), { stages: [{ name: "pilot", clusters: ["c0", "c1"] }], failureBudget: 2 });
    assert.deepEqual(p.warnings, [
      'rollout.failureBudget 2 is at least the 2 clusters of stage "pilot": the next stage starts even when every one of them fails; lower the budget or make the stage larger',
    ]);
    // The last stage has no later stage: no warning for it.
    assert.deepEqual(plan(fleet(2), { failureBudget: 5 }).warnings, []);
    assert.deepEqual(problems(fleet(2), { failureBudget: -1 }), ["rollout.failureBudget: must be 0 or more"]);
    assert.deepEqual(problems(fleet(2), { failureBudget: 1.5 }), [
      "rollout.failureBudget: must be a whole number of clusters",
    ]);
  });
});
