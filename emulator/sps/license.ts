/**
 * Emulated SPS license. Field names of the real `GET /api/configuration/management/license` response
 * were not captured [doc: endpoint exists; fields not found]; the shape here is the emulator's
 * [inference]. A license is valid for one LTS major (a 6 license covers 6.0 LTS and 6.x feature releases,
 * a new license is needed for every LTS, rule S2/S11) and until its expiry date.
 */
import { z } from "zod";

export const LicenseFileSchema = z
  .object({
    customer: z.string().min(1),
    serial: z.string().min(1),
    /** LTS major the license is for. */
    major: z.number().int().positive(),
    validNotBefore: z.iso.date().optional(),
    validNotAfter: z.iso.date(),
    limit: z.number().int().positive().optional(),
  })
  .strict();

export type LicenseFile = z.infer<typeof LicenseFileSchema>;

/** A license as the node holds it: the file's fields, the optional ones defaulted. */
export type LicenseRecord = Required<LicenseFile>;

export function licenseFromFile(text: string): LicenseRecord {
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch {
    throw new Error("license file is not valid JSON (emulated license format)");
  }
  const parsed = LicenseFileSchema.safeParse(raw);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    throw new Error(`license file: ${issue.path.join(".") || "(root)"}: ${issue.message}`);
  }
  const f = parsed.data;
  return {
    customer: f.customer,
    serial: f.serial,
    major: f.major,
    validNotBefore: f.validNotBefore ?? "2000-01-01", // a file without a start date: valid since long before any clock under test
    validNotAfter: f.validNotAfter,
    limit: f.limit ?? 100,
  };
}

const DAY_MS = 86_400_000;

/**
 * The calendar day `days` after (or before, when negative) the instant `from` (epoch ms), as `YYYY-MM-DD`
 * in UTC. Every date the emulator and the tests invent is relative to the clock under test, so nothing
 * becomes false when the calendar passes a literal.
 */
export function dayOffset(days: number, from: number = Date.now()): string {
  return new Date(from + days * DAY_MS).toISOString().slice(0, 10);
}

/** The default license term: began a year before `now`, ends five years after it. */
export function defaultLicenseTerm(
  now: number = Date.now(),
): Pick<LicenseRecord, "validNotBefore" | "validNotAfter"> {
  return { validNotBefore: dayOffset(-365, now), validNotAfter: dayOffset(5 * 365, now) };
}

/** A license file for tests and demos (by default valid for five more years from today). */
export function buildLicenseFile(
  major: number,
  validNotAfter = defaultLicenseTerm().validNotAfter,
  customer = "Example Corp",
): string {
  return JSON.stringify({ customer, serial: `EMU-${major}-${customer.length}`, major, validNotAfter });
}

export type LicenseState = "valid" | "expired" | "wrong-version" | "not-yet-valid";

export function licenseState(license: LicenseRecord, runningVersion: string, now: number): LicenseState {
  const major = Number.parseInt(runningVersion, 10);
  if (license.major !== major) return "wrong-version";
  if (now < Date.parse(`${license.validNotBefore}T00:00:00Z`)) return "not-yet-valid";
  if (now > Date.parse(`${license.validNotAfter}T23:59:59Z`)) return "expired";
  return "valid";
}
