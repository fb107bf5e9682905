/**
 * `npm run bench:rollout`: one rollout stage of N clusters (default 200 standalone appliances, one hop
 * 6.1.0 → 6.3.0, emulator at time scale 600) through the real engine with the user guide's setting
 * (`pulumi up --parallel N+16`), from an inventory file (examples/inventory). Measures the stage's
 * makespan (first cluster's start → last cluster's end, from the engine's events as they arrive)
 * against its slowest cluster, and what preview says about the engine's default parallelism.
 * Writes the "Staged rollout: one cluster's time per stage" section of BENCHMARKS.md.
 *
 *   BENCH_CLUSTERS=200 BENCH_PARALLEL=216 npm run bench:rollout
 *   BENCH_PARALLEL=default …   (the engine's own default: to see the serialisation)
 */
import * as fs from "node:fs";
import * as path from "node:path";
import type { EngineEvent } from "@pulumi/pulumi/automation";
import { createTestStack, REPO_ROOT } from "../test/support/pulumi-engine";
import { startLab } from "../test/support/sps-lab";
import { exitOnFailure, machineLine, median, updateBenchmarkSection } from "./report";

const FIRMWARE = "pulumi-nodejs:dynamic/sps:ClusterFirmware";
/** Emulated time runs this many times faster than real time (a real first boot: 10–20 min). */
const TIME_SCALE = Number(process.env["BENCH_TIME_SCALE"] ?? 600);

type Run = Awaited<ReturnType<typeof runOnce>>;

async function runOnce(clusters: number, parallel: number | undefined) {
  const fleet = {
    clusters: Array.from({ length: clusters }, (_, c) => ({
      name: `site-${String(c).padStart(3, "0")}`,
      nodes: [{ name: `sps-${c}`, version: "6.1.0" }],
    })),
  };
  const lab = await startLab(fleet, { sharedCertificate: true, timeScale: TIME_SCALE });
  try {
    fs.writeFileSync(path.join(lab.dir, "ca.pem"), fs.readFileSync(lab.fleet.caCertPath));
    const address = new Map(lab.fleet.nodes.map((n) => [n.name, n.url]));
    const inventory = path.join(lab.dir, "fleet-inventory.json");
    fs.writeFileSync(
      inventory,
      JSON.stringify({
        defaults: { tls: { caFile: "ca.pem" } },
        clusters: fleet.clusters.map((c) => ({
          name: c.name,
          nodes: c.nodes.map((n) => ({ name: n.name, address: address.get(n.name) })),
        })),
      }),
    );
    // `confirmed`: the lab's confirmations of the gates a run asks for (P1, S8, V6 newest revision).
    const keys = "fleet:firmware fleet:systemControl fleet:deadlines sps:checkpointDir confirmed".split(" ");
    const stack = await createTestStack({
      programDir: path.join(REPO_ROOT, "examples", "inventory"),
      config: { inventory, ...Object.fromEntries(keys.map((k) => [k, lab.config[k] ?? ""])) },
      secrets: lab.secrets,
    });
    try {
      const options = { color: "never" as const, ...(parallel !== undefined ? { parallel } : {}) };
      const p0 = Date.now();
      const preview = await stack.stack.preview(options);
      const previewSeconds = (Date.now() - p0) / 1000;
      const note =
        /engine parallelism \d+ runs only .*? or more/.exec(preview.stdout)?.[0] ??
        "no serialisation warning";
      const start = new Map<string, number>();
      const end = new Map<string, number>();
      let failed = 0;
      const u0 = Date.now();
      try {
        await stack.stack.up({
          ...options,
          onEvent: (e: EngineEvent) => {
            const now = Date.now();
            const pre = e.resourcePreEvent?.metadata;
            if (pre?.type === FIRMWARE) start.set(pre.urn, now);
            const out = e.resOutputsEvent?.metadata;
            if (out?.type === FIRMWARE) end.set(out.urn, now);
            if (e.resOpFailedEvent) failed += 1;
          },
        });
      } catch (err) {
        process.stderr.write(`bench: up failed: ${String(err).slice(0, 2000)}\n`);
      }
      const upSeconds = (Date.now() - u0) / 1000;
      const durations = [...end].map(([urn, t]) => (t - (start.get(urn) ?? t)) / 1000);
      const first = Math.min(...start.values());
      const last = Math.max(...end.values());
      return {
        clusters,
        parallel: parallel === undefined ? "engine default" : String(parallel),
        previewSeconds,
        previewNote: note,
        upSeconds,
        timeScale: TIME_SCALE,
        makespanSeconds: (last - first) / 1000,
        /** Last cluster's start − first cluster's start: the engine registers (checks) one at a time. */
        startSpreadSeconds: (Math.max(...start.values()) - first) / 1000,
        slowestSeconds: Math.max(...durations),
        medianSeconds: median(durations),
        failed: failed + (clusters - end.size),
      };
    } finally {
      await stack.dispose();
    }
  } finally {
    await lab.stop();
  }
}

