/**
 * Bounds of every configured deadline and poll interval: a whole number of milliseconds in a sane
 * range, so that a typo (`1e300`, `1e-9`, minutes written as hours) is refused at preview, naming the
 * field and the range, instead of making a run wait for ever or spin. The longest documented waits
 * (storage reorganisation after the first boot into 6.3, rule P14) take hours, not days.
 */
import { z } from "zod";

function bounded(min: number, max: number, what: string): z.ZodNumber {
  const range = `between ${min} and ${max} (${what} in milliseconds)`;
  return z
    .number({ error: `must be a number of milliseconds ${range}` })
    .int({ error: `must be a whole number of milliseconds ${range}` })
    .min(min, { error: `must be ${range}` })
    .max(max, { error: `must be ${range}` });
}

/** zod type of a deadline in ms: at least 1 s, at most 48 h. */
export const deadlineMsSchema = bounded(1000, 48 * 60 * 60_000, "1 s to 48 h");

/** zod type of a poll interval in ms: at least 50 ms, at most 1 min. */
export const intervalMsSchema = bounded(50, 60_000, "50 ms to 1 min");

/** zod type of one REST request's time-out in ms: at least 1 s, at most 10 min (a request, not a wait). */
export const requestMsSchema = bounded(1000, 10 * 60_000, "1 s to 10 min");
