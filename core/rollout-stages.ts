/**
 * The fleet's progressive rollout, planned (pure): the canary clusters first, then the declared stages
 * in order — each a named group of clusters and/or a cumulative percentage of the non-canary clusters
 * — then whatever is left. Within a stage at most `maxInFlight` clusters run at once: the stage's
 * clusters are dealt round-robin into that many lanes, one cluster after another per lane. A stage
 * starts only when the one before it has finished and passed its gate: at most `failureBudget`
 * failed clusters of that stage (per stage, not cumulative; default 0: any failed cluster stops every
 * later stage). The canary stage's budget is always 0 — a failed canary stops the rollout.
 *
 * The timing of a stage: its lanes side by side (the longest lane), and — when the engine runs fewer
 * resource operations at once than the stage has lanes (`pulumi up --parallel`) — what that costs,
 * by list scheduling the stage's clusters on the engine's slots.
 */
import { eachFigure, estimateText, secondsText, ZERO, type EstimateFigures } from "./estimate";
import { type FieldProblem } from "./field-problems";
import { rolloutSpecSchema } from "./rollout-stages-schema";
import { fieldProblemsUnder } from "./validation";

/** One declared stage of a progressive rollout (rollout-stages-schema.ts validates it). */
export interface RolloutStageSpec {
  /** Letters, digits, '_' or '-'. */
  name: string;
  /** Clusters of this stage by name (also: clusters whose inventory entry names this stage). */
  clusters?: string[] | undefined;
  /**
   * Cumulative share of the non-canary clusters done once this stage has finished (e.g. 10, 50,
   * 100): the stage takes the next clusters in declaration order until the share is reached.
   */
  percent?: number | undefined;
}

/** The fleet's rollout as declared. */
export interface RolloutSpec {
  stages?: RolloutStageSpec[] | undefined;
  /** At most this many clusters of a stage at once (default: the whole stage). */
  maxInFlight?: number | undefined;
  /**
   * Failed clusters each stage may have while later stages still start (per stage, default 0; the
   * canary stage's is always 0). Above 0 the failed clusters are recorded as results and the `up`
   * still fails at the end (docs/user-guide.md, "Staged rollout").
   */
  failureBudget?: number | undefined;
}

export interface RolloutCluster {
  name: string;
  canary?: boolean | undefined;
  /** The stage an inventory entry names. */
  stage?: string | undefined;
}

export interface PlannedStage {
  name: string;
  /** In rollout order. */
  clusters: string[];
  /** Clusters one after another per lane; the lanes side by side (at most maxInFlight lanes). */
  lanes: string[][];
  /** Failed clusters of this stage its gate lets pass (the canary stage: 0). */
  failureBudget: number;
}

export interface RolloutPlan {
  stages: PlannedStage[];
  maxInFlight: number | undefined;
  failureBudget: number;
  /**
   * What preview warns about the spec: a budget at least a stage's cluster count (that stage's gate
   * would pass with every cluster failed).
   */
  warnings: string[];
}

export type RolloutPlanResult = { ok: true; plan: RolloutPlan } | { ok: false; problems: FieldProblem[] };

/** Round-robin into `maxInFlight` lanes (all side by side when unset). */
export function stageLanes(clusters: readonly string[], maxInFlight?: number): string[][] {
  const width = Math.max(1, Math.min(clusters.length, maxInFlight ?? clusters.length));
  const lanes: string[][] = Array.from({ length: width }, () => []);
  clusters.forEach((c, i) => lanes[i % width]?.push(c));
  return lanes.filter((l) => l.length > 0);
}

