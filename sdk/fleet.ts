/**
 * `SpsFleet`: the progressive rollout of many clusters (core/rollout-stages.ts). The canary
 * clusters first, then the declared stages, then the rest; within a stage at most `maxInFlight`
 * clusters at once (lanes: each cluster depends on the one before it in its lane). After each stage a
 * gate (`RolloutStage`) is registered only once every cluster of the stage has finished; it verifies
 * that every node runs its target, and the next stage's clusters depend on it — a failed cluster stops
 * every later stage from starting, while the clusters already running finish their step (the engine
 * never cancels a running operation; each cluster stops at its own safe point). `waitFor` holds the
 * first stage until gates of other stacks have passed (a StackReference to their `gates` output).
 *
 * `rollout.failureBudget` above 0: the clusters record a failed firmware run as their `outcome`
 * instead of failing in the engine (which would skip every later stage), each stage's gate lets at
 * most that many failed clusters of its stage pass, and a last gate (`<fleet>-result`, over every
 * cluster) fails the `up` when any cluster failed. Within a lane a cluster does not start once more
 * clusters before it in the lane failed than the stage's budget (its stage can no longer pass).
 * Budget 0 is the engine's own behaviour.
 *
 * Preview shows each stage with its clusters, how many run at once, its estimated duration (from the
 * clusters' `estimate`, docs/estimate.md) and — when the engine's parallelism
 * (`pulumi up --parallel`) is below the stage's clusters in flight — the cost in time and the fix.
 */
import * as pulumi from "@pulumi/pulumi";
import { figuresOf } from "../core/estimate";
import {
  planRollout,
  stageSummary,
  stageTiming,
  type PlannedStage,
  type RolloutSpec,
} from "../core/rollout-stages";
import { describeProblems } from "../core/validation";
import { FLEET_BUDGET, SpsCluster, type FleetRunArgs, type SpsClusterArgs } from "./cluster";
import { clustersFromInventory, type FleetInventoryArgs } from "./fleet-inventory";
import { RolloutStage } from "./rollout-stage";
import { catalogDocument, type CatalogInput } from "./catalog-input";

export interface FleetClusterArgs extends SpsClusterArgs {
  /** The rollout stage the cluster belongs to (`rollout.stages[].name`). */
  stage?: string;
}

export interface SpsFleetArgs {
  clusters: FleetClusterArgs[];
  /** Stages after the canary, clusters in flight, failure budget (docs/user-guide.md, "Staged rollout"). */
  rollout?: RolloutSpec;
  /**
   * Gates of other stacks the first stage waits for, by label: e.g. `{ "site-a canary":
   * siteA.getOutput("gates").apply((g) => g?.canary) }`. The first stage starts only when every one
   * reads `{ verified: true }`.
   */
  waitFor?: Record<string, pulumi.Input<unknown>>;
  /**
   * Releases beyond the bundled catalog for every cluster that declares none (the CLI's `--catalog`): a
   * catalog file's path or the catalog object (SpsClusterArgs.catalog).
   */
  catalog?: CatalogInput;
}

/** What a stack exports of a passed gate (`SpsFleet.gates`), read by other stacks' `waitFor`. */
export interface GateOutput {
  stage: string;
  verified: boolean;
  clusters: string[];
  /** With a failure budget above 0: failed clusters the stage's budget let pass (empty when verified). */
  failed?: string[];
}

/**
 * Under a failure budget above 0 a cluster's license, plugins and indexer packages would run after a
 * firmware failure recorded as a result: refused, naming the cluster and the fix.
 */
export function budgetProblems(clusters: readonly FleetClusterArgs[], budget: number): string[] {
  if (budget <= 0) return [];
  return clusters.flatMap((c, i) => {
    const extra = [
      ...(c.license ? ["license"] : []),
      ...((c.plugins ?? []).length > 0 ? ["plugins"] : []),
      ...((c.indexers ?? []).length > 0 ? ["indexers"] : []),
    ];
    return extra.length > 0
      ? [
          `clusters[${i}] (${c.cluster ?? i}): declares ${extra.join(", ")}, which rollout.failureBudget ${budget} does not cover (they would run after a failed firmware upgrade); declare them in an SpsCluster outside the fleet, or set rollout.failureBudget to 0`,
        ]
      : [];
  });
}

/**
 * The engine's parallelism as the program sees it (`pulumi up --parallel N`): the Node.js SDK's
 * PULUMI_NODEJS_PARALLEL, which @pulumi/pulumi's `run` sets from the language host's `--parallel`;
 * undefined when unknown or unlimited.
 */
export function engineParallelism(env: NodeJS.ProcessEnv = process.env): number | undefined {
  const n = Number.parseInt(env["PULUMI_NODEJS_PARALLEL"] ?? "", 10);
  return Number.isFinite(n) && n > 0 && n < 1_000_000 ? n : undefined;
}

function gateVerified(v: unknown): boolean {
  return typeof v === "object" && v !== null && (v as { verified?: unknown }).verified === true;
}

