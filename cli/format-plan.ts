/** The readable plan: per cluster, hops, then a table of waves with nodes and steps, then findings. */
import { secondsText, type WaveEstimate } from "../core/estimate";
import { windowVerdict } from "../core/maintenance-window";
import { ClusterPlan, PlanDocument, PlanStep } from "../core/plan";

function waveTime(w: WaveEstimate | undefined): string {
  if (!w) return "";
  const slowest = w.nodes.length > 1 ? `, slowest ${w.slowest}` : "";
  return `  ~${secondsText(w.seconds)} (from ${secondsText(w.lowSeconds)}${slowest})`;
}

function waveRows(steps: readonly PlanStep[], waves: readonly WaveEstimate[] = []): string[] {
  const rows: string[] = [];
  const byWave = new Map<number, PlanStep[]>();
  for (const s of steps) {
    const list = byWave.get(s.wave) ?? [];
    list.push(s);
    byWave.set(s.wave, list);
  }
  const nameWidth = Math.max(4, ...steps.map((s) => s.node.length));
  for (const [wave, list] of byWave) {
    const hop = list[0]?.hop;
    const time = waveTime(waves.find((w) => w.wave === wave));
    rows.push(`  wave ${wave}${hop ? `  (hop ${hop} → ${list[0]?.version ?? ""})` : ""}${time}`);
    const byNode = new Map<string, PlanStep[]>();
    for (const s of list) byNode.set(s.node, [...(byNode.get(s.node) ?? []), s]);
    for (const [node, ns] of byNode) {
      const actions = ns
        .map((s) => (s.plugin ? `${s.action}(${s.plugin})` : s.host ? `${s.action}(${s.host})` : s.action))
        .join(" → ");
      rows.push(`    ${node.padEnd(nameWidth)}  ${actions}`);
      for (const s of ns) if (s.command) rows.push(`    ${"".padEnd(nameWidth)}    $ ${s.command}`);
    }
  }
  return rows;
}

function clusterText(c: ClusterPlan): string {
  const lines: string[] = [];
  lines.push(`Cluster ${c.name} → ${c.target}`);
  if (c.hops.length === 0) lines.push("  hops: none (nothing to upgrade)");
  else lines.push(`  hops: ${[c.hops[0]?.from, ...c.hops.map((h) => h.to)].join(" → ")}`);
  if (c.steps.length > 0) {
    lines.push(`  steps: ${c.steps.length} in ${c.steps[c.steps.length - 1]?.wave ?? 0} wave(s)`);
    lines.push(...waveRows(c.steps, c.estimate?.waves));
  }
  lines.push(...estimateRows(c));
  const checked = c.findings.filter((f) => f.status !== "not-checked");
  const notChecked = c.findings.filter((f) => f.status === "not-checked");
  for (const sev of ["error", "warning"] as const) {
    const list = checked.filter((f) => f.severity === sev);
    if (list.length === 0) continue;
    lines.push(`  ${sev === "error" ? "BLOCKING" : "warnings"}:`);
    for (const f of list) lines.push(`    [${f.rule}] ${f.node ? `${f.node}: ` : ""}${f.message}`);
  }
  if (notChecked.length > 0) {
    const byRule = new Map<string, Set<string>>();
    for (const f of notChecked) byRule.set(f.rule, (byRule.get(f.rule) ?? new Set()).add(f.node ?? "-"));
    const summary = [...byRule].map(
      ([rule, nodes]) => `${rule} (${nodes.size} node${nodes.size > 1 ? "s" : ""})`,
    );
    lines.push(`  not checked (facts not declared; --json lists them): ${summary.join(", ")}`);
  }
  return lines.join("\n");
}

/** Estimate, window, and what runs in service afterwards (S10), one line each. */
function estimateRows(c: ClusterPlan): string[] {
  const e = c.estimate;
  if (!e || c.steps.length === 0) return [];
  const rows = [`  estimate: ${e.text}`];
  if (c.maintenanceWindow) {
    const { fits } = windowVerdict(e.seconds, c.maintenanceWindow);
    rows.push(`  maintenance window: ${c.maintenanceWindow.text} (${fits ? "fits" : "does NOT fit, P13"})`);
  }
  const imports = e.inService.filter((w) => w.seconds !== undefined);
  if (imports.length > 0) {
    const nodes = new Set(imports.map((w) => w.node)).size;
    rows.push(
      `  afterwards, in service (not waited for, S10): metadb import ${secondsText(imports[0]?.lowSeconds ?? 0)} – ${secondsText(imports[0]?.seconds ?? 0)} after each reboot on ${nodes} node(s), then a background database upgrade (days)`,
    );
  }
  return rows;
}

export function formatPlan(doc: PlanDocument): string {
  if (doc.clusters.length === 0) return "No clusters in the fleet: nothing to do.\n";
  const fleet =
    doc.estimate && doc.clusters.length > 1
      ? `\n\nFleet: ${doc.estimate.text}\n${doc.estimate.stages
          .map(
            (s) => `  stage ${s.name}: ${s.clusters.join(", ")} at the same time, ~${secondsText(s.seconds)}`,
          )
          .join("\n")}`
      : "";
  return doc.clusters.map(clusterText).join("\n\n") + fleet + "\n";
}
