/**
 * Property-based tests over random fleets and catalogs: the invariants every plan must keep,
 * whatever the input (rules V3, V5, V6, C1, C3, H2, I1, and the plan contract's ordering).
 */
import { strict as assert } from "node:assert";
import fc from "fast-check";
import { Catalog } from "../../../core/catalog";
import { clusterOrderGroup, planCluster } from "../../../core/fleet-plan";
import { APPLIANCE_ACTIONS, ClusterPlan, INDEXER_ACTIONS } from "../../../core/plan";
import { fleetSchema, FleetCluster } from "../../../core/fleet";
import { isSupportedHop } from "../../../core/upgrade-path";
import { compareRevisions, parseRevision, releaseOf, sameRelease } from "../../../core/version";

const ROLE_SETS = [[], ["search-minion"], ["managed-host"], ["search-local"]] as const;

const catalogArb = fc
  .array(fc.integer({ min: 0, max: 5 }), { minLength: 3, maxLength: 3 })
  .chain((frCounts) => {
    const releases: { version: string; revisions: string[] }[] = [];
    frCounts.forEach((frs, i) => {
      const major = 4 + i;
      for (let minor = 0; minor <= frs; minor++)
        releases.push({ version: `${major}.${minor}`, revisions: [] });
    });
    return fc.tuple(...releases.map(() => fc.integer({ min: 1, max: 4 }))).map((counts) => {
      releases.forEach((r, i) => {
        r.revisions = Array.from({ length: counts[i] }, (_, p) => `${r.version}.${p}`);
      });
      return { schemaVersion: 1 as const, releases };
    });
  });

const scenarioArb = catalogArb.chain((cat) => {
  const revisions = cat.releases.flatMap((r) => r.revisions);
  const releases = cat.releases.map((r) => r.version);
  const nodeArb = fc.record({
    version: fc.constantFrom(...revisions),
    ha: fc.boolean(),
    roles: fc.constantFrom(...ROLE_SETS),
  });
  return fc.record({
    catalog: fc.constant(cat),
    target: fc.constantFrom(...releases, ...revisions),
    nodes: fc.array(nodeArb, { minLength: 1, maxLength: 6 }),
    hasSearchMaster: fc.boolean(),
    sameVersion: fc.boolean(),
    indexers: fc.array(
      fc.record({
        os: fc.constantFrom("rhel6", "rhel7", "rhel8", "rhel9"),
        version: fc.constantFrom(...revisions),
      }),
      { maxLength: 3 },
    ),
    maxParallel: fc.option(fc.integer({ min: 1, max: 4 }), { nil: undefined }),
  });
});

function build(s: Scenario): { cluster: FleetCluster; catalog: Catalog; plan: ClusterPlan } {
  const catalog = Catalog.parse(s.catalog);
  const nodes = s.nodes.map((n, i) => ({
    name: `n${i}`,
    version: s.sameVersion ? s.nodes[0].version : n.version,
    ha: n.ha,
    roles: i === 0 && s.hasSearchMaster ? ["central-management", "search-master"] : [...n.roles],
  }));
  const indexers = s.indexers.map((x, i) => ({ name: `idx${i}`, ...x }));
  const cluster = fleetSchema.parse({ clusters: [{ name: "c", target: s.target, nodes, indexers }] })
    .clusters[0];
  const plan = planCluster(cluster, catalog, {
    asOf: "2030-01-01",
    ...(s.maxParallel ? { maxParallel: s.maxParallel } : {}),
  });
  return { cluster, catalog, plan };
}

type Scenario = typeof scenarioArb extends fc.Arbitrary<infer T> ? T : never;

const RUNS = { numRuns: 300 };

