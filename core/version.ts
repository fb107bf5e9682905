/**
 * SPS version names (rule V1).
 *
 * `X.Y.Z` is a revision; `Y == 0` is an LTS release (`6.0.4` is a revision of "6 LTS"),
 * `Y > 0` a feature release, also written `X F<Y>` (`5 F11` is `5.11`). A release is `X.Y`.
 * Every spelling is parsed; output is always `X.Y.Z` (revisions) or `X.Y` (releases).
 */
import { SpsError } from "./errors";

export interface Release {
  readonly major: number;
  readonly minor: number;
}

export interface Revision extends Release {
  readonly patch: number;
}

/** What a user may write: a release (`6.3`, `5 F11`, `6 LTS`) or a revision (`6.3.2`, `5 F11.1`). */
export type VersionSpec = { kind: "release"; release: Release } | { kind: "revision"; revision: Revision };

export class VersionSyntaxError extends SpsError {
  static override readonly code: string = "VERSION_SYNTAX";
  constructor(readonly input: string) {
    super(`"${input}" is not a version (use X.Y.Z, X.Y, "X F<Y>" or "X LTS", e.g. 6.0.4, 6.3, 5 F11, 6 LTS)`);
  }
}

const DOTTED = /^(\d{1,3})\.(\d{1,3})(?:\.(\d{1,4}))?$/;
const FEATURE = /^(\d{1,3})\s*F\s*(\d{1,3})(?:\.(\d{1,4}))?$/i;
const LTS = /^(\d{1,3})(?:\.0)?\s*LTS$/i;

/** Rule V1: parse any accepted spelling. Throws VersionSyntaxError naming the input. */
export function parseVersionSpec(input: string): VersionSpec {
  const text = input.trim();
  const dotted = DOTTED.exec(text);
  const feature = dotted ? null : FEATURE.exec(text);
  const m = dotted ?? feature;
  if (m) {
    const major = Number(m[1]);
    const minor = Number(m[2]);
    // "6 F0" is not a feature release: F numbers start at 1.
    if (feature && minor === 0) throw new VersionSyntaxError(input);
    if (m[3] !== undefined) return { kind: "revision", revision: { major, minor, patch: Number(m[3]) } };
    return { kind: "release", release: { major, minor } };
  }
  const lts = LTS.exec(text);
  if (lts) return { kind: "release", release: { major: Number(lts[1]), minor: 0 } };
  throw new VersionSyntaxError(input);
}

/** Parse a revision (`X.Y.Z` or `X F<Y>.Z`); a bare release is an error. */
export function parseRevision(input: string): Revision {
  const spec = parseVersionSpec(input);
  if (spec.kind !== "revision") {
    throw new VersionSyntaxError(input);
  }
  return spec.revision;
}

/** Parse a release (`X.Y`, `X F<Y>`, `X LTS`); a revision is reduced to its release. */
export function parseRelease(input: string): Release {
  const spec = parseVersionSpec(input);
  return spec.kind === "release" ? spec.release : releaseOf(spec.revision);
}

export function isVersionText(input: string): boolean {
  try {
    parseVersionSpec(input);
    return true;
  } catch {
    return false;
  }
}

export function releaseOf(rev: Revision): Release {
  return { major: rev.major, minor: rev.minor };
}

/** Rule V1: `Y == 0` is an LTS. */
export function isLts(r: Release): boolean {
  return r.minor === 0;
}

export function isFeatureRelease(r: Release): boolean {
  return r.minor > 0;
}

export function compareReleases(a: Release, b: Release): number {
  return a.major - b.major || a.minor - b.minor;
}

export function compareRevisions(a: Revision, b: Revision): number {
  return compareReleases(a, b) || a.patch - b.patch;
}

/** Does a path from `from` to `to` cross `threshold` (X.Y.Z): from below it to at or past it? */
export function crosses(from: Revision, to: Revision, threshold: string): boolean {
  const t = parseRevision(threshold);
  return compareRevisions(from, t) < 0 && compareRevisions(to, t) >= 0;
}

export function sameRelease(a: Release, b: Release): boolean {
  return a.major === b.major && a.minor === b.minor;
}

export function formatRelease(r: Release): string {
  return `${r.major}.${r.minor}`;
}

export function formatRevision(r: Revision): string {
  return `${r.major}.${r.minor}.${r.patch}`;
}

/** Human label: "6 LTS" or "6 F3". */
export function releaseLabel(r: Release): string {
  return isLts(r) ? `${r.major} LTS` : `${r.major} F${r.minor}`;
}