/** The lane's failed (or held) clusters after `cluster`: those before it, and it when it did not succeed. */
export function laneFailures(
  before: pulumi.Input<string[]>,
  cluster: string,
  outcome: pulumi.Input<{ outcome: string }>,
): pulumi.Output<string[]> {
  return pulumi
    .all([before, outcome])
    .apply(([list, o]) => (o.outcome === "succeeded" ? list : [...list, cluster]));
}

/** Per cluster name, the cluster's node states (the gates' input). */
function nodeStatesOf(names: readonly string[], clusters: readonly SpsCluster[]) {
  return pulumi
    .all(clusters.map((c) => c.nodes))
    .apply((states) => Object.fromEntries(names.map((c, i) => [c, states[i] ?? {}])));
}

/** Per cluster name, what its last firmware run came to (the gates' input under a failure budget). */
function outcomesOf(names: readonly string[], clusters: readonly SpsCluster[]) {
  return pulumi
    .all(clusters.map((c) => c.outcome))
    .apply((list) => Object.fromEntries(names.map((c, i) => [c, list[i] ?? { outcome: "succeeded" }])));
}

export class SpsFleet extends pulumi.ComponentResource {
  /** In rollout order: the canary clusters, then stage by stage. */
  readonly clusters: SpsCluster[];
  /** The stages in order, with their clusters and gate. */
  readonly stages: Array<{ name: string; clusters: SpsCluster[]; gate: RolloutStage }>;
  /** Per stage name, the gate's outcome: export it for other stacks' `waitFor`. */
  readonly gates: pulumi.Output<Record<string, GateOutput>>;
  /**
   * With `rollout.failureBudget` above 0: the last gate, over every cluster of the fleet, which
   * fails the `up` when any cluster failed (the stages' gates let failures within the budget pass).
   */
  readonly result: RolloutStage | undefined;

  constructor(name: string, args: SpsFleetArgs, opts?: pulumi.ComponentResourceOptions) {
    super("sps:index:SpsFleet", name, {}, opts);
    // Resource names as before stages existed: the canaries, then the rest, in declaration order.
    const ordered = [
      ...args.clusters.filter((c) => c.canary === true),
      ...args.clusters.filter((c) => c.canary !== true),
    ].map((c, i) => ({ ...c, cluster: c.cluster ?? `${name}-${i}` }));
    const byName = new Map(ordered.map((c) => [c.cluster, c]));
    const refs = ordered.map((c) => ({ name: c.cluster, canary: c.canary, stage: c.stage }));
    const planned = planRollout(refs, args.rollout ?? {});
    // Read once for the whole fleet (a path), handed to each cluster as the object.
    const catalog =
      args.catalog === undefined ? undefined : catalogDocument(`SpsFleet ${name}: catalog`, args.catalog);
    if (!planned.ok) throw new pulumi.RunError(`SpsFleet ${name}:\n${describeProblems(planned.problems)}`);
    const stages = planned.plan.stages;
    const budget = planned.plan.failureBudget;
    const refused = budgetProblems(args.clusters, budget);
    if (refused.length > 0)
      throw new pulumi.RunError(`SpsFleet ${name}:\n${refused.map((r) => `  ${r}`).join("\n")}`);
    if (pulumi.runtime.isDryRun())
      for (const w of planned.plan.warnings) void pulumi.log.warn(`SpsFleet ${name}: ${w}`, this);
    const parallel = engineParallelism();

    let before: pulumi.Resource[] =
      args.waitFor && Object.keys(args.waitFor).length > 0 ? [this.waitGate(name, args.waitFor)] : [];
    const built: Array<{ name: string; clusters: SpsCluster[]; gate: RolloutStage }> = [];
    stages.forEach((stage, k) => {
      const made = new Map<string, SpsCluster>();
      for (const lane of stage.lanes) {
        let previous: SpsCluster | undefined;
        // Under a budget: the clusters before this one in its lane that failed or were held.
        let failedBefore: pulumi.Output<string[]> = pulumi.output([]);
        for (const clusterName of lane) {
          const entry = byName.get(clusterName);
          if (!entry) throw new Error(`SpsFleet ${name}: no cluster "${clusterName}"`);
          const clusterArgs: FleetRunArgs & { stage?: string } = {
            ...(catalog && entry.catalog === undefined ? { catalog } : {}),
            ...entry,
            ...(budget > 0 ? { [FLEET_BUDGET]: { budget: stage.failureBudget, failedBefore } } : {}),
          };
          delete clusterArgs.stage;
          const cluster: SpsCluster = new SpsCluster(entry.cluster, clusterArgs, {
            parent: this,
            dependsOn: [...before, ...(previous ? [previous] : [])],
          });
          made.set(clusterName, cluster);
          previous = cluster;
          if (budget > 0) failedBefore = laneFailures(failedBefore, clusterName, cluster.outcome);
        }
      }
      const clusters = stage.clusters.map((c) => made.get(c) as SpsCluster);
      const gate = this.stageGate(name, `${k + 1}/${stages.length}`, stage, clusters, parallel, budget);
      built.push({ name: stage.name, clusters, gate });
      before = [gate];
    });
    this.stages = built;
    this.clusters = built.flatMap((s) => s.clusters);
    const everyCluster = stages.flatMap((s) => s.clusters);
    this.result = budget > 0 ? this.resultGate(name, everyCluster, this.clusters, before) : undefined;
    this.gates = pulumi
      .all(built.map((s) => pulumi.all([s.gate.verified, s.gate.clusters, s.gate.failed])))
      .apply((rows) =>
        Object.fromEntries(
          rows.map(([verified, clusters, failed], i) => [
            built[i]?.name ?? String(i),
            {
              stage: built[i]?.name ?? String(i),
              verified: verified === true,
              clusters: clusters ?? [],
              ...(budget > 0 ? { failed: failed ?? [] } : {}),
            },
          ]),
        ),
      );
    this.registerOutputs({ gates: this.gates });
  }

