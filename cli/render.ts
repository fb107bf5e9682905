/**
 * `pulumi preview --json` as markdown for a pull-request comment: the fleet's estimate, then per
 * cluster the hops, a table of waves (nodes, steps, estimate), the estimate against the maintenance
 * window (P13), the findings, and a Mermaid Gantt chart of the rollout. Pure.
 */
import { estimateStages, secondsText } from "../core/estimate";
import { windowVerdict } from "../core/maintenance-window";
import type { Finding } from "../core/plan";
import { rolloutGantt, rolloutStages } from "./gantt";
import type { PreviewCluster, PreviewSummary } from "./preview-json";

/** Table cells: no pipes or line breaks. */
function cell(text: string): string {
  return text.replace(/\|/g, "\\|").replace(/\r?\n/g, " ");
}

function windowLine(c: PreviewCluster): string | undefined {
  if (!c.window) return undefined;
  const text = c.window.text ?? secondsText(c.window.seconds);
  if (!c.estimate) return `**Maintenance window:** ${text}`;
  const v = windowVerdict(c.estimate.seconds, c.window);
  return v.fits
    ? `**Maintenance window:** ${text} — fits (${secondsText(v.spareSeconds)} to spare)`
    : `**Maintenance window:** ${text} — **does not fit** (over by ${secondsText(v.overSeconds)}, rule P13)`;
}

function waveTable(c: PreviewCluster): string[] {
  const rows = ["| wave | hop | node | steps | estimate |", "| ---: | --- | --- | --- | ---: |"];
  const waves = [...new Set(c.steps.map((s) => s.wave))];
  for (const wave of waves) {
    const inWave = c.steps.filter((s) => s.wave === wave);
    const est = c.waves.find((w) => w.wave === wave);
    const hop = inWave[0]?.hop;
    const hopText = hop ? `${hop}: → ${c.hops[hop - 1]?.to ?? "?"}` : "–";
    for (const node of [...new Set(inWave.map((s) => s.node))]) {
      const n = est?.nodes.find((x) => x.node === node);
      const time = n
        ? `~${secondsText(n.seconds)}${est && est.nodes.length > 1 && est.slowest === node ? " (slowest)" : ""}`
        : "";
      // The hop column names the version: steps show their action (and plugin).
      const version = hop ? c.hops[hop - 1]?.to : c.resolvedTarget;
      const steps = inWave
        .filter((s) => s.node === node)
        .map((s) =>
          version && s.text.endsWith(` ${version}`) ? s.text.slice(0, -version.length - 1) : s.text,
        );
      rows.push(`| ${wave} | ${hopText} | ${cell(node)} | ${cell(steps.join(" → "))} | ${time} |`);
    }
  }
  return rows;
}

function findingRows(findings: readonly Finding[]): string[] {
  const order = [...findings].sort((a, b) =>
    a.severity === b.severity ? 0 : a.severity === "error" ? -1 : 1,
  );
  return order.map(
    (f) =>
      `- ${f.severity === "error" ? "**BLOCKING**" : "warning"} **${f.rule}**${f.node ? ` \`${f.node}\`` : ""}: ${f.message}`,
  );
}

function clusterSection(c: PreviewCluster): string[] {
  const target =
    c.resolvedTarget && c.resolvedTarget !== c.target ? `${c.target} (${c.resolvedTarget})` : c.target;
  const out = [`## Cluster \`${c.name}\` → ${target}${c.canary ? " (canary)" : ""}`, ""];
  if (c.steps.length === 0) {
    out.push("Nothing to do: every node runs the target.", "");
  } else {
    out.push(`**Hops:** ${[c.hops[0]?.from, ...c.hops.map((h) => h.to)].filter(Boolean).join(" → ")}  `);
    if (c.estimate) out.push(`**Estimate:** ${c.estimate.text}  `);
    const w = windowLine(c);
    if (w) out.push(`${w}  `);
    out.push("", ...waveTable(c), "");
    const imports = c.inService.filter((x) => x.seconds !== undefined);
    if (imports.length > 0) {
      out.push(
        `Not waited for (in service, rule S10): the metadb import after each reboot (${secondsText(imports[0]?.lowSeconds ?? 0)} – ${secondsText(imports[0]?.seconds ?? 0)}, REST search incomplete meanwhile), then a background database upgrade that can take days.`,
        "",
      );
    }
  }
  if (c.findings.length > 0) out.push("**Findings**", "", ...findingRows(c.findings), "");
  return out;
}

export function renderPreview(preview: PreviewSummary): string {
  const out = ["# SPS upgrade plan", ""];
  if (preview.errors.length > 0) {
    out.push("**The preview failed:**", "", ...preview.errors.map((e) => `- ${e.replace(/\n+/g, " ")}`), "");
  }
  if (preview.clusters.length === 0) {
    out.push("No SPS cluster firmware in this preview.");
    return `${out.join("\n")}\n`;
  }
  const stages = rolloutStages(preview.clusters);
  const fleet = estimateStages(
    stages.map((st, i) => ({
      name: stages.length > 1 && i === 0 ? "canary" : "rest",
      clusters: st.flatMap((c) => (c.estimate ? [{ name: c.name, estimate: c.estimate }] : [])),
    })),
  );
  out.push(`**Fleet estimate:** ${fleet.text}`, "");
  out.push("| cluster | target | estimate | window |", "| --- | --- | ---: | --- |");
  for (const c of preview.clusters) {
    const est = c.estimate
      ? c.estimate.seconds === 0
        ? "nothing to do"
        : `~${secondsText(c.estimate.seconds)}`
      : "–";
    const win = c.window ? (windowLine(c) ?? "").replace("**Maintenance window:** ", "") : "–";
    out.push(
      `| ${cell(c.name)}${c.canary ? " (canary)" : ""} | ${c.resolvedTarget ?? c.target} | ${est} | ${win} |`,
    );
  }
  out.push("");
  const gantt = rolloutGantt(preview.clusters, "SPS rollout (estimated elapsed time)");
  if (gantt) {
    out.push(
      "```mermaid",
      gantt,
      "```",
      "",
      `Bars: one per node and wave, placed by the estimate (in a wave of several nodes, red is the one it waits for). ${
        stages.length > 1 ? "Canary clusters first, then the rest at the same time." : ""
      }`.trim(),
      "",
    );
  }
  for (const c of preview.clusters) out.push(...clusterSection(c));
  return `${out
    .join("\n")
    .replace(/\n{3,}/g, "\n\n")
    .trimEnd()}\n`;
}
