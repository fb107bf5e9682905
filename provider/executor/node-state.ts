/**
 * Read-only facts about one appliance node, used by every step to decide whether its work is already
 * done (idempotence) and by the waits (reboot, first boot). Nothing here writes to a node, so these
 * reads are the only traffic a node gets during its first boot (rule S10).
 */
import { messageOf } from "../../core/errors";
import { ApplianceApiError } from "../clients/sps/api-error";
import { ANSWER_NOT_JSON } from "../clients/sps/answer-limits";
import { NODE_NOT_READY } from "../clients/sps/rest-session";
import { readLicense } from "../clients/sps/license-reading";
import type { ApplianceClient, FirmwareSlot } from "../clients/sps/appliance-client";
import { compareRevisions, parseRevision } from "../../core/version";

export type Liveness =
  | { phase: "down"; error: string }
  /** S10: the web interface answers, but not the REST API (a progress page, 5xx) — a firmware boot. */
  | { phase: "booting"; error: string }
  /** The node answers, but not as SPS does (see `readLiveness`): neither "not back yet" nor "up". */
  | { phase: "unreadable"; error: string }
  | { phase: "up"; version: string };

/**
 * "Back" means: login and `GET /api/info` succeed and report a version X.Y.Z (docs/appliance-facts.md §10:
 * [doc] during a firmware boot the web interface shows a progress page, not the REST API; nothing
 * documents what `/api/setup` answers then, its "booting" is a welcome-wizard status [ps]). Refused or
 * reset connections and time-outs are "down"; a web page (not JSON), a login answered with a page, or a
 * 5xx is "booting" (the web server answers, the REST API does not). Both mean "not back yet". An answer
 * over the cap, JSON of another shape or a version that is not one is "unreadable": nothing documented
 * looks like that, so the waits stop after a few of them in a row (./liveness-watch.ts). Read-only, so S10 holds.
 */
export async function readLiveness(client: ApplianceClient): Promise<Liveness> {
  try {
    return { phase: "up", version: await client.getFirmwareVersion() };
  } catch (e) {
    return { phase: livenessOfFailure(e), error: messageOf(e) };
  }
}

function livenessOfFailure(e: unknown): "down" | "booting" | "unreadable" {
  if (!(e instanceof ApplianceApiError)) return "down";
  if (e.failure === "http") return (e.status ?? 0) >= 500 ? "booting" : "down";
  if (e.failure !== "protocol") return "down";
  return e.causeCode === NODE_NOT_READY || e.causeCode === ANSWER_NOT_JSON ? "booting" : "unreadable";
}

/** Compare two revisions X.Y.Z (−1, 0, 1). */
export function compareVersionText(a: string, b: string): number {
  return compareRevisions(parseRevision(a), parseRevision(b));
}

export function atOrPast(running: string, target: string): boolean {
  return compareVersionText(running, target) >= 0;
}

export function majorOf(version: string): number {
  return parseRevision(version).major;
}

export function slotWithVersion(slots: readonly FirmwareSlot[], version: string): FirmwareSlot | undefined {
  return slots.find((s) => !s.empty && s.version === version);
}

/**
 * License facts from `GET /api/configuration/management/license`, read leniently under the field
 * names public sources give (provider/clients/sps/license-reading.ts): the LTS major from
 * `product_version`, the validity from the dates. `null` = not verifiable through REST, with a
 * warning that says where to check by hand.
 */
export interface LicenseFacts {
  major: number | null;
  state: string | null;
  warnings?: string[];
}

export function licenseFacts(raw: Record<string, unknown>, now: Date = new Date()): LicenseFacts {
  const r = readLicense(raw, now);
  return {
    major: r.major,
    state: r.validity === "unknown" ? null : r.validity,
    ...(r.warnings.length > 0 ? { warnings: r.warnings } : {}),
  };
}

/**
 * Rules S2, S11: the installed license verifiably covers the running LTS major (and is not expired,
 * when its dates are readable). A major that cannot be read is not "valid": it is not verifiable.
 */
export function licenseValidFor(facts: LicenseFacts, major: number): boolean {
  return facts.major === major && (facts.state === null || facts.state === "valid");
}

/** Plugin versions: numeric comparison per dot-separated part ("2.10.0" > "2.9.1"); text parts compare as text. */
export function comparePluginVersions(a: string, b: string): number {
  const pa = a.split(/[.-]/);
  const pb = b.split(/[.-]/);
  for (let i = 0; i < Math.max(pa.length, pb.length); i++) {
    const x = pa[i] ?? "0";
    const y = pb[i] ?? "0";
    const nx = Number(x);
    const ny = Number(y);
    const c = Number.isFinite(nx) && Number.isFinite(ny) ? Math.sign(nx - ny) : x.localeCompare(y, "en");
    if (c !== 0) return c;
  }
  return 0;
}
