/**
 * Drift classification (pure): what `read` (pulumi refresh / preview --refresh) reports when the live
 * state differs from what the last run recorded. Each finding is one readable line starting with its kind.
 */
import { compareRevisions, parseRevision } from "../core/version";

export const DRIFT_KINDS = [
  "upgraded-out-of-band",
  "rolled-back",
  "stuck-mid-hop",
  "unreachable",
  "license-changed",
  "license-expiring",
  "plugin-version-changed",
  "plugin-missing",
  "indexer-version-changed",
  "indexer-service-changed",
] as const;
export type DriftKind = (typeof DRIFT_KINDS)[number];

export function driftLine(kind: DriftKind, subject: string, text: string): string {
  return `${kind} ${subject}: ${text}`;
}

function cmp(a: string, b: string): number | undefined {
  try {
    return compareRevisions(parseRevision(a), parseRevision(b));
  } catch {
    return undefined;
  }
}

export type NodeState = "on-target" | "behind" | "ahead" | "booting" | "unreachable" | "stuck-mid-hop";

export interface NodeFacts {
  reachable: boolean;
  booting: boolean;
  version: string | null;
  afterReboot: string | null;
  /** HA: running firmware of each unit (null when off / unknown). */
  unitVersions?: Record<string, string | null>;
  /** HA: power of each unit. */
  unitPower?: Record<string, string>;
}

/** Why a node is mid-hop, or undefined when it is not. */
export function stuckReason(n: NodeFacts): string | undefined {
  if (n.version !== null && n.afterReboot !== null && n.afterReboot !== n.version) {
    return `firmware ${n.afterReboot} is activated for the next boot but ${n.version} runs`;
  }
  const off = Object.entries(n.unitPower ?? {}).filter(([, p]) => p === "off");
  if (off.length > 0) return `HA unit ${off.map(([u]) => u).join(", ")} is powered off`;
  const versions = new Set(Object.values(n.unitVersions ?? {}).filter((v): v is string => v !== null));
  if (versions.size > 1) return `HA units run different firmware (${[...versions].join(", ")})`;
  return undefined;
}

export function nodeState(n: NodeFacts, target: string): NodeState {
  if (!n.reachable) return "unreachable";
  if (n.booting) return "booting";
  if (stuckReason(n) !== undefined) return "stuck-mid-hop";
  const c = n.version === null ? undefined : cmp(n.version, target);
  if (c === undefined) return "unreachable";
  return c === 0 ? "on-target" : c < 0 ? "behind" : "ahead";
}

/** Firmware drift of one node against the version the last run recorded. */
export function firmwareDrift(node: string, recorded: string | undefined, live: NodeFacts): string[] {
  if (!live.reachable) return [driftLine("unreachable", node, "the appliance does not answer")];
  const out: string[] = [];
  const c = recorded === undefined || live.version === null ? undefined : cmp(live.version, recorded);
  if (c !== undefined && c !== 0) {
    const kind = c > 0 ? "upgraded-out-of-band" : "rolled-back";
    out.push(driftLine(kind, node, `runs ${live.version ?? ""}, last recorded ${recorded ?? ""}`));
  }
  const stuck = stuckReason(live);
  if (stuck !== undefined) out.push(driftLine("stuck-mid-hop", node, stuck));
  return out;
}

export interface LicenseFacts {
  serial?: string | undefined;
  major?: number | undefined;
  validNotAfter?: string | undefined;
  state?: string | undefined;
}

export function licenseDrift(
  node: string,
  recorded: LicenseFacts | undefined,
  live: LicenseFacts,
  now: Date,
  warnDays: number,
): string[] {
  const out: string[] = [];
  if (recorded !== undefined) {
    const changed = (["serial", "major", "validNotAfter"] as const).filter(
      (k) => recorded[k] !== undefined && live[k] !== recorded[k],
    );
    const what = changed.map((k) => `${k} ${String(recorded[k])} -> ${String(live[k])}`).join(", ");
    if (changed.length > 0) out.push(driftLine("license-changed", node, what));
  }
  if (live.validNotAfter !== undefined) {
    const end = Date.parse(`${live.validNotAfter}T23:59:59Z`);
    const days = Math.floor((end - now.getTime()) / 86_400_000);
    if (days < 0) out.push(driftLine("license-expiring", node, `expired on ${live.validNotAfter}`));
    else if (days <= warnDays)
      out.push(driftLine("license-expiring", node, `ends on ${live.validNotAfter} (in ${days} days)`));
  }
  if (live.state !== undefined && live.state !== "valid" && live.state !== "expired")
    out.push(driftLine("license-changed", node, `license state is ${live.state}`));
  return out;
}

export function pluginDrift(
  node: string,
  name: string,
  declared: string,
  live: string | undefined,
): string[] {
  if (live === undefined) return [driftLine("plugin-missing", node, `plugin ${name} is not installed`)];
  if (live !== declared)
    return [driftLine("plugin-version-changed", node, `plugin ${name} is ${live}, declared ${declared}`)];
  return [];
}

export function indexerDrift(
  host: string,
  recorded: { version?: string | null; service?: string } | undefined,
  live: { version: string | null; service: string },
  declared: string,
): string[] {
  const out: string[] = [];
  const base = recorded?.version ?? declared;
  const service = recorded?.service ?? "running";
  if (live.version !== base)
    out.push(
      driftLine("indexer-version-changed", host, `runs ${live.version ?? "nothing"}, expected ${base}`),
    );
  if (live.service !== service)
    out.push(driftLine("indexer-service-changed", host, `service is ${live.service}, expected ${service}`));
  return out;
}
