/**
 * The plan as readable lines for `plannedActions`: what `pulumi preview --diff` prints for a cluster.
 * Pure. One line per hop, then one line per step in `seq` order (wave, hop, node, action),
 * then the estimate (one line per wave, the total, the window), then one line per finding. Lines are stable for a given plan, so a converged cluster (no steps)
 * renders to an empty list and a second `up` shows no change.
 */
import { secondsText, type ClusterEstimate, type EstimateFigures } from "../core/estimate";
import { windowVerdict } from "../core/maintenance-window";
import type { ClusterPlan, Finding, PlanStep } from "../core/plan";

function stepText(step: PlanStep): string {
  const detail = step.plugin ?? step.version;
  const text = detail === undefined ? step.action : `${step.action} ${detail}`;
  // fetch-firmware: the host the appliance downloads from (never the URL's userinfo, path or query).
  return step.host !== undefined ? `${text} from ${step.host}` : text;
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

/**
 * Each step's line, then the exact command it runs on a host (indexer steps: `  $ yum upgrade -y …`), as
 * `sps-upgrade plan` prints them.
 */
export function stepAndCommandLines(steps: readonly PlanStep[]): string[] {
  return steps.flatMap((s) => [...waveLines([s]), ...(s.command ? commandLines(s.command) : [])]);
}

/**
 * A planned command as lines of their own, one per `&&` part: the engine shortens strings over 150
 * characters in its diff display, and a backup of both configuration files is longer than that.
 */
export function commandLines(command: string): string[] {
  return command.split(" && ").map((part) => `  $ ${part}`);
}

/** Everything `plannedActions` shows: hops, steps, then the estimate. Empty when there is nothing to do. */
export function plannedActionLines(plan: ClusterPlan): string[] {
  if (plan.steps.length === 0) return [];
  return [...hopLines(plan), ...stepAndCommandLines(plan.steps), ...estimateLines(plan)];
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

/** ClusterFirmware's `estimate` output (./resources.ts documents it); the policy pack reads `seconds` (P13). */
export interface EstimateProperty extends EstimateFigures {
  text: string;
}

export const NOTHING_TO_DO: EstimateProperty = {
  seconds: 0,
  text: "nothing to do",
  lowSeconds: 0,
  deadlineSeconds: 0,
};

export function estimateProperty(plan: ClusterPlan): EstimateProperty {
  const e = plan.estimate;
  if (!e) return NOTHING_TO_DO;
  return { seconds: e.seconds, text: e.text, lowSeconds: e.lowSeconds, deadlineSeconds: e.deadlineSeconds };
}

/**
 * The estimate per wave and node and what runs in service afterwards, for `sps-upgrade render`
 * (its Gantt chart). Under a `__` key, which the engine never prints: `pulumi preview --diff`
 * stays short, `pulumi preview --json` carries it. Short: the engine aligns the printed keys to the
 * longest key, hidden ones included.
 */
export const ESTIMATE_DETAIL_KEY = "__estimate";

export function estimateDetail(plan: ClusterPlan): Pick<ClusterEstimate, "waves" | "inService"> {
  return { waves: plan.estimate?.waves ?? [], inService: plan.estimate?.inService ?? [] };
}

/**
 * Estimate lines at the end of `plannedActions` (only when there are steps): one per wave, the
 * cluster's total, the declared window and what it does not wait for (S10).
 */
export function estimateLines(plan: ClusterPlan): string[] {
  const e = plan.estimate;
  if (!e || plan.steps.length === 0) return [];
  const lines = e.waves.map(
    (w) =>
      `estimate wave ${w.wave}: ~${secondsText(w.seconds)} (from ${secondsText(w.lowSeconds)}${w.nodes.length > 1 ? `, slowest ${w.slowest}` : ""})`,
  );
  lines.push(`estimate: ${e.text}`);
  const window = plan.maintenanceWindow;
  if (window) {
    const { fits } = windowVerdict(e.seconds, window);
    lines.push(`maintenance window: ${window.text} (${fits ? "fits" : "does not fit: P13"})`);
  }
  if (e.inService.some((w) => w.seconds !== undefined)) {
    lines.push("not waited for (in service, S10): metadb import 30-40 min after each reboot");
  }
  return lines;
}

/** One step line of `plannedActions` read back (`sps-upgrade render`): the inverse of `waveLines`. */
export interface StepLine {
  wave: number;
  hop: number | null;
  seq: number;
  node: string;
  /** The action and its detail (plugin or version), as printed: `reboot 6.3.0`. */
  text: string;
}

const STEP_LINE = /^wave (\d+)(?: hop (\d+))? #(\d+) ([^:]+): (.+)$/;
const HOP_LINE = /^hop (\d+): (\S+) -> (\S+)$/;

export function parseStepLine(line: string): StepLine | undefined {
  const m = STEP_LINE.exec(line);
  if (!m) return undefined;
  return {
    wave: Number(m[1]),
    hop: m[2] === undefined ? null : Number(m[2]),
    seq: Number(m[3]),
    node: m[4] ?? "",
    text: m[5] ?? "",
  };
}

export function parseHopLine(line: string): { hop: number; from: string; to: string } | undefined {
  const m = HOP_LINE.exec(line);
  return m ? { hop: Number(m[1]), from: m[2] ?? "", to: m[3] ?? "" } : undefined;
}

/** `planFindings` read back (`sps-upgrade render`): continuation lines joined, the inverse of `findingLines`. */
export function parseFindingLines(lines: readonly string[]): Finding[] {
  const joined: string[] = [];
  for (const l of lines) {
    if (l.startsWith("    ") && joined.length > 0) joined[joined.length - 1] += ` ${l.trimStart()}`;
    else joined.push(l);
  }
  return joined.flatMap((l) => {
    const m = /^(error|warning) (\S+?)(?: ([^:]+))?: (.*)$/.exec(l);
    if (!m) return [];
    const f: Finding = {
      rule: m[2] ?? "",
      severity: m[1] === "error" ? "error" : "warning",
      message: m[4] ?? "",
    };
    if (m[3] !== undefined) f.node = m[3];
    return [f];
  });
}
