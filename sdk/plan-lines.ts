/**
 * The plan as readable lines for `plannedActions`: what `pulumi preview --diff` prints for a cluster.
 * Pure. One line per hop, then one line per node per wave with that node's steps in `seq` order,
 * then one line per finding. Lines are stable for a given plan, so a converged cluster (no steps)
 * renders to an empty list and a second `up` shows no change.
 */
import type { ClusterPlan, Finding, PlanStep } from "../provider/domain/plan";

function stepText(step: PlanStep): string {
  const detail = step.plugin ?? step.version;
  return detail === undefined ? step.action : `${step.action} ${detail}`;
}

/** `hop 1: 5.0.3 -> 5.0.9`, ... */
export function hopLines(plan: ClusterPlan): string[] {
  return plan.hops.map((h, i) => `hop ${i + 1}: ${h.from} -> ${h.to}`);
}

/** `wave 3 (hop 1) sm: upload-firmware 6.0.7 > test-firmware > ...` — one line per node per wave. */
export function waveLines(steps: readonly PlanStep[]): string[] {
  interface Group {
    wave: number;
    node: string;
    hop: number | null;
    steps: PlanStep[];
  }
  const groups: Group[] = [];
  const index = new Map<string, Group>();
  for (const step of steps) {
    const key = `${step.wave}\u0000${step.node}`;
    let group = index.get(key);
    if (!group) {
      group = { wave: step.wave, node: step.node, hop: step.hop, steps: [] };
      index.set(key, group);
      groups.push(group);
    }
    group.steps.push(step);
  }
  return groups.map((g) => {
    const hop = g.hop === null ? "" : ` (hop ${g.hop})`;
    return `wave ${g.wave}${hop} ${g.node}: ${g.steps.map(stepText).join(" > ")}`;
  });
}

export function findingLine(f: Finding): string {
  return `${f.severity} ${f.rule}${f.node === undefined ? "" : ` ${f.node}`}: ${f.message}`;
}

/** Everything `plannedActions` shows: hops, waves, findings. Empty when there is nothing to do. */
export function plannedActionLines(plan: ClusterPlan): string[] {
  if (plan.steps.length === 0) return [];
  return [...hopLines(plan), ...waveLines(plan.steps)];
}

export function findingLines(plan: ClusterPlan): string[] {
  return plan.findings.map(findingLine);
}
