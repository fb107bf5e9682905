/**
 * Cluster upgrade makespan: a 20-node CM cluster (1 search master, 1 central management, 14 managed
 * hosts, 4 search minions) upgraded 6.0.5 → 6.0.7 → 6.3.2 by `executeClusterPlan` on the emulator
 * with scaled time, compared with
 *  - the critical-path lower bound from the plan: Σ over waves of the longest node's modelled step
 *    durations (reboot = down + first boot (+ P14 storage reorganisation); HA waits; REST steps 0),
 *    divided by the time scale — target makespan / bound ≤ 1.10;
 *  - strictly serial execution (maxParallel 1) of the same plan on a fresh fleet.
 *
 *   npx ts-node --transpile-only bench/makespan.ts      # writes "## Cluster upgrade makespan"
 */
import type { ClusterPlan, PlanStep } from "../core/plan";
import { crosses, parseRevision } from "../core/version";
import { executeClusterPlan } from "../provider/executor";
import { DEFAULT_TIMINGS, type NodeTimings } from "../emulator/sps/emulated-node";
import { EmulatedCluster, type NodeDecl } from "../test/integration/executor/emulated-cluster";
import { exitOnFailure, machineLine, updateBenchmarkSection } from "./report";

export type MakespanResult = Awaited<ReturnType<typeof runMakespanBench>>;

/** Modelled (emulated) duration of one plan step: only waits take time in the model. */
export function modelledStepMs(plan: ClusterPlan, step: PlanStep, t: NodeTimings = DEFAULT_TIMINGS): number {
  const hop = step.hop !== null ? plan.hops[step.hop - 1] : undefined;
  const reorg =
    hop && crosses(parseRevision(hop.from), parseRevision(hop.to), "6.3.0") ? t.storageReorgMs : 0;
  switch (step.action) {
    case "reboot":
      return t.downMs + t.firstBootMs + reorg;
    case "wait-secondary-sync":
      return t.haFirmwareSyncMs;
    case "wait-secondary-rejoin":
      return t.downMs + t.firstBootMs + reorg + t.haRejoinSyncMs;
    default:
      return 0;
  }
}

/** Σ over waves of the longest node's modelled duration (emulated ms), and Σ over all nodes (serial). */
export function criticalPathMs(
  plan: ClusterPlan,
  t: NodeTimings = DEFAULT_TIMINGS,
): { parallel: number; serial: number } {
  const perWave = new Map<number, Map<string, number>>();
  for (const s of plan.steps) {
    const w = perWave.get(s.wave) ?? new Map<string, number>();
    w.set(s.node, (w.get(s.node) ?? 0) + modelledStepMs(plan, s, t));
    perWave.set(s.wave, w);
  }
  let parallel = 0;
  for (const w of perWave.values()) parallel += Math.max(0, ...w.values());
  return { parallel, serial: plan.steps.reduce((sum, s) => sum + modelledStepMs(plan, s, t), 0) };
}

export function twentyNodes(): NodeDecl[] {
  const nodes: NodeDecl[] = [
    { name: "sm", version: "6.0.5", roles: ["search-master"] },
    { name: "cm", version: "6.0.5", roles: ["central-management"] },
  ];
  for (let i = 1; i <= 14; i++) nodes.push({ name: `mh${i}`, version: "6.0.5", roles: ["managed-host"] });
  for (let i = 1; i <= 4; i++) nodes.push({ name: `min${i}`, version: "6.0.5", roles: ["search-minion"] });
  return nodes;
}

async function timedRun(
  timeScale: number,
  maxParallel: number | undefined,
): Promise<{ ms: number; plan: ClusterPlan; reboots: number }> {
  const cluster = await EmulatedCluster.start({ target: "6.3", nodes: twentyNodes(), timeScale });
  try {
    const inputs = cluster.inputs({
      deadlines: { pollIntervalMs: 5_000 },
      progress: () => undefined,
      ...(maxParallel !== undefined ? { maxParallel } : {}),
    });
    const started = performance.now();
    const result = await executeClusterPlan(inputs);
    const ms = performance.now() - started;
    if (!result.complete) throw new Error("the upgrade did not complete");
    return { ms, plan: cluster.plan, reboots: cluster.reboots().length };
  } finally {
    await cluster.stop();
  }
}

export async function runMakespanBench() {
  const timeScale = 600;
  const parallel = await timedRun(timeScale, undefined);
  const bound = criticalPathMs(parallel.plan);
  const serial = await timedRun(timeScale, 1);
  const lowerBoundMs = bound.parallel / timeScale;
  const serialBoundMs = bound.serial / timeScale;
  return {
    nodes: twentyNodes().length,
    hops: parallel.plan.hops.length,
    waves: new Set(parallel.plan.steps.map((s) => s.wave)).size,
    steps: parallel.plan.steps.length,
    timeScale,
    /** Real milliseconds, as every `…Ms` here. */
    parallelMs: round(parallel.ms),
    serialMs: round(serial.ms),
    lowerBoundMs: round(lowerBoundMs),
    serialBoundMs: round(serialBoundMs),
    ratioToBound: round(parallel.ms / lowerBoundMs, 3),
    ratioToSerial: round(parallel.ms / serial.ms, 3),
    reboots: parallel.reboots,
  };
}

function round(x: number, digits = 0): number {
  const f = 10 ** digits;
  return Math.round(x * f) / f;
}

export function makespanMarkdown(r: MakespanResult): string {
  const s = (ms: number): string => `${(ms / 1000).toFixed(2)} s`;
  const emu = (ms: number): string => `${((ms * r.timeScale) / 60_000).toFixed(0)} min`;
  return [
    machineLine(),
    "",
    `Cluster: ${r.nodes} nodes (1 search master, 1 central management, 14 managed hosts, 4 search minions),`,
    `6.0.5 → 6.0.7 → 6.3.2 (${r.hops} hops, ${r.waves} waves, ${r.steps} steps), on the emulator with time scale ${r.timeScale}`,
    "(emulated: reboot down 1 min, first boot 15 min, +30 min P14 storage reorganisation into 6.3). Real HTTPS REST",
    "calls to 20 emulated appliances in the same process; `bench/makespan.ts` (`runMakespanBench()`).",
    "",
    "| run | real time | emulated | ratio |",
    "| --- | --------: | -------: | ----: |",
    `| critical-path lower bound from the plan (Σ waves of the longest node) | ${s(r.lowerBoundMs)} | ${emu(r.lowerBoundMs)} | 1.000 |`,
    `| executor, nodes of a wave in parallel | ${s(r.parallelMs)} | ${emu(r.parallelMs)} | **${r.ratioToBound.toFixed(3)}** × bound |`,
    `| executor, strictly serial (maxParallel 1) | ${s(r.serialMs)} | ${emu(r.serialMs)} | parallel / serial = **${r.ratioToSerial.toFixed(3)}** |`,
    `| serial lower bound (Σ of every node's modelled durations) | ${s(r.serialBoundMs)} | ${emu(r.serialBoundMs)} | |`,
    "",
    `Target makespan / bound ≤ 1.10: measured ${r.ratioToBound.toFixed(3)}. Reboots: ${r.reboots} (one per node per hop).`,
  ].join("\n");
}

async function main(): Promise<void> {
  process.stdout.write("bench: cluster upgrade makespan (20 nodes, emulator)…\n");
  const r = await runMakespanBench();
  process.stdout.write(`${JSON.stringify(r, null, 2)}\n`);
  updateBenchmarkSection("Cluster upgrade makespan", makespanMarkdown(r));
}

if (require.main === module) exitOnFailure("bench", main());
