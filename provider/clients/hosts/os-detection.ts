/**
 * Which RHEL/CentOS family an indexer host runs (rule I4: 6 uses `service`, 7 and later use
 * `systemctl`), from /etc/redhat-release (present on every RHEL/CentOS, the only source on 6) or
 * /etc/os-release. Pure.
 */
import { SpsError } from "../../../core/errors";
import { INDEXER_OS, type IndexerOs } from "../../../core/indexer-commands";

export interface DetectedOs {
  os: IndexerOs;
  major: number;
  /** The line the decision was made from, for messages and results. */
  description: string;
}

export class UnsupportedOsError extends SpsError {
  static override readonly code: string = "UNSUPPORTED_OS";
}

const RHEL_LIKE_IDS = new Set(["rhel", "centos", "rocky", "almalinux", "ol", "scientific", "cloudlinux"]);

/** `CentOS release 6.10 (Final)`, `Red Hat Enterprise Linux Server release 7.9 (Maipo)` → 6, 7. */
export function parseRedhatRelease(text: string): { major: number; description: string } | undefined {
  const line = text
    .split("\n")
    .find((l) => l.trim() !== "")
    ?.trim();
  const match = line ? /\brelease\s+(\d+)/i.exec(line) : null;
  if (!line || !match?.[1]) return undefined;
  return { major: Number.parseInt(match[1], 10), description: line };
}

/** KEY=value pairs of /etc/os-release (quotes removed). */
export function parseOsReleaseFields(text: string): Record<string, string> {
  const fields: Record<string, string> = {};
  for (const raw of text.split("\n")) {
    const m = /^\s*([A-Z0-9_]+)\s*=\s*(.*?)\s*$/.exec(raw);
    if (!m?.[1] || m[2] === undefined) continue;
    fields[m[1]] = m[2].replace(/^(["'])(.*)\1$/, "$2");
  }
  return fields;
}

/** A RHEL-compatible /etc/os-release → its major version; undefined for other distributions. */
export function parseOsRelease(text: string): { major: number; description: string } | undefined {
  const f = parseOsReleaseFields(text);
  const ids = [f["ID"] ?? "", ...(f["ID_LIKE"] ?? "").split(/\s+/)].map((s) => s.toLowerCase());
  if (!ids.some((id) => RHEL_LIKE_IDS.has(id))) return undefined;
  const version = /^(\d+)/.exec(f["VERSION_ID"] ?? "");
  if (!version?.[1]) return undefined;
  return {
    major: Number.parseInt(version[1], 10),
    description: f["PRETTY_NAME"] ?? `${f["ID"]} ${f["VERSION_ID"]}`,
  };
}

/** Rule I4: the indexer OS family of a RHEL/CentOS major version. */
export function indexerOsForMajor(major: number, description: string): IndexerOs {
  const os = `rhel${major}`;
  if ((INDEXER_OS as readonly string[]).includes(os)) return os as IndexerOs;
  throw new UnsupportedOsError(
    `unsupported indexer host OS "${description}": the external indexer runs on RHEL/CentOS ` +
      `${INDEXER_OS.map((o) => o.slice(4)).join(", ")}`,
  );
}

/** Decides the OS family from the two release files (either may be missing: pass undefined). */
export function detectIndexerOs(files: { redhatRelease?: string; osRelease?: string }): DetectedOs {
  const fromRedhat = files.redhatRelease !== undefined ? parseRedhatRelease(files.redhatRelease) : undefined;
  const found = fromRedhat ?? (files.osRelease !== undefined ? parseOsRelease(files.osRelease) : undefined);
  if (!found) {
    const seen = files.redhatRelease ?? files.osRelease;
    throw new UnsupportedOsError(
      seen === undefined
        ? "not a RHEL/CentOS host: neither /etc/redhat-release nor /etc/os-release exists"
        : `not a RHEL/CentOS host: cannot read a RHEL release from "${seen.split("\n")[0]?.trim() ?? ""}"`,
    );
  }
  return { os: indexerOsForMajor(found.major, found.description), ...found };
}
