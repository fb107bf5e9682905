/**
 * Reading the installed license leniently (rules S2, S11). `GET /api/configuration/management/license`
 * exists [doc: REST guide "Manage the SPS license"] but the REST guide lists none of its fields, so
 * every field below is looked for under the names public sources give, and nothing is assumed:
 *
 *   - [doc] the administration guide's license page (Basic Settings > System > License) shows
 *     Customer, Serial, Limit type, Limit, Valid;
 *   - [as-built] `mpierson/oi-doc-generators` `sps/SPSAsBuiltToMD.xsl` reads, from the configuration's
 *     license `info` (a JSON text), `product_version`, `serial`, `license_type`, `limt_type` (sic),
 *     `enterprise`, `valid_not_after`, `basic_proxies`, `sudo_iolog`, `analytics`.
 *
 * Keys are matched without regard to case, spaces and underscores ("Limit type" = `limit_type`); a
 * body whose `info` is a JSON text (or object) is read as well. The LTS major comes from
 * `product_version`'s leading number [unknown: whether that is the licensed major — the as-built
 * labels it "Version"]; validity from `valid_not_after` (and a "Valid" range or `valid_not_before`
 * when present). Whatever cannot be read is reported as "not verifiable through REST — check Basic
 * Settings > System > License", never passed or failed silently. Pure: no I/O.
 */

export const LICENSE_CHECK_BY_HAND = "check Basic Settings > System > License in the web interface";

export type LicenseValidity = "valid" | "expired" | "not-yet-valid" | "unknown";

export interface LicenseReading {
  customer?: string;
  serial?: string;
  licenseType?: string;
  limitType?: string;
  limit?: string;
  productVersion?: string;
  /** ISO date (YYYY-MM-DD) when readable. */
  validNotBefore?: string;
  validNotAfter?: string;
  /** The LTS major the license is for, when `product_version` gives one; else null. */
  major: number | null;
  /** From the validity dates, when readable; "unknown" otherwise. */
  validity: LicenseValidity;
  /** One line per fact that could not be read. */
  warnings: string[];
}

const norm = (k: string): string => k.toLowerCase().replace(/[^a-z0-9]/g, "");

/** Aliases per fact, normalised (see `norm`). */
const ALIASES = {
  customer: ["customer"],
  serial: ["serial", "serialnumber"],
  licenseType: ["licensetype", "type"],
  limitType: ["limittype", "limttype"],
  limit: ["limit"],
  productVersion: ["productversion"],
  validNotBefore: ["validnotbefore"],
  validNotAfter: ["validnotafter", "expiry", "expires"],
  valid: ["valid"],
} as const;

function flatten(body: Record<string, unknown>): Map<string, unknown> {
  const out = new Map<string, unknown>();
  const add = (o: Record<string, unknown>): void => {
    for (const [k, v] of Object.entries(o)) if (!out.has(norm(k))) out.set(norm(k), v);
  };
  add(body);
  let info = body["info"];
  if (typeof info === "string") {
    try {
      info = JSON.parse(info);
    } catch {
      return out; // not JSON: nothing more to read
    }
  }
  if (info && typeof info === "object" && !Array.isArray(info)) add(info as Record<string, unknown>);
  return out;
}

function text(v: unknown): string | undefined {
  if (typeof v === "string" && v.trim() !== "") return v.trim();
  if (typeof v === "number" && Number.isFinite(v)) return String(v);
  return undefined;
}

/** YYYY-MM-DD from an ISO date/date-time, "YYYY.MM.DD" or "YYYY/MM/DD"; else undefined. */
export function isoDate(v: string | undefined): string | undefined {
  const m = v === undefined ? null : /(\d{4})[-./](\d{2})[-./](\d{2})/.exec(v);
  if (!m) return undefined;
  const d = `${m[1]}-${m[2]}-${m[3]}`;
  return Number.isNaN(Date.parse(`${d}T00:00:00Z`)) ? undefined : d;
}

/** Reads what the answer offers; `now` decides the validity. */
export function readLicense(body: Record<string, unknown>, now: Date): LicenseReading {
  const fields = flatten(body);
  const pick = (names: readonly string[]): string | undefined =>
    names.map((n) => text(fields.get(n))).find((t) => t !== undefined);
  const r: LicenseReading = { major: null, validity: "unknown", warnings: [] };
  for (const k of ["customer", "serial", "licenseType", "limitType", "limit", "productVersion"] as const) {
    const v = pick(ALIASES[k]);
    if (v !== undefined) r[k] = v;
  }

  // Validity: explicit dates first, else the dates of a "Valid" range ("2024-01-01 - 2027-12-31").
  const range = pick(ALIASES.valid);
  const rangeDates = range ? [...range.matchAll(/\d{4}[-./]\d{2}[-./]\d{2}/g)].map((m) => m[0]) : [];
  const notBefore =
    isoDate(pick(ALIASES.validNotBefore)) ?? (rangeDates.length === 2 ? isoDate(rangeDates[0]) : undefined);
  const notAfter = isoDate(pick(ALIASES.validNotAfter)) ?? isoDate(rangeDates.at(-1));
  if (notBefore) r.validNotBefore = notBefore;
  if (notAfter) r.validNotAfter = notAfter;

  const major = r.productVersion ? /^\s*(\d+)/.exec(r.productVersion)?.[1] : undefined;
  if (major !== undefined) r.major = Number(major);
  else
    r.warnings.push(
      `the license's LTS major is not verifiable through REST (no product_version in the answer) — ${LICENSE_CHECK_BY_HAND}`,
    );

  if (notAfter) {
    const t = now.getTime();
    if (notBefore && t < Date.parse(`${notBefore}T00:00:00Z`)) r.validity = "not-yet-valid";
    else if (t > Date.parse(`${notAfter}T23:59:59Z`)) r.validity = "expired";
    else r.validity = "valid";
  } else {
    r.warnings.push(
      `the license's validity is not verifiable through REST (no valid_not_after in the answer) — ${LICENSE_CHECK_BY_HAND}`,
    );
  }
  return r;
}
