/**
 * The rollout stage gate (`RolloutStage`, one per stage of an `SpsFleet`): registered only after
 * every cluster of its stage has finished, and the next stage's clusters depend on it — so a stage
 * starts only after the one before it passed. Its `create`/`update` is the verification: every node
 * of every cluster of the stage runs its target (`nodeStates` all "on-target"); anything else fails
 * the gate, and no later stage starts. Preview shows the stage: its clusters, how many at once, its
 * estimated duration and what the engine's parallelism costs (`summary`). No appliance is contacted:
 * the facts are the clusters' own outputs.
 *
 * With a failure budget above 0 (`failureBudget`, docs/user-guide.md, "Staged rollout") a cluster's firmware
 * resource records its failure as a result (`outcomes`: "failed" and the redacted error) instead of
 * failing in the engine — the engine skips every dependent of a failed resource, so a later stage
 * could never start. The gate then fails only when more clusters of its stage failed than the budget;
 * within it the gate passes unverified (`verified: false`, `failed` names them) and the next stage
 * starts. The `final` gate after the last stage has budget 0 over every cluster of the fleet: it fails
 * the `up` whenever any cluster failed, so a user never sees a green run for a failed appliance.
 */
import type { CheckResult, DiffResult, ReadResult } from "@pulumi/pulumi/dynamic";
import { fieldProblems } from "../../core/validation";
import { rolloutStageInputSchema, type RolloutStageInputs } from "../../sdk/inputs";
import { declaredOf } from "../../sdk/wiring";
import { holdsUnknown } from "./context";

type Props = Record<string, unknown>;
export const ROLLOUT_STAGE_STATE_VERSION = 1;

const DECLARED = Object.keys(rolloutStageInputSchema.shape);

function declared(props: Props): Props {
  return declaredOf(props, DECLARED);
}

export async function check(_olds: Props, news: Props): Promise<CheckResult> {
  // Not known yet in a preview: the clusters' outputs.
  if (holdsUnknown(news)) return { inputs: news };
  const parsed = rolloutStageInputSchema.safeParse(declared(news));
  return parsed.success ? { inputs: news } : { inputs: news, failures: fieldProblems(parsed.error) };
}

/** Whether a gate's inputs name a failed cluster (such a gate decides again on every `up`). */
function namesFailure(props: Props): boolean {
  const failed = props["failed"];
  const outcomes = Object.values((props["outcomes"] ?? {}) as Record<string, { outcome?: unknown } | null>);
  return (
    (Array.isArray(failed) && failed.length > 0) ||
    outcomes.some((o) => o?.outcome !== undefined && o.outcome !== "succeeded")
  );
}

export async function diff(_id: string, olds: Props, news: Props): Promise<DiffResult> {
  // A gate that let a failed cluster pass (or is about to judge one) runs again: the `up` must fail
  // while any cluster of the fleet has failed, even when its outputs did not change.
  const changes =
    JSON.stringify(declared(olds)) !== JSON.stringify(declared(news)) ||
    namesFailure(olds) ||
    namesFailure(news);
  return { changes, stables: ["fleet", "stage"] };
}

/** Every node of every cluster of the stage on target, or the lines saying which is not. */
export function unverified(f: RolloutStageInputs): string[] {
  if (f.waitsFor !== undefined)
    return f.waitsFor
      .filter((l) => !l.endsWith(": verified"))
      .map((l) => `${l} (run that stack's \`pulumi up\` first)`);
  return [...clusterProblems(f).values()].flat();
}

/** Per cluster of the stage that failed or is not on target: the lines saying why (in stage order). */
export function clusterProblems(f: RolloutStageInputs): Map<string, string[]> {
  const out = new Map<string, string[]>();
  for (const cluster of f.clusters) {
    const lines: string[] = [];
    const outcome = f.outcomes?.[cluster];
    if (outcome !== undefined && outcome.outcome !== "succeeded")
      lines.push(`${cluster} ${outcome.outcome}: ${outcome.message ?? "no message recorded"}`);
    const nodes = f.nodeStates?.[cluster];
    if (nodes === undefined || Object.keys(nodes).length === 0)
      lines.push(`${cluster}: no node state recorded`);
    else
      for (const [node, s] of Object.entries(nodes))
        if (s.state !== "on-target")
          lines.push(`${cluster}/${node} is ${s.state} (runs ${s.version ?? "unknown"})`);
    if (lines.length > 0) out.set(cluster, lines);
  }
  return out;
}

function apply(news: Props): { id: string; outs: Props } {
  const f = rolloutStageInputSchema.parse(declared(news));
  const problems = unverified(f);
  const failed = f.waitsFor === undefined ? [...clusterProblems(f).keys()] : [];
  const budget = f.failureBudget ?? 0;
  if (f.final === true && problems.length > 0)
    throw new Error(
      `rollout ${f.fleet}: ${failed.length} cluster${failed.length === 1 ? "" : "s"} of the fleet failed (${failed.join(", ")}), so this \`up\` fails although later stages ran within the failure budget: ${problems.join("; ")}. Fix these clusters and run \`pulumi up\` again: it retries them from the state they are in.`,
    );
  if (problems.length > 0 && (f.waitsFor !== undefined || failed.length > budget))
    throw new Error(
      `rollout ${f.fleet}: stage ${f.position} "${f.stage}" is not verified${budget > 0 ? ` (${failed.length} failed clusters, failure budget ${budget})` : ""}, so no later stage starts: ${problems.join("; ")}. Fix these clusters and run \`pulumi up\` again.`,
    );
  return {
    id: `${f.fleet}/${f.stage}`,
    outs: {
      ...declared(news),
      // Within the budget the gate passes, but a stage with a failed cluster is not verified (other
      // stacks' `waitFor` needs verified).
      verified: problems.length === 0,
      // Only under a failure budget (budget 0: the outputs as before budgets existed).
      ...(f.failureBudget !== undefined ? { failed } : {}),
      stateVersion: ROLLOUT_STAGE_STATE_VERSION,
    },
  };
}

export async function create(news: Props): Promise<{ id: string; outs: Props }> {
  return apply(news);
}

export async function update(_id: string, _olds: Props, news: Props): Promise<{ outs: Props }> {
  return { outs: apply(news).outs };
}

export async function read(id: string, props: Props): Promise<ReadResult> {
  return { id, props };
}

export async function remove(): Promise<void> {}
