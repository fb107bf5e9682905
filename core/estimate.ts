/**
 * Duration estimate of a plan: per step (./step-durations.ts), per wave, per cluster and per fleet.
 * Pure. Composition follows the plan contract's concurrency:
 *
 *   node in a wave  its steps run in `seq` order: the sum of its steps
 *   wave            its nodes run at the same time: the slowest node (each figure on its own)
 *   cluster         no step starts before every step of lower waves finished: the sum of its waves
 *   fleet           stages run one after another, the clusters of a stage at the same time: the sum
 *                   over stages of the slowest cluster (canary clusters first, then the rest, as
 *                   SpsFleet rolls out: `canaryStages`; other groupings pass their own stages)
 *
 * Three figures everywhere: `lowSeconds` and `seconds` (the documented durations at their lower and
 * upper end; `seconds` is what a maintenance window must hold), and `deadlineSeconds` (how long the
 * run may take when every wait runs to its configured deadline before the tool stops and reports).
 * What runs with the node in service — the metadb import after the reboot (30–40 min) and the
 * background phase (days) of rule S10 — is reported in `inService`, not added: the window does not
 * wait for it.
 */
import { formatDuration } from "./duration";
import type { ClusterPlan, PlanStep } from "./plan";
import { DEFAULT_ESTIMATE_DEADLINES, stepFigures, type EstimateDeadlines } from "./step-durations";
import { crossesStorageReorganisation } from "./rules";

export {
  DEFAULT_ESTIMATE_DEADLINES,
  STORAGE_REORGANISATION_S,
  type EstimateDeadlines,
} from "./step-durations";

/** The three figures, in whole seconds. */
export interface EstimateFigures {
  lowSeconds: number;
  seconds: number;
  deadlineSeconds: number;
}

/** A step's figures and where they come from (`[doc]` rule / `[unknown]` assumption). */
export interface StepEstimate extends EstimateFigures {
  basis: string;
}

export interface NodeWaveEstimate extends EstimateFigures {
  node: string;
}

export interface WaveEstimate extends EstimateFigures {
  wave: number;
  /** The hop the wave works on (null: preflight / indexer waves). */
  hop: number | null;
  /** The node with the largest `seconds` (the one the wave waits for). */
  slowest: string;
  /** Per node, in the order the wave lists them. */
  nodes: NodeWaveEstimate[];
}

/** Something that runs after the window with the node in service (S10): reported, not waited for. */
export interface InServiceWork {
  node: string;
  hop: number;
  what: string;
  lowSeconds: number;
  /** Upper end; absent when the guide gives none ("days or even weeks"). */
  seconds?: number;
  rule: string;
}

export interface ClusterEstimate extends EstimateFigures {
  /** One line: `about 1.4 h (58 min – 1.4 h; up to 3.1 h if every wait runs to its deadline)`. */
  text: string;
  waves: WaveEstimate[];
  inService: InServiceWork[];
}

export interface StageEstimate extends EstimateFigures {
  name: string;
  clusters: string[];
  /** The cluster with the largest `seconds`. */
  slowest: string | null;
}

export interface FleetEstimate extends EstimateFigures {
  text: string;
  stages: StageEstimate[];
}

export const ZERO: EstimateFigures = { lowSeconds: 0, seconds: 0, deadlineSeconds: 0 };

/** The three figures, each computed by `f` from its own key. */
export function eachFigure(f: (k: keyof EstimateFigures) => number): EstimateFigures {
  return { lowSeconds: f("lowSeconds"), seconds: f("seconds"), deadlineSeconds: f("deadlineSeconds") };
}

function add(a: EstimateFigures, b: EstimateFigures): EstimateFigures {
  return eachFigure((k) => a[k] + b[k]);
}

/** Things at the same time: each figure is the largest of its kind. */
function parallel(items: readonly EstimateFigures[]): EstimateFigures {
  return items.reduce((m, x) => eachFigure((k) => Math.max(m[k], x[k])), ZERO);
}

/** Just the three figures of `x` (a missing one is 0). */
export function figuresOf(x: Partial<EstimateFigures> | undefined): EstimateFigures {
  return eachFigure((k) => x?.[k] ?? 0);
}

/** Seconds as text: `45 s`, `20 min`, `1.4 h`. */
export function secondsText(s: number): string {
  return formatDuration(s * 1000);
}

/** `about 1.4 h (58 min – 1.4 h; up to 3.1 h if every wait runs to its deadline)`; `nothing to do` at 0. */
export function estimateText(f: EstimateFigures): string {
  if (f.seconds === 0 && f.deadlineSeconds === 0) return "nothing to do";
  return `about ${secondsText(f.seconds)} (${secondsText(f.lowSeconds)} – ${secondsText(f.seconds)}; up to ${secondsText(f.deadlineSeconds)} if every wait runs to its deadline)`;
}

export interface ClusterEstimateResult {
  /** Per step `seq`. */
  steps: Map<number, StepEstimate>;
  cluster: ClusterEstimate;
}

/**
 * The estimate of one cluster's plan. `startVersions`: each appliance node's running revision before
 * the plan (decides which reboot crosses 6.3.0, P14); a node missing from it counts as crossing when
 * its hop lands on 6.3.0 or later (the longer reading). `deadlines`: the configured deadlines.
 */
