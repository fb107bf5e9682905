/**
 * Planner benchmark (target: plan a 10,000-node fleet under 1 s and 300 MB).
 * Fleet: N/10 clusters of 10 nodes (CM+search master HA, managed hosts, minions, one more HA pair)
 * with 2 indexer hosts each, every node 5.0.3 → 6.3 = 3 hops. Each size runs in its own child
 * process so its peak RSS (maxRSS) is its own.
 */
import { execFileSync } from "node:child_process";
import { Catalog } from "../core/catalog";
import { fleetSchema } from "../core/fleet";
import { planFleet } from "../core/fleet-plan";
import { median } from "./report";

const CATALOG = {
  schemaVersion: 1,
  releases: [
    { version: "5.0", revisions: ["5.0.3", "5.0.9"] },
    { version: "6.0", revisions: ["6.0.5", "6.0.7"] },
    { version: "6.3", revisions: ["6.3.0", "6.3.2"] },
  ],
};

const SETTINGS = {
  healthOk: true,
  coreDumps: 0,
  haStatus: "HA",
  ipmiReachable: true,
  vmSnapshot: true,
  diskFillupLimitPercent: 90,
  ldapAuth: true,
  ldapTimeoutSeconds: 120,
  removedFeaturesInUse: [],
  sha1LdapCertificates: false,
  nonRfc5890Hostnames: [],
};

export function benchFleet(nodes: number): unknown {
  const clusters = Array.from({ length: Math.ceil(nodes / 10) }, (_, c) => ({
    name: `cluster-${c}`,
    target: "6.3",
    nodes: Array.from({ length: 10 }, (_, i) => ({
      name: `c${c}-n${i}`,
      version: "5.0.3",
      roles: i === 0 ? ["central-management", "search-master"] : i < 4 ? ["managed-host"] : ["search-minion"],
      ha: i === 0 || i === 5,
      virtual: false,
      settings: SETTINGS,
    })),
    indexers: [
      { name: `c${c}-idx6`, os: "rhel6", version: "5.0.3" },
      { name: `c${c}-idx7`, os: "rhel7", version: "5.0.3" },
    ],
  }));
  return { clusters };
}

export type PlanBenchRow = ReturnType<typeof measure>;

/** Child side: plan `nodes` nodes `runs` times; print one JSON row. */
function measure(nodes: number, runs: number) {
  const catalog = Catalog.parse(CATALOG);
  const text = JSON.stringify(benchFleet(nodes));
  const planTimes: number[] = [];
  const e2eTimes: number[] = [];
  let steps = 0;
  for (let r = 0; r < runs; r++) {
    const t0 = process.hrtime.bigint();
    const fleet = fleetSchema.parse(JSON.parse(text));
    const t1 = process.hrtime.bigint();
    const doc = planFleet(fleet, catalog, { asOf: "2026-11-23" });
    const t2 = process.hrtime.bigint();
    const out = JSON.stringify(doc);
    const t3 = process.hrtime.bigint();
    steps = doc.clusters.reduce((n, c) => n + c.steps.length, 0);
    planTimes.push(Number(t2 - t1) / 1e6);
    e2eTimes.push(Number(t3 - t0) / 1e6);
    if (out.length === 0) throw new Error("empty plan output");
  }
  return {
    nodes,
    steps,
    planMedianMs: Math.round(median(planTimes) * 10) / 10,
    endToEndMedianMs: Math.round(median(e2eTimes) * 10) / 10,
    peakRssMb: Math.round(process.resourceUsage().maxRSS / 1024),
  };
}

function child(nodes: number, runs: number): PlanBenchRow {
  const out = execFileSync(process.execPath, [__filename, "--child", String(nodes), String(runs)], {
    encoding: "utf8",
  });
  return JSON.parse(out) as PlanBenchRow;
}

/**
 * Times are medians of `runs` repetitions in one process; peak RSS comes from a separate process
 * that plans once, as the CLI does (repetitions would add the garbage of earlier runs).
 */
export function runPlanBench(sizes = [1000, 2000, 5000, 10000], runs = 7): PlanBenchRow[] {
  return sizes.map((n) => ({ ...child(n, runs), peakRssMb: child(n, 1).peakRssMb }));
}

export function planBenchMarkdown(rows: readonly PlanBenchRow[]): string {
  const base = rows[0];
  const lines = [
    "| nodes | steps | plan (median) | parse + validate + plan + JSON (median) | peak RSS | time vs 1,000 nodes |",
    "|---:|---:|---:|---:|---:|---:|",
    ...rows.map(
      (r) =>
        `| ${r.nodes.toLocaleString("en")} | ${r.steps.toLocaleString("en")} | ${r.planMedianMs} ms | ${r.endToEndMedianMs} ms | ${r.peakRssMb} MB | ×${(r.endToEndMedianMs / base.endToEndMedianMs).toFixed(1)} (nodes ×${r.nodes / base.nodes}) |`,
    ),
  ];
  return lines.join("\n");
}

if (require.main === module) {
  if (process.argv[2] === "--child") {
    process.stdout.write(JSON.stringify(measure(Number(process.argv[3]), Number(process.argv[4]))));
  } else {
    const rows = runPlanBench();
    process.stdout.write(`${planBenchMarkdown(rows)}\n`);
  }
}