/** Set in the bench's environment, the engine (a child process) writes the stack state only at the end. */
const skipCheckpoints = process.env["PULUMI_SKIP_CHECKPOINTS"] === "true";

function markdown(runs: readonly Run[]): string {
  const rows = runs.map(
    (r) =>
      `| ${r.clusters} | ${r.timeScale} | ${r.parallel} | ${r.makespanSeconds.toFixed(1)} s | ${r.startSpreadSeconds.toFixed(1)} s | ${r.slowestSeconds.toFixed(1)} s | ${r.medianSeconds.toFixed(1)} s | **${(r.makespanSeconds / r.slowestSeconds).toFixed(2)} ×** | ${r.upSeconds.toFixed(1)} s | ${r.previewSeconds.toFixed(1)} s | ${r.failed} |`,
  );
  return [
    machineLine(),
    "",
    "One rollout stage of N standalone appliances (one hop 6.1.0 → 6.3.0 each, emulator time scale",
    "as shown, file backend, fleet from an inventory file: `examples/inventory`), `pulumi up` through",
    "the real engine. Makespan: the first cluster's start to the last cluster's end (engine events as",
    "they arrive); a cluster's time: its firmware resource's start to its end. Target: makespan ≤ 1.5 ×",
    "the slowest cluster with the user guide's setting (`--parallel` ≥ the stage's clusters in flight).",
    "",
    "| clusters | time scale | --parallel | stage makespan | starts spread over | slowest cluster | median cluster | makespan / slowest | whole up | preview | failed |",
    "|---|---|---|---|---|---|---|---|---|---|---|",
    ...rows,
    "",
    ...runs.map(
      (r) =>
        `- N = ${r.clusters}, --parallel ${r.parallel}${skipCheckpoints ? ", PULUMI_SKIP_CHECKPOINTS=true (the stack state written only at the end)" : ""}: preview said: ${r.previewNote}`,
    ),
  ].join("\n");
}

async function main(): Promise<void> {
  const clusters = Number(process.env["BENCH_CLUSTERS"] ?? 200);
  const settings = (process.env["BENCH_PARALLEL"] ?? String(clusters + 16)).split(",");
  const runs: Run[] = [];
  for (const s of settings) {
    const parallel = s === "default" ? undefined : Number(s);
    process.stdout.write(`bench: one stage of ${clusters} clusters, --parallel ${s}…\n`);
    const run = await runOnce(clusters, parallel);
    process.stdout.write(`${JSON.stringify(run)}\n`);
    runs.push(run);
  }
  const body = markdown(runs);
  updateBenchmarkSection("Staged rollout: one cluster's time per stage", body);
  process.stdout.write(`${body}\n`);
}

exitOnFailure(
  "bench",
  main().then(() => process.exit(0)),
);
