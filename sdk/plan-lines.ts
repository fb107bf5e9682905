/**
 * The plan as readable lines for `plannedActions`: what `pulumi preview --diff` prints for a cluster.
 * Pure. One line per hop, then one line per step in `seq` order (wave, hop, node, action),
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

/**
 * One line per step, in `seq` order: `wave 3 hop 1 #12 sm: reboot 6.0.12`. One line each, because
 * the engine shortens long strings in its diff display.
 */
export function waveLines(steps: readonly PlanStep[]): string[] {
  return steps.map((s) => {
    const hop = s.hop === null ? "" : ` hop ${s.hop}`;
    return `wave ${s.wave}${hop} #${s.seq} ${s.node}: ${stepText(s)}`;
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

/** The engine shows at most this many characters of a string in its diff display (then "..."). */
export const DIFF_LINE_LIMIT = 150;

/**
 * `text` cut at spaces into lines the engine shows whole (≤ `limit` characters), continuation lines
 * indented by four spaces — so a finding's fix ("declare settings.X for this node") is never cut off.
 */
export function wrapForDiff(text: string, limit: number = DIFF_LINE_LIMIT): string[] {
  const lines: string[] = [];
  let rest = text;
  let indent = "";
  while (indent.length + rest.length > limit) {
    const room = limit - indent.length;
    const cut = rest.lastIndexOf(" ", room);
    const at = cut > room / 2 ? cut : room;
    lines.push(indent + rest.slice(0, at));
    rest = rest.slice(at).trimStart();
    indent = "    ";
  }
  lines.push(indent + rest);
  return lines;
}

/** One finding per line, wrapped where the engine would shorten it. */
export function findingLines(plan: ClusterPlan): string[] {
  return plan.findings.flatMap((f) => wrapForDiff(findingLine(f)));
}
