/**
 * The maintenance window a cluster's upgrade must fit (rule P13: upgrades reboot the node, so they
 * belong in a maintenance window). Declared as a duration — `"4h"`, `"90m"`, `"2h30m"`, ISO 8601
 * `"PT4H"` — or as `{ seconds }`; carried as `{ seconds, text }`. Pure.
 */
import { secondsText, type EstimateFigures } from "./estimate";
import { finding, type Finding } from "./plan";

export interface MaintenanceWindow {
  seconds: number;
  /** Readable (`4 h`). */
  text: string;
}

const UNIT_SECONDS: Record<string, number> = { h: 3600, m: 60, min: 60, s: 1 };

/** Seconds of a duration text, or undefined when it is not one. */
export function parseDurationText(text: string): number | undefined {
  const t = text.trim();
  const iso = /^PT(?:(\d+(?:\.\d+)?)H)?(?:(\d+(?:\.\d+)?)M)?(?:(\d+(?:\.\d+)?)S)?$/i.exec(t);
  if (iso && (iso[1] || iso[2] || iso[3])) {
    return Math.round(Number(iso[1] ?? 0) * 3600 + Number(iso[2] ?? 0) * 60 + Number(iso[3] ?? 0));
  }
  const part = /(\d+(?:\.\d+)?)\s*(h|min|m|s)\s*/gy;
  let total = 0;
  let matched = 0;
  for (let m = part.exec(t); m; m = part.exec(t)) {
    total += Number(m[1]) * (UNIT_SECONDS[m[2] ?? ""] ?? 0);
    matched = part.lastIndex;
  }
  return matched === t.length && matched > 0 ? Math.round(total) : undefined;
}

export function maintenanceWindowOf(seconds: number): MaintenanceWindow {
  return { seconds, text: secondsText(seconds) };
}

/**
 * Rule P13 against a declared window: blocking when the documented estimate (`seconds`) does not fit;
 * a warning when it fits but the waits' deadlines do not (the run may overrun if they run out).
 */
export function windowFindings(
  estimate: EstimateFigures,
  window: MaintenanceWindow,
  cluster: string,
): Finding[] {
  const ms = secondsText;
  if (estimate.seconds > window.seconds) {
    const message = `estimated ${ms(estimate.seconds)} (range ${ms(estimate.lowSeconds)} – ${ms(estimate.seconds)}) does not fit the maintenance window of ${window.text} for cluster "${cluster}" (over by ${ms(estimate.seconds - window.seconds)}); widen maintenanceWindow, raise maxParallel, or split the hops over several windows (target an intermediate revision first)`;
    return [finding("P13", "error", message)];
  }
  if (estimate.deadlineSeconds > window.seconds) {
    const message = `estimated ${ms(estimate.seconds)} fits the maintenance window of ${window.text}, but if every wait runs to its deadline the run takes up to ${ms(estimate.deadlineSeconds)}`;
    return [finding("P13", "warning", message)];
  }
  return [];
}

/** Whether an estimate fits a window (rule P13), and by how much it is under or over. */
export interface WindowVerdict {
  fits: boolean;
  /** Window left when it fits (0 otherwise). */
  spareSeconds: number;
  /** How far the estimate is over when it does not fit (0 otherwise). */
  overSeconds: number;
}

/** The one P13 verdict the plan text, the preview lines and the Markdown report all show. */
export function windowVerdict(estimateSeconds: number, window: { seconds: number }): WindowVerdict {
  const fits = estimateSeconds <= window.seconds;
  return {
    fits,
    spareSeconds: fits ? window.seconds - estimateSeconds : 0,
    overSeconds: fits ? 0 : estimateSeconds - window.seconds,
  };
}
