/**
 * The rollout as a Mermaid Gantt chart: one section per cluster, one bar per node and wave, placed
 * by the estimate (`seconds`): waves one after another within a cluster, the clusters of a stage side
 * by side, stages one after another (canary clusters first, as SpsFleet rolls out). In a wave of
 * several nodes, the bar the wave waits for (its slowest node) is marked `crit`. Pure.
 *
 * Times are elapsed time from the start: Mermaid reads `YYYY-MM-DD HH:mm:ss` in the viewer's local
 * time and prints the axis in local time too, so a fixed base day shows 00:00 as the start in every
 * time zone.
 */
import { canaryStages } from "../core/estimate";
import type { PreviewCluster } from "./preview-json";

const BASE = Date.UTC(2000, 0, 3); // a Monday; only elapsed time is shown

function at(seconds: number): string {
  return new Date(BASE + Math.round(seconds) * 1000).toISOString().slice(0, 19).replace("T", " ");
}

/** Mermaid task and section text: no `:`, `#`, `;` (its separators) and no line breaks. */
export function ganttLabel(text: string): string {
  return text
    .replace(/[:#;\n\r]+/g, " ")
    .replace(/\s+/g, " ")
    .trim();
}

/** Stages of the rollout: canary clusters first (together), then the rest (together) — canaryStages. */
export function rolloutStages(clusters: readonly PreviewCluster[]): PreviewCluster[][] {
  return canaryStages(clusters).map((s) => s.clusters);
}

/** The Gantt chart (Mermaid source, without the fence); undefined when no cluster has an estimated wave. */
export function rolloutGantt(clusters: readonly PreviewCluster[], title: string): string | undefined {
  if (!clusters.some((c) => c.waves.length > 0)) return undefined;
  const lines = [
    "gantt",
    `  title ${ganttLabel(title)}`,
    "  dateFormat YYYY-MM-DD HH:mm:ss",
    "  axisFormat %H:%M",
    "  todayMarker off",
  ];
  let stageStart = 0;
  let id = 0;
  for (const stage of rolloutStages(clusters)) {
    let stageLength = 0;
    for (const c of stage) {
      if (c.waves.length === 0) continue;
      lines.push(`  section ${ganttLabel(`${c.name}${c.canary ? " (canary)" : ""}`)}`);
      let t = stageStart;
      for (const w of c.waves) {
        for (const n of w.nodes) {
          const actions = c.steps
            .filter((s) => s.wave === w.wave && s.node === n.node)
            .map((s) => s.text.split(" ")[0] ?? "");
          let what = `hop ${w.hop} to ${c.hops[(w.hop ?? 0) - 1]?.to ?? "?"}`;
          if (w.hop === null) what = actions.includes("preflight") ? "preflight" : "indexer";
          // The node its wave waits for, when the wave has several.
          const crit = w.nodes.length > 1 && n.node === w.slowest ? "crit, " : "";
          const end = t + Math.max(1, n.seconds);
          lines.push(`  ${ganttLabel(`${n.node} ${what}`)} :${crit}t${++id}, ${at(t)}, ${at(end)}`);
        }
        t += w.seconds;
      }
      stageLength = Math.max(stageLength, t - stageStart);
    }
    stageStart += stageLength;
  }
  return lines.join("\n");
}
