/**
 * `npm run bench`: every benchmark of the project, each writing its own section of BENCHMARKS.md.
 * Numbers are measured, never asserted by unit tests.
 */
import { makespanMarkdown, runMakespanBench } from "./makespan";
import { planBenchMarkdown, runPlanBench } from "./plan";
import { exitOnFailure, machineLine, updateBenchmarkSection } from "./report";
import { runUploadBench, uploadBenchMarkdown } from "./upload";

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

/** Prints what is measured, measures, writes the section `heading` of BENCHMARKS.md and prints it. */
async function section(what: string, heading: string, markdown: () => Promise<string>): Promise<void> {
  process.stdout.write(`bench: ${what}…\n`);
  const body = await markdown();
  updateBenchmarkSection(heading, body);
  process.stdout.write(`${body}\n`);
}

async function main(): Promise<void> {
  planSection();
  await section("firmware upload (100 MB and 2 GB ISO, client vs curl)", "Firmware upload", async () =>
    uploadBenchMarkdown(await runUploadBench()),
  );
  await section("cluster upgrade makespan (20 nodes, emulator)", "Cluster upgrade makespan", async () =>
    makespanMarkdown(await runMakespanBench()),
  );
}

exitOnFailure("bench", main());