/** The stages of a fleet's rollout, or every problem of the rollout spec (field path and fix). */
export function planRollout(clusters: readonly RolloutCluster[], spec: RolloutSpec = {}): RolloutPlanResult {
  const parsed = rolloutSpecSchema.safeParse(spec);
  if (!parsed.success) return { ok: false, problems: fieldProblemsUnder("rollout", parsed.error) };
  const { stages: specs, maxInFlight, failureBudget } = parsed.data;
  const problems: FieldProblem[] = [];
  const problem = (property: string, reason: string): void => void problems.push({ property, reason });
  const known = new Map(clusters.map((c) => [c.name, c]));
  const placed = new Map<string, string>();
  const stageNames = new Set<string>(["canary"]);

  const canaries = clusters.filter((c) => c.canary === true).map((c) => c.name);
  canaries.forEach((c) => placed.set(c, "canary"));

  specs.forEach((s, i) => {
    if (stageNames.has(s.name))
      problem(
        `rollout.stages[${i}].name`,
        `"${s.name}" is ${s.name === "canary" ? "the canary stage's name" : "used twice"}; stage names must be unique`,
      );
    stageNames.add(s.name);
  });
  clusters.forEach((c, i) => {
    if (c.stage !== undefined && !specs.some((s) => s.name === c.stage))
      problem(
        `clusters[${i}].stage`,
        `names stage "${c.stage}", which rollout.stages does not declare; declare it or fix the name`,
      );
  });

  const rest = clusters.filter((c) => c.canary !== true).length;
  let lastPercent = 0;
  const out: PlannedStage[] = [];
  // A stage with no cluster (e.g. a percentage a small fleet has already reached) is left out.
  const stage = (name: string, names: string[], budget: number): PlannedStage[] =>
    names.length > 0
      ? [{ name, clusters: names, lanes: stageLanes(names, maxInFlight), failureBudget: budget }]
      : [];
  specs.forEach((s, i) => {
    const mine: string[] = [];
    const take = (name: string, at: string): void => {
      if (!known.has(name)) return problem(at, `"${name}" is not a cluster of the fleet; check the name`);
      const other = placed.get(name);
      if (other !== undefined)
        return problem(at, `"${name}" is already in stage "${other}"; a cluster is in one stage`);
      placed.set(name, s.name);
      mine.push(name);
    };
    (s.clusters ?? []).forEach((name, j) => take(name, `rollout.stages[${i}].clusters[${j}]`));
    clusters.forEach((c, j) => {
      if (c.stage === s.name) take(c.name, `clusters[${j}].stage`);
    });
    if (s.percent !== undefined) {
      if (s.percent < lastPercent)
        problem(
          `rollout.stages[${i}].percent`,
          `${s.percent} is below the ${lastPercent} of an earlier stage; percentages are cumulative (e.g. 10, 50, 100)`,
        );
      lastPercent = Math.max(lastPercent, s.percent);
      const due = Math.ceil((rest * s.percent) / 100);
      const done = (): number => [...placed.values()].filter((v) => v !== "canary").length;
      for (const c of clusters) {
        if (done() >= due) break;
        if (!placed.has(c.name) && c.stage === undefined) {
          placed.set(c.name, s.name);
          mine.push(c.name);
        }
      }
    }
    if (mine.length === 0 && s.percent === undefined && (s.clusters ?? []).length === 0)
      problem(
        `rollout.stages[${i}]`,
        "has no cluster: list clusters, tag clusters with this stage, or give a percent",
      );
    out.push(...stage(s.name, mine, failureBudget));
  });
  if (problems.length > 0) return { ok: false, problems };

  const left = clusters.filter((c) => !placed.has(c.name)).map((c) => c.name);
  const stages = [
    ...stage("canary", canaries, 0),
    ...out,
    ...stage(specs.length > 0 || canaries.length > 0 ? "rest" : "all", left, failureBudget),
  ];
  return { ok: true, plan: { stages, maxInFlight, failureBudget, warnings: budgetWarnings(stages) } };
}

/** A budget that lets a whole stage fail while a later stage still starts (the last stage has none). */
function budgetWarnings(stages: readonly PlannedStage[]): string[] {
  return stages
    .slice(0, -1)
    .filter((s) => s.failureBudget > 0 && s.failureBudget >= s.clusters.length)
    .map(
      (s) =>
        `rollout.failureBudget ${s.failureBudget} is at least the ${s.clusters.length} cluster${s.clusters.length === 1 ? "" : "s"} of stage "${s.name}": the next stage starts even when every one of them fails; lower the budget or make the stage larger`,
    );
}

