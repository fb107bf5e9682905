/**
 * Indexer package versions (RPM `%{VERSION}`, X.Y.Z) and their order (rules I1, V3). Pure.
 */
import semver from "semver";

/** A version as semver, or undefined when the text is not X.Y[.Z]. */
export function parseIndexerVersion(text: string): semver.SemVer | undefined {
  const trimmed = text.trim();
  if (!/^\d+\.\d+(\.\d+)?$/.test(trimmed)) return undefined;
  return semver.coerce(trimmed) ?? undefined;
}

/** Negative when a < b, 0 when equal, positive when a > b; throws on a malformed version. */
export function compareIndexerVersions(a: string, b: string): number {
  const pa = parseIndexerVersion(a);
  const pb = parseIndexerVersion(b);
  if (!pa) throw new Error(`not a version: "${a}" (expected X.Y.Z)`);
  if (!pb) throw new Error(`not a version: "${b}" (expected X.Y.Z)`);
  return semver.compare(pa, pb);
}
