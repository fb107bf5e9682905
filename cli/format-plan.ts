/** The readable plan: per cluster, hops, then a table of waves with nodes and steps, then findings. */
import { ClusterPlan, PlanDocument, PlanStep } from "../provider/domain/plan";

interface NotCheckedFinding {
  status?: string;
}

function waveRows(steps: readonly PlanStep[]): string[] {
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
    rows.push(`  wave ${wave}${hop ? `  (hop ${hop} → ${list[0]?.version ?? ""})` : ""}`);
    const byNode = new Map<string, PlanStep[]>();
    for (const s of list) byNode.set(s.node, [...(byNode.get(s.node) ?? []), s]);
    for (const [node, ns] of byNode) {
      const actions = ns.map((s) => (s.plugin ? `${s.action}(${s.plugin})` : s.action)).join(" → ");
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
    lines.push(...waveRows(c.steps));
  }
  const checked = c.findings.filter((f) => (f as NotCheckedFinding).status !== "not-checked");
  const notChecked = c.findings.filter((f) => (f as NotCheckedFinding).status === "not-checked");
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

export function formatPlan(doc: PlanDocument): string {
  if (doc.clusters.length === 0) return "No clusters in the fleet: nothing to do.\n";
  return doc.clusters.map(clusterText).join("\n\n") + "\n";
}