export interface StageTiming {
  /** The stage with its lanes side by side (what it takes when the engine runs every lane at once). */
  figures: EstimateFigures;
  /** The cluster with the longest estimate. */
  slowest: string | null;
  /** Lanes, i.e. clusters the stage runs at once. */
  inFlight: number;
  /** When the engine's parallelism is below `inFlight`: the stage's figures on that many slots. */
  serialised?: { engineParallel: number; figures: EstimateFigures; extraSeconds: number };
}

/**
 * List scheduling of the stage on `slots` engine slots (Infinity: every lane at once): a cluster is
 * ready when its lane's previous cluster is done; ready clusters start in lane order while a slot is
 * free. `pick` chooses which figure is scheduled.
 */
function makespan(lanes: readonly string[][], length: (c: string) => number, slots: number): number {
  const next = lanes.map(() => 0);
  const readyAt = lanes.map(() => 0);
  const running: Array<{ lane: number; end: number }> = [];
  let now = 0;
  let end = 0;
  for (;;) {
    for (let l = 0; l < lanes.length && running.length < slots; l++) {
      const lane = lanes[l] ?? [];
      const i = next[l] ?? 0;
      if (i < lane.length && (readyAt[l] ?? 0) <= now && !running.some((r) => r.lane === l)) {
        running.push({ lane: l, end: now + length(lane[i] ?? "") });
        next[l] = i + 1;
      }
    }
    if (running.length === 0) return end;
    running.sort((a, b) => a.end - b.end);
    const done = running.shift();
    if (!done) return end;
    now = done.end;
    end = Math.max(end, now);
    readyAt[done.lane] = now;
  }
}

function scheduled(
  lanes: readonly string[][],
  estimates: ReadonlyMap<string, EstimateFigures>,
  slots: number,
): EstimateFigures {
  return eachFigure((k) => makespan(lanes, (c) => (estimates.get(c) ?? ZERO)[k], slots));
}

/** A stage's duration from its clusters' estimates, and what the engine's parallelism costs. */
export function stageTiming(
  stage: PlannedStage,
  estimates: ReadonlyMap<string, EstimateFigures>,
  engineParallel?: number,
): StageTiming {
  const figures = scheduled(stage.lanes, estimates, Infinity);
  const slowest = stage.clusters.reduce<string | null>(
    (a, c) => (a === null || (estimates.get(c)?.seconds ?? 0) > (estimates.get(a)?.seconds ?? 0) ? c : a),
    null,
  );
  const inFlight = stage.lanes.length;
  const timing: StageTiming = { figures, slowest, inFlight };
  if (engineParallel !== undefined && engineParallel > 0 && engineParallel < inFlight) {
    const slow = scheduled(stage.lanes, estimates, engineParallel);
    timing.serialised = { engineParallel, figures: slow, extraSeconds: slow.seconds - figures.seconds };
  }
  return timing;
}

/**
 * What preview says about a stage: clusters, lanes, estimate, failure budget (when the rollout's is
 * above 0), and the engine-parallelism cost and fix.
 */
export function stageSummary(
  position: string,
  stage: PlannedStage,
  timing: StageTiming,
  rolloutBudget = 0,
): string[] {
  const n = stage.clusters.length;
  const budget = rolloutBudget > 0 ? stage.failureBudget : undefined;
  const lines = [
    `stage ${position} "${stage.name}": ${n} cluster${n === 1 ? "" : "s"}, ${timing.inFlight} at a time; ${estimateText(timing.figures)}${timing.slowest && timing.figures.seconds > 0 ? `, slowest ${timing.slowest}` : ""}${budget === undefined ? "" : `; failure budget ${budget}`}`,
  ];
  const s = timing.serialised;
  if (s)
    lines.push(
      `engine parallelism ${s.engineParallel} runs only ${s.engineParallel} of the stage's ${timing.inFlight} clusters at once: about ${secondsText(s.figures.seconds)} instead of ${secondsText(timing.figures.seconds)} (+${secondsText(s.extraSeconds)}); run \`pulumi up --parallel ${timing.inFlight}\` or more`,
    );
  return lines;
}