export function estimateCluster(
  plan: ClusterPlan,
  startVersions: Readonly<Record<string, string>>,
  deadlines: Partial<EstimateDeadlines> = {},
): ClusterEstimateResult {
  const d: EstimateDeadlines = { ...DEFAULT_ESTIMATE_DEADLINES, ...definedOnly(deadlines) };
  const running = new Map(Object.entries(startVersions));
  const lastBootCrossed = new Map<string, boolean>();
  const lastHop = new Map<string, number>();
  const steps = new Map<number, StepEstimate>();
  const inService: InServiceWork[] = [];
  for (const s of plan.steps) {
    let p14 = false;
    if (s.action === "reboot" && s.version !== undefined) {
      const from = running.get(s.node);
      p14 = crossesStorageReorganisation(from ?? "0.0.0", s.version);
      lastBootCrossed.set(s.node, p14);
      running.set(s.node, s.version);
      if (s.hop !== null) {
        inService.push(metadbImport(s.node, s.hop));
        lastHop.set(s.node, s.hop);
      }
    } else if (s.action === "wait-secondary-rejoin") {
      p14 = lastBootCrossed.get(s.node) ?? false;
    }
    steps.set(s.seq, stepFigures(s.action, p14, d));
  }
  for (const [node, hop] of lastHop) inService.push(backgroundPhase(node, hop));
  const waves = waveEstimates(plan.steps, steps);
  const total = waves.reduce<EstimateFigures>((sum, w) => add(sum, w), ZERO);
  return { steps, cluster: { ...total, text: estimateText(total), waves, inService } };
}

function definedOnly<T extends object>(o: T): Partial<T> {
  return Object.fromEntries(Object.entries(o).filter(([, v]) => typeof v === "number")) as Partial<T>;
}

/** S10 [doc, 5.11/6.0/6.3 guides]: after the reboot SPS imports metadb, "about 30-40 minutes or more", in service. */
function metadbImport(node: string, hop: number): InServiceWork {
  const what = "metadb import (REST search may be incomplete meanwhile)";
  return { node, hop, what, lowSeconds: 30 * 60, seconds: 40 * 60, rule: "S10" };
}

/** S10 [doc, 5.11/6.0 guides]: the second phase "can take several days or even weeks", in service. */
function backgroundPhase(node: string, hop: number): InServiceWork {
  const what = "background session-database upgrade (days or even weeks; classic search unaffected)";
  return { node, hop, what, lowSeconds: 0, rule: "S10" };
}

function waveEstimates(
  planSteps: readonly PlanStep[],
  steps: ReadonlyMap<number, StepEstimate>,
): WaveEstimate[] {
  const waves = new Map<number, { hop: number | null; nodes: Map<string, EstimateFigures> }>();
  for (const s of planSteps) {
    const w = waves.get(s.wave) ?? { hop: s.hop, nodes: new Map<string, EstimateFigures>() };
    if (w.hop === null && s.hop !== null) w.hop = s.hop;
    const e = steps.get(s.seq);
    w.nodes.set(s.node, add(w.nodes.get(s.node) ?? ZERO, figuresOf(e)));
    waves.set(s.wave, w);
  }
  return [...waves].map(([wave, w]) => {
    const nodes = [...w.nodes].map(([node, f]) => ({ node, ...f }));
    const slowest = nodes.reduce(
      (a, b) => (b.seconds > a.seconds ? b : a),
      nodes[0] ?? { node: "", ...ZERO },
    );
    return { wave, hop: w.hop, ...parallel(nodes), slowest: slowest.node, nodes };
  });
}

/** Clusters of one stage run at the same time; stages one after another. */
export function estimateStages(
  stages: ReadonlyArray<{
    name: string;
    clusters: ReadonlyArray<{ name: string; estimate: EstimateFigures }>;
  }>,
): FleetEstimate {
  const out: StageEstimate[] = stages.map((st) => {
    const slowest = st.clusters.reduce<{ name: string; estimate: EstimateFigures } | null>(
      (a, b) => (a === null || b.estimate.seconds > a.estimate.seconds ? b : a),
      null,
    );
    return {
      name: st.name,
      clusters: st.clusters.map((c) => c.name),
      ...parallel(st.clusters.map((c) => figuresOf(c.estimate))),
      slowest: slowest?.name ?? null,
    };
  });
  const total = out.reduce<EstimateFigures>((sum, s) => add(sum, s), ZERO);
  return { ...total, text: estimateText(total), stages: out };
}

/** SpsFleet's rollout: the canary clusters first (together), then the rest (together); empty stages left out. */
export function canaryStages<T extends { name: string; canary?: boolean | undefined }>(
  clusters: readonly T[],
): Array<{ name: string; clusters: T[] }> {
  const canaries = clusters.filter((c) => c.canary === true);
  const rest = clusters.filter((c) => c.canary !== true);
  return [
    { name: "canary", clusters: canaries },
    { name: canaries.length > 0 ? "rest" : "all", clusters: rest },
  ].filter((s) => s.clusters.length > 0);
}
