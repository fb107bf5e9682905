/**
 * Durations in messages ("45 s", "1.5 min", "20 min", "2 h"): every deadline the executor and the system-control channels print
 * goes through `formatDuration`, so a deadline scaled below one minute (emulated runs) never reads
 * "0 min".
 */

/** One decimal at most, without a trailing ".0" (1.5, 20, 0.3). */
function oneDecimal(x: number): number {
  return Math.round(x * 10) / 10;
}

/** A readable duration: milliseconds under 1 s, then seconds, minutes, hours (one decimal at most). */
export function formatDuration(ms: number): string {
  const t = Math.max(0, ms);
  if (Math.round(t) < 1_000) return `${Math.round(t)} ms`;
  const s = oneDecimal(t / 1_000);
  if (s < 60) return `${s} s`;
  const min = oneDecimal(t / 60_000);
  if (min < 60) return `${min} min`;
  return `${oneDecimal(t / 3_600_000)} h`;
}
