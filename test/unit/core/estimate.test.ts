/**
 * Duration estimate (core/estimate.ts) and the maintenance window (rule P13): per step
 * from the documented durations (S10, P14, H2), per wave the slowest node, per cluster the sum of
 * its waves, per fleet the stages; what runs in service (S10 metadb import) is reported, not added.
 */
import { strict as assert } from "node:assert";
import fc from "fast-check";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { DEFAULT_DEADLINES } from "../../../core/deadlines";
import { canaryStages, estimateStages, estimateText, secondsText } from "../../../core/estimate";
import { planCluster, planFleet } from "../../../core/fleet-plan";
import { fleetSchema } from "../../../core/fleet";
import { parseDurationText } from "../../../core/maintenance-window";
import { APPLIANCE_ACTIONS, ClusterPlan, INDEXER_ACTIONS, PlanStep } from "../../../core/plan";
import { stepFigures, DEFAULT_ESTIMATE_DEADLINES } from "../../../core/step-durations";
import { fieldProblems } from "../../../core/validation";
import { AS_OF, CLEAN_SETTINGS, exampleCatalog, fleet } from "../../support/domain-fixtures";

const MIN = 60;

function cluster(nodes: unknown[], extra: Record<string, unknown> = {}, options = {}): ClusterPlan {
  const f = fleet({ clusters: [{ name: "c", target: "6.3.2", nodes, ...extra }] });
  return planCluster(f.clusters[0], exampleCatalog(), { asOf: AS_OF, ...options });
}

function stepOf(p: ClusterPlan, node: string, action: string, hop?: number): PlanStep {
  const s = p.steps.find(
    (x) => x.node === node && x.action === action && (hop === undefined || x.hop === hop),
  );
  assert.ok(s, `${node} ${action} hop ${hop}`);
  return s;
}