describe("plan invariants over random fleets and catalogs (property-based)", () => {
  it("V3: no step ever moves a node to a lower version; hops strictly increase", () => {
    fc.assert(
      fc.property(scenarioArb, (s) => {
        const { cluster, plan } = build(s);
        for (const h of plan.hops)
          assert.ok(compareRevisions(parseRevision(h.from), parseRevision(h.to)) < 0);
        for (const step of plan.steps) {
          const node = cluster.nodes.find((n) => n.name === step.node);
          if (node && step.hop !== null)
            assert.ok(compareRevisions(parseRevision(step.version!), parseRevision(node.version)) > 0);
        }
      }),
      RUNS,
    );
  });

  it("V5/V6: every node's hops are supported: revision hops within a release, release hops per V5", () => {
    fc.assert(
      fc.property(scenarioArb, (s) => {
        const { cluster, catalog, plan } = build(s);
        for (const node of cluster.nodes) {
          let at = parseRevision(node.version);
          const targets = [
            ...new Set(
              plan.steps.filter((x) => x.node === node.name && x.hop !== null).map((x) => x.version!),
            ),
          ];
          for (const t of targets) {
            const to = parseRevision(t);
            if (!sameRelease(releaseOf(at), releaseOf(to))) {
              assert.ok(
                isSupportedHop(releaseOf(at), releaseOf(to), catalog),
                `${node.version}: ${at.major}.${at.minor} → ${t}`,
              );
              // V6: a release hop starts from the newest revision of the running release.
              assert.equal(compareRevisions(at, catalog.newestRevision(releaseOf(at))!) >= 0, true);
            }
            at = to;
          }
        }
      }),
      RUNS,
    );
  });

  it("contract: seq is 1..n and waves never decrease; preflight and backup come first", () => {
    fc.assert(
      fc.property(scenarioArb, (s) => {
        const { plan } = build(s);
        plan.steps.forEach((x, i) => assert.equal(x.seq, i + 1));
        for (let i = 1; i < plan.steps.length; i++) assert.ok(plan.steps[i].wave >= plan.steps[i - 1].wave);
        const firstChange = plan.steps.findIndex(
          (x) => x.action !== "preflight" && x.action !== "backup-config",
        );
        if (firstChange >= 0)
          assert.ok(
            plan.steps
              .slice(firstChange)
              .every((x) => x.action !== "preflight" && x.action !== "backup-config"),
          );
      }),
      RUNS,
    );
  });

  it("C1/C3: per hop, groups go minions → managed → CM → search master, and hop k ends before hop k+1 starts", () => {
    fc.assert(
      fc.property(scenarioArb, (s) => {
        const { cluster, plan } = build(s);
        const group = (name: string) => clusterOrderGroup(cluster.nodes.find((n) => n.name === name)!.roles);
        for (let hop = 1; hop <= plan.hops.length; hop++) {
          const steps = plan.steps.filter((x) => x.hop === hop);
          for (let i = 1; i < steps.length; i++) {
            if (steps[i].wave > steps[i - 1].wave)
              assert.ok(group(steps[i].node) >= group(steps[i - 1].node));
          }
          const next = plan.steps.filter((x) => x.hop === hop + 1);
          if (steps.length && next.length)
            assert.ok(Math.max(...steps.map((x) => x.wave)) < Math.min(...next.map((x) => x.wave)));
        }
      }),
      RUNS,
    );
  });

  it("H2/S: within a hop, each node's actions follow the documented order and it reboots once", () => {
    fc.assert(
      fc.property(scenarioArb, (s) => {
        const { plan } = build(s);
        const keyed = new Map<string, string[]>();
        for (const x of plan.steps.filter((y) => y.hop !== null)) {
          const k = `${x.node}#${x.hop}`;
          keyed.set(k, [...(keyed.get(k) ?? []), x.action]);
        }
        for (const [k, actions] of keyed) {
          const idx = actions.map((a) => (APPLIANCE_ACTIONS as readonly string[]).indexOf(a));
          for (let i = 1; i < idx.length; i++) assert.ok(idx[i] >= idx[i - 1], `${k}: ${actions.join(",")}`);
          assert.equal(actions.filter((a) => a === "reboot").length, 1, k);
          // A node's steps within one hop stay in one wave.
          assert.equal(
            new Set(plan.steps.filter((x) => `${x.node}#${x.hop}` === k).map((x) => x.wave)).size,
            1,
          );
        }
      }),
      RUNS,
    );
  });

  it("I1: no hop leaves SPS newer than its indexers — each indexer is upgraded after the hop's appliance steps, before the next hop, in the documented per-host order", () => {
    fc.assert(
      fc.property(scenarioArb, (s) => {
        const { cluster, plan } = build(s);
        const isIdx = (a: string) => (INDEXER_ACTIONS as readonly string[]).includes(a);
        const cmp = (a: string, b: string) => compareRevisions(parseRevision(a), parseRevision(b));
        const idxSteps = plan.steps.filter((x) => isIdx(x.action));
        const appliance = plan.steps.filter((x) => !isIdx(x.action) && x.hop !== null);
        // Each indexer upgrade to v comes after every appliance step of the hops up to v.
        for (const x of idxSteps)
          for (const a of appliance)
            if (cmp(plan.hops[a.hop! - 1].to, x.version!) <= 0) assert.ok(a.wave < x.wave);
        // Before hop k+1 starts, every indexer is at least at hop k's revision.
        plan.hops.forEach((h, k) => {
          const next = appliance.filter((a) => a.hop === k + 2);
          if (next.length === 0) return;
          const startWave = Math.min(...next.map((a) => a.wave));
          for (const idx of cluster.indexers) {
            const reached = idxSteps
              .filter((x) => x.node === idx.name && x.wave < startWave)
              .map((x) => x.version!)
              .concat(idx.version)
              .sort(cmp)
              .at(-1)!;
            assert.ok(
              cmp(reached, h.to) >= 0,
              `${idx.name} at ${reached} when hop ${k + 2} starts after ${h.to}`,
            );
          }
        });
        // Per host and revision: the documented order, once.
        for (const host of new Set(idxSteps.map((x) => x.node)))
          for (const v of new Set(idxSteps.filter((x) => x.node === host).map((x) => x.version)))
            assert.deepEqual(
              idxSteps.filter((x) => x.node === host && x.version === v).map((x) => x.action),
              [...INDEXER_ACTIONS],
            );
      }),
      RUNS,
    );
  });

  it("without blocking findings, every node and every indexer ends on (or past) the target", () => {
    fc.assert(
      fc.property(scenarioArb, (s) => {
        const { cluster, plan } = build(s);
        if (plan.findings.some((f) => f.severity === "error")) return;
        const target = parseRevision(plan.target);
        for (const node of cluster.nodes) {
          const last = plan.steps.filter((x) => x.node === node.name && x.hop !== null).pop();
          const end = last ? parseRevision(last.version!) : parseRevision(node.version);
          assert.equal(
            compareRevisions(end, target),
            0,
            `${node.name} ends on ${last?.version ?? node.version}`,
          );
        }
        for (const idx of cluster.indexers) {
          const upgraded = plan.steps.some(
            (x) => x.node === idx.name && x.action === "upgrade-indexer-package",
          );
          assert.ok(upgraded || compareRevisions(parseRevision(idx.version), target) >= 0);
        }
      }),
      RUNS,
    );
  });

  it("V3: a target below a node's version always yields a V3 error and no step for that node", () => {
    fc.assert(
      fc.property(scenarioArb, (s) => {
        const { cluster, plan } = build(s);
        if (!plan.hops.length && !plan.findings.length) return;
        let target;
        try {
          target = parseRevision(plan.target);
        } catch {
          return;
        }
        for (const node of cluster.nodes) {
          if (compareRevisions(parseRevision(node.version), target) > 0) {
            assert.ok(plan.findings.some((f) => f.rule === "V3" && f.node === node.name));
            assert.ok(!plan.steps.some((x) => x.node === node.name && x.hop !== null));
          }
        }
      }),
      RUNS,
    );
  });
});
