/**
 * `npm run bench`: every benchmark of the project, each writing its own section of BENCHMARKS.md.
 * Numbers are measured, never asserted by unit tests.
 */
import { planBenchMarkdown, runPlanBench } from "./plan";
import { machineLine, updateBenchmarkSection } from "./report";

function planSection(): void {
  process.stdout.write("bench: offline planner (1,000 → 10,000 nodes)…\n");
  const rows = runPlanBench();
  const ten = rows[rows.length - 1];
  const body = [
    machineLine(),
    "",
    "Fleet: clusters of 10 nodes (an HA central-management + search-master node, 3 managed hosts,",
    "6 search minions of which one is an HA pair) with 2 indexer hosts each; every node goes",
    "5.0.3 → 5.0.9 → 6.0.7 → 6.3.2 (3 hops). Median of 7 runs; peak RSS of a process that plans once.",
    "",
    planBenchMarkdown(rows),
    "",
    ten
      ? `Target for 10,000 nodes: under 1 s and under 300 MB — measured ${ten.endToEndMedianMs} ms end to end (${ten.planMedianMs} ms planning) and ${ten.peakRssMb} MB peak RSS.`
      : "",
  ].join("\n");
  updateBenchmarkSection("Offline planner", body);
  process.stdout.write(`${planBenchMarkdown(rows)}\n`);
}

function main(): void {
  planSection();
}

main();