describe("duration estimate (estimate.ts) and maintenance window (P13)", () => {
  it("S10: a reboot counts the documented first boot, 10–20 min; its deadline is S12's 30 min", () => {
    const p = cluster([{ name: "a", version: "6.3.0", settings: CLEAN_SETTINGS }]);
    const reboot = stepOf(p, "a", "reboot");
    assert.equal(reboot.estimate?.lowSeconds, 10 * MIN);
    assert.equal(reboot.estimate?.seconds, 20 * MIN);
    assert.equal(reboot.estimate?.deadlineSeconds, DEFAULT_DEADLINES.webInterfaceBackMs / 1000);
    assert.match(reboot.estimate?.basis ?? "", /\[doc\] S10/);
  });

  it("P14: the first boot into 6.3 from below adds the storage reorganisation (30 min or more); a node already on 6.3 does not", () => {
    const p = cluster([
      { name: "old", version: "6.0.7", settings: CLEAN_SETTINGS },
      { name: "new", version: "6.3.0", settings: CLEAN_SETTINGS },
    ]);
    const crossing = stepOf(p, "old", "reboot", 1).estimate!;
    const within = stepOf(p, "new", "reboot", 1).estimate!;
    assert.equal(crossing.seconds - within.seconds, 30 * MIN);
    assert.equal(crossing.lowSeconds - within.lowSeconds, 30 * MIN);
    assert.equal(
      crossing.deadlineSeconds,
      (DEFAULT_DEADLINES.webInterfaceBackMs + DEFAULT_DEADLINES.storageReorganisationMs) / 1000,
    );
    assert.match(crossing.basis, /P14/);
  });

  it("H2: the HA secondary's sync counts ~60 s with the secondarySyncMs deadline; the rejoin after a P14 boot gets the reorganisation too", () => {
    const p = cluster([{ name: "ha", version: "6.0.7", ha: true, settings: CLEAN_SETTINGS }]);
    const sync = stepOf(p, "ha", "wait-secondary-sync").estimate!;
    assert.equal(sync.seconds, 60);
    assert.equal(sync.deadlineSeconds, DEFAULT_DEADLINES.secondarySyncMs / 1000);
    const rejoin = stepOf(p, "ha", "wait-secondary-rejoin").estimate!;
    assert.equal(
      rejoin.deadlineSeconds,
      (DEFAULT_DEADLINES.secondaryRejoinMs + DEFAULT_DEADLINES.storageReorganisationMs) / 1000,
    );
    assert.equal(
      rejoin.seconds,
      stepFigures("wait-secondary-rejoin", false, DEFAULT_ESTIMATE_DEADLINES).seconds + 30 * MIN,
    );
  });

  it("a node in a wave takes the sum of its steps, a wave its slowest node, the cluster the sum of its waves", () => {
    const p = cluster([
      { name: "ha", version: "6.3.0", ha: true, roles: ["search-minion"], settings: CLEAN_SETTINGS },
      { name: "solo", version: "6.3.0", roles: ["search-minion"], settings: CLEAN_SETTINGS },
      { name: "mh", version: "6.3.0", roles: ["managed-host"], settings: CLEAN_SETTINGS },
    ]);
    const e = p.estimate!;
    const sum = (steps: PlanStep[], k: "seconds" | "lowSeconds" | "deadlineSeconds") =>
      steps.reduce((t, s) => t + (s.estimate?.[k] ?? 0), 0);
    for (const w of e.waves) {
      const inWave = p.steps.filter((s) => s.wave === w.wave);
      for (const n of w.nodes)
        assert.equal(
          n.seconds,
          sum(
            inWave.filter((s) => s.node === n.node),
            "seconds",
          ),
        );
      assert.equal(w.seconds, Math.max(...w.nodes.map((n) => n.seconds)));
      assert.equal(w.lowSeconds, Math.max(...w.nodes.map((n) => n.lowSeconds)));
    }
    // The minions' wave waits for the HA pair, not the standalone node.
    const minions = e.waves.find((w) => w.hop === 1 && w.nodes.some((n) => n.node === "solo"))!;
    assert.equal(minions.slowest, "ha");
    assert.ok(
      minions.nodes.find((n) => n.node === "ha")!.seconds >
        minions.nodes.find((n) => n.node === "solo")!.seconds,
    );
    assert.equal(
      e.seconds,
      e.waves.reduce((t, w) => t + w.seconds, 0),
    );
    assert.equal(
      e.deadlineSeconds,
      e.waves.reduce((t, w) => t + w.deadlineSeconds, 0),
    );
    assert.ok(e.seconds < sum(p.steps, "seconds"), "parallel nodes do not add up");
    assert.equal(e.text, estimateText(e));
  });

  it("S10: the metadb import after each reboot runs in service: reported, never added to the window", () => {
    const p = cluster([{ name: "a", version: "6.0.7", settings: CLEAN_SETTINGS }]);
    const e = p.estimate!;
    const imports = e.inService.filter((w) => /metadb import/.test(w.what));
    assert.deepEqual(
      imports.map((w) => [w.node, w.hop, w.lowSeconds, w.seconds, w.rule]),
      [["a", 1, 30 * MIN, 40 * MIN, "S10"]],
    );
    assert.ok(e.inService.some((w) => /background/.test(w.what) && w.seconds === undefined));
    const stepsTotal = p.steps.reduce((t, s) => t + (s.estimate?.seconds ?? 0), 0);
    assert.equal(
      e.seconds,
      stepsTotal,
      "one node: the cluster is exactly its steps, nothing in service added",
    );
  });

  it("configured deadlines move the deadline figure, never the documented estimate", () => {
    const nodes = [{ name: "a", version: "6.0.7", settings: CLEAN_SETTINGS }];
    const base = cluster(nodes).estimate!;
    const longer = cluster(nodes, {}, { deadlines: { webInterfaceBackMs: 60 * 60_000 } }).estimate!;
    assert.equal(longer.seconds, base.seconds);
    assert.equal(longer.deadlineSeconds - base.deadlineSeconds, 30 * MIN);
  });

  it("P13: a declared window the estimate does not fit is a blocking finding with the numbers", () => {
    const nodes = [{ name: "a", version: "6.0.7", ha: true, settings: CLEAN_SETTINGS }];
    const p = cluster(nodes, { maintenanceWindow: "1h" });
    assert.ok(p.estimate!.seconds > 3600);
    assert.deepEqual(p.maintenanceWindow, { seconds: 3600, text: "1 h" });
    const f = p.findings.find((x) => x.rule === "P13" && x.severity === "error");
    assert.ok(f, JSON.stringify(p.findings));
    assert.match(f.message, new RegExp(`estimated ${estimateText(p.estimate!).split(" ")[1]} h`));
    assert.match(f.message, /does not fit the maintenance window of 1 h/);
    assert.match(f.message, /over by/);
    assert.match(f.message, /widen maintenanceWindow/);
  });

  it("P13: a window that holds the estimate passes; one that the deadlines overrun is a warning", () => {
    const nodes = [{ name: "a", version: "6.3.0", settings: CLEAN_SETTINGS }];
    const e = cluster(nodes).estimate!;
    const roomy = cluster(nodes, { maintenanceWindow: { seconds: e.deadlineSeconds } });
    assert.ok(!roomy.findings.some((f) => f.rule === "P13" && /maintenance window of/.test(f.message)));
    const tight = cluster(nodes, { maintenanceWindow: { seconds: e.seconds } });
    const w = tight.findings.filter((f) => f.rule === "P13" && /maintenance window of/.test(f.message));
    assert.deepEqual(
      w.map((f) => f.severity),
      ["warning"],
    );
    assert.match(w[0].message, /if every wait runs to its deadline the run takes up to \d/);
  });

  it("P13: maintenanceWindow accepts 4h, 90m, 2h30m, PT4H and { seconds }; anything else names the field", () => {
    assert.equal(parseDurationText("4h"), 4 * 3600);
    assert.equal(parseDurationText("90m"), 90 * 60);
    assert.equal(parseDurationText("90 min"), 90 * 60);
    assert.equal(parseDurationText("2h30m"), 2.5 * 3600);
    assert.equal(parseDurationText("PT1H30M"), 5400);
    assert.equal(parseDurationText("4 hours"), undefined);
    assert.equal(parseDurationText(""), undefined);
    const r = fleetSchema.safeParse({
      clusters: [
        { name: "c", target: "6.3", nodes: [{ name: "n", version: "6.0.1" }], maintenanceWindow: "soon" },
      ],
    });
    assert.ok(!r.success);
    assert.deepEqual(
      fieldProblems(r.error).map((p) => p.property),
      ["clusters[0].maintenanceWindow"],
    );
    assert.match(fieldProblems(r.error)[0].reason, /"soon" is not a duration; write it like "4h"/);
  });

  it("fleet: canary clusters first, then the rest; each stage takes its slowest cluster", () => {
    const f = fleet({
      clusters: [
        { name: "canary", target: "6.3.2", canary: true, nodes: [{ name: "a", version: "6.3.0" }] },
        { name: "big", target: "6.3.2", nodes: [{ name: "b", version: "6.0.7", ha: true }] },
        { name: "small", target: "6.3.2", nodes: [{ name: "c", version: "6.3.0" }] },
      ],
    });
    const doc = planFleet(f, exampleCatalog(), { asOf: AS_OF });
    const e = doc.estimate!;
    const [canary, big, small] = doc.clusters.map((c) => c.estimate!);
    assert.deepEqual(
      e.stages.map((s) => [s.name, s.clusters, s.slowest]),
      [
        ["canary", ["canary"], "canary"],
        ["rest", ["big", "small"], "big"],
      ],
    );
    assert.equal(e.seconds, canary.seconds + Math.max(big.seconds, small.seconds));
    assert.equal(e.lowSeconds, canary.lowSeconds + Math.max(big.lowSeconds, small.lowSeconds));
    assert.deepEqual(
      canaryStages([{ name: "x" }]).map((s) => s.name),
      ["all"],
    );
    assert.equal(estimateStages([]).text, "nothing to do");
  });

  it("a converged cluster estimates nothing to do", () => {
    const p = cluster([{ name: "a", version: "6.3.2" }], { maintenanceWindow: "30m" });
    assert.equal(p.estimate?.seconds, 0);
    assert.equal(p.estimate?.text, "nothing to do");
    assert.ok(!p.findings.some((f) => f.severity === "error"));
  });

  it("property: over random clusters, low ≤ estimate, and the cluster is the sum of its waves' slowest nodes", () => {
    const nodeArb = fc.record({
      version: fc.constantFrom("5.0.9", "6.0.5", "6.0.7", "6.2.0", "6.3.0"),
      ha: fc.boolean(),
      roles: fc.constantFrom([], ["search-minion"], ["managed-host"]),
    });
    fc.assert(
      fc.property(
        fc.array(nodeArb, { minLength: 1, maxLength: 5 }),
        fc.integer({ min: 1, max: 3 }),
        (ns, mp) => {
          const nodes = ns.map((n, i) => ({ name: `n${i}`, ...n }));
          const p = cluster(nodes, {}, { maxParallel: mp });
          const e = p.estimate!;
          assert.ok(e.lowSeconds <= e.seconds);
          let total = 0;
          for (const w of e.waves) {
            const perNode = new Map<string, number>();
            for (const s of p.steps.filter((x) => x.wave === w.wave))
              perNode.set(s.node, (perNode.get(s.node) ?? 0) + s.estimate!.seconds);
            total += Math.max(...perNode.values());
          }
          assert.equal(e.seconds, total);
        },
      ),
      { numRuns: 150 },
    );
  });

  it("docs/estimate.md lists every action with the figures the code uses", () => {
    const doc = readFileSync(join(__dirname, "..", "..", "..", "docs", "estimate.md"), "utf8");
    const rows = new Map(
      doc
        .split("\n")
        .filter((l) => l.startsWith("| `"))
        .map((l) => l.split("|").map((c) => c.trim()))
        .map((c) => [c[1]?.replace(/`/g, ""), c.slice(2, 5)]),
    );
    for (const a of [...APPLIANCE_ACTIONS, ...INDEXER_ACTIONS]) {
      const f = stepFigures(a, false, DEFAULT_ESTIMATE_DEADLINES);
      assert.deepEqual(
        rows.get(a),
        [secondsText(f.lowSeconds), secondsText(f.seconds), secondsText(f.deadlineSeconds)],
        a,
      );
    }
  });
});