  private stageGate(
    fleet: string,
    position: string,
    stage: PlannedStage,
    clusters: SpsCluster[],
    parallel: number | undefined,
    budget: number,
  ): RolloutStage {
    // The clusters' estimates (computed in check, so known in preview; 0 s once converged).
    const summary = pulumi.all(clusters.map((c) => c.estimate)).apply((list) => {
      const estimates = new Map(stage.clusters.map((c, i) => [c, figuresOf(list[i])]));
      const lines = stageSummary(position, stage, stageTiming(stage, estimates, parallel), budget);
      if (pulumi.runtime.isDryRun()) {
        void pulumi.log.info(`rollout ${lines[0] ?? ""}`, this);
        if (lines[1]) void pulumi.log.warn(`rollout stage ${position} "${stage.name}": ${lines[1]}`, this);
      }
      return lines;
    });
    return new RolloutStage(
      `${fleet}-stage-${stage.name}`,
      {
        fleet,
        stage: stage.name,
        position,
        clusters: stage.clusters,
        inFlight: stage.lanes.length,
        summary,
        nodeStates: nodeStatesOf(stage.clusters, clusters),
        ...(budget > 0
          ? { failureBudget: stage.failureBudget, outcomes: outcomesOf(stage.clusters, clusters) }
          : {}),
      },
      { parent: this, dependsOn: clusters },
    );
  }

  /** The last gate under a failure budget above 0: any failed cluster of the fleet fails the `up`. */
  private resultGate(
    fleet: string,
    names: string[],
    clusters: SpsCluster[],
    before: pulumi.Resource[],
  ): RolloutStage {
    return new RolloutStage(
      `${fleet}-result`,
      {
        fleet,
        stage: "result",
        position: "result",
        clusters: names,
        inFlight: 1,
        summary: [`result: every one of the fleet's ${names.length} clusters on target, none failed`],
        nodeStates: nodeStatesOf(names, clusters),
        failureBudget: 0,
        outcomes: outcomesOf(names, clusters),
        final: true,
      },
      { parent: this, dependsOn: [...before, ...clusters] },
    );
  }

  /** The gate before the first stage: every `waitFor` entry must read `{ verified: true }`. */
  private waitGate(fleet: string, waitFor: Record<string, pulumi.Input<unknown>>): RolloutStage {
    const labels = Object.keys(waitFor);
    const waitsFor = pulumi.all(labels.map((l) => pulumi.output(waitFor[l]))).apply((values) => {
      const lines = labels.map(
        (l, i) => `${l}: ${gateVerified(values[i]) ? "verified" : "not verified yet"}`,
      );
      if (pulumi.runtime.isDryRun() && lines.some((l) => l.endsWith("not verified yet")))
        void pulumi.log.warn(
          `rollout waits for ${lines.filter((l) => l.endsWith("not verified yet")).join(", ")}: \`pulumi up\` will not start the first stage until it is`,
          this,
        );
      return lines;
    });
    return new RolloutStage(
      `${fleet}-waits`,
      {
        fleet,
        stage: "waits",
        position: "0",
        clusters: labels,
        inFlight: 1,
        summary: waitsFor,
        waitsFor,
      },
      { parent: this },
    );
  }

  /**
   * The fleet of an inventory file (docs/user-guide.md, "Large fleets: the inventory file"): one cluster per inventory entry,
   * with what is the same for every cluster (firmware, system control, license ...) from `args`.
   * Throws naming the file, every bad field and its fix.
   */
  static fromInventory(
    name: string,
    args: FleetInventoryArgs & Pick<SpsFleetArgs, "rollout" | "waitFor">,
    opts?: pulumi.ComponentResourceOptions,
  ): SpsFleet {
    const { rollout, waitFor, ...rest } = args;
    return new SpsFleet(
      name,
      {
        clusters: clustersFromInventory(rest),
        ...(rollout ? { rollout } : {}),
        ...(waitFor ? { waitFor } : {}),
      },
      opts,
    );
  }
}
