/**
 * The release path of one node (rules V3–V8): newest revision first, then supported hops only,
 * each landing on the newest revision of its release; through the LTS when nothing else is supported.
 */
import { Catalog } from "./catalog";
import { HARDWARE, isPyramid } from "./hardware";
import { Finding } from "./plan";
import {
  compareReleases,
  compareRevisions,
  formatRelease,
  formatRevision,
  isFeatureRelease,
  isLts,
  Release,
  releaseLabel,
  releaseOf,
  Revision,
  sameRelease,
  VersionSpec,
} from "./version";

export interface RevisionHop {
  readonly from: Revision;
  readonly to: Revision;
  /** `revision`: within one release (V6); `release`: release to release (V5). */
  readonly kind: "revision" | "release";
}

export interface NodePathRequest {
  readonly current: Revision;
  readonly target: VersionSpec;
  /** Rule V8: `pyramid` in any letter case is refused past 5 LTS (./hardware.ts). */
  readonly hardware?: string;
  /** Rule V8: a node not declared virtual may be a physical (Pyramid) appliance. */
  readonly virtual?: boolean;
}

export interface NodePath {
  /** Resolved target revision, when it could be resolved from the catalog. */
  readonly target?: Revision;
  readonly hops: readonly RevisionHop[];
  /** Findings without a node name; the fleet planner adds it. */
  readonly findings: readonly Finding[];
}

const PYRAMID_LAST_RELEASE: Release = { major: 5, minor: 0 };

/**
 * Rule V5: is a direct hop from release `from` (at its newest revision) to release `to` supported?
 * - to LTS X.0: from .0, or from one of the three feature releases before X.0;
 * - to FR X.Y: from X.0, or from one of the three feature releases X.(Y-3)..X.(Y-1) (after X.0).
 * "The three FRs before" is counted by release number, so a catalog that lacks an FR
 * cannot make an older FR look eligible.
 */
export function isSupportedHop(from: Release, to: Release, catalog: Catalog): boolean {
  if (compareReleases(from, to) >= 0) return false;
  if (isLts(to)) {
    if (isLts(from)) return from.major === to.major - 1;
    if (from.major !== to.major - 1) return false;
    const lastFr = lastFeatureMinor(to.major - 1, catalog, from);
    return from.minor >= Math.max(1, lastFr - 2);
  }
  if (from.major !== to.major) return false;
  if (isLts(from)) return true;
  return from.minor >= Math.max(1, to.minor - 3) && from.minor <= to.minor - 1;
}

function lastFeatureMinor(major: number, catalog: Catalog, atLeast: Release): number {
  let last = atLeast.major === major ? atLeast.minor : 0;
  for (const r of catalog.releases) {
    if (r.release.major === major && r.release.minor > last) last = r.release.minor;
  }
  return last;
}

/** Rule V5: the shortest chain of supported release hops from `from` to `to` over catalog releases. */
export function findReleasePath(from: Release, to: Release, catalog: Catalog): Release[] | undefined {
  const candidates = catalog.releases
    .map((r) => r.release)
    .filter((r) => compareReleases(r, from) > 0 && compareReleases(r, to) <= 0)
    // Prefer the highest next release among equally short paths: fewer, bigger, supported jumps.
    .sort((a, b) => compareReleases(b, a));
  const key = formatRelease;
  const previous = new Map<string, Release>();
  const queue: Release[] = [from];
  const seen = new Set<string>([key(from)]);
  while (queue.length > 0) {
    const at = queue.shift() as Release;
    if (sameRelease(at, to)) {
      const path: Release[] = [to];
      let cur = previous.get(key(to));
      while (cur && !sameRelease(cur, from)) {
        path.unshift(cur);
        cur = previous.get(key(cur));
      }
      return path;
    }
    for (const next of candidates) {
      if (seen.has(key(next)) || !isSupportedHop(at, next, catalog)) continue;
      seen.add(key(next));
      previous.set(key(next), at);
      queue.push(next);
    }
  }
  return undefined;
}

/** Resolve a declared target against the catalog (V7). */
export function resolveTarget(
  target: VersionSpec,
  catalog: Catalog,
): { revision?: Revision; finding?: Finding } {
  if (target.kind === "release") {
    const newest = catalog.newestRevision(target.release);
    if (!newest) {
      return {
        finding: {
          rule: "V7",
          severity: "error",
          message: `target release ${formatRelease(target.release)} (${releaseLabel(target.release)}) is not in the release catalog; add it with its revisions to your catalog file (--catalog)`,
        },
      };
    }
    return { revision: newest };
  }
  if (!catalog.find(releaseOf(target.revision))) {
    return {
      finding: {
        rule: "V7",
        severity: "error",
        message: `target release ${formatRelease(releaseOf(target.revision))} is not in the release catalog; add it with revision ${formatRevision(target.revision)} to your catalog file (--catalog)`,
      },
    };
  }
  if (!catalog.hasRevision(target.revision)) {
    return {
      finding: {
        rule: "V7",
        severity: "error",
        message: `target revision ${formatRevision(target.revision)} is not in the release catalog; add it to release ${formatRelease(releaseOf(target.revision))}'s revisions in your catalog file (--catalog)`,
      },
    };
  }
  return { revision: target.revision };
}

/** Plan one node's path from its running revision to the declared target. */
export function planNodePath(req: NodePathRequest, catalog: Catalog): NodePath {
  const findings: Finding[] = [];
  const resolved = resolveTarget(req.target, catalog);
  if (resolved.finding) findings.push(resolved.finding);
  const target = resolved.revision;
  if (!target) return { hops: [], findings };
  // Rule V6: the guides recommend the latest revision ("One Identity strongly recommends always
  // installing the latest Revision of the used software Release", SPS upgrade checklist). An exact
  // older revision is a warning, not an error: pinning a revision validated in a test lab is
  // legitimate, and the recommendation is not a requirement of the upgrade path.
  const newestOfTarget = catalog.newestRevision(releaseOf(target));
  if (req.target.kind === "revision" && newestOfTarget && compareRevisions(newestOfTarget, target) > 0) {
    findings.push({
      rule: "V6",
      severity: "warning",
      message: `target ${formatRevision(target)} is not the newest revision of ${formatRelease(releaseOf(target))} (${formatRevision(newestOfTarget)} is in the catalog); the guides recommend always installing the latest revision — declare ${formatRelease(releaseOf(target))} or ${formatRevision(newestOfTarget)} unless you pin ${formatRevision(target)} on purpose`,
    });
  }

  const current = req.current;
  const curRelease = releaseOf(current);
  const tgtRelease = releaseOf(target);

  // Rule V8: Pyramid hardware stays on 5 LTS at most, whatever the spelling.
  const pastPyramidLast = compareReleases(tgtRelease, PYRAMID_LAST_RELEASE) > 0;
  if (isPyramid(req.hardware) && pastPyramidLast) {
    findings.push({
      rule: "V8",
      severity: "error",
      message: `Pyramid hardware (bought before August 2014 without replacement) must not go past 5 LTS; target ${formatRevision(target)} is refused — keep 5.0.x or replace the appliance`,
    });
    return { target, hops: [], findings };
  }

  const order = compareRevisions(current, target);
  if (order === 0) return { target, hops: [], findings };
  // Rule V8: a physical (or possibly physical) appliance with undeclared hardware is not checked.
  if (pastPyramidLast && order < 0 && req.hardware === undefined && req.virtual !== true) {
    findings.push({
      rule: "V8",
      severity: "warning",
      status: "not-checked",
      message: `not checked: Pyramid hardware (bought before August 2014 without a replacement) must not go past 5 LTS, and this ${req.virtual === false ? "physical " : ""}appliance's hardware is not declared; declare hardware (one of ${HARDWARE.join(", ")}) or virtual: true for this node to check it`,
    });
  }
  if (order > 0) {
    // Rule V3: upgrades are irreversible.
    const leavingFr =
      isFeatureRelease(curRelease) && isLts(tgtRelease) && curRelease.major === tgtRelease.major;
    findings.push({
      rule: "V3",
      severity: "error",
      message: leavingFr
        ? `declared ${formatRevision(target)} (${releaseLabel(tgtRelease)}) would leave the feature-release track of ${formatRevision(current)} back to its LTS: that is a downgrade, and upgrades cannot be reversed; declare ${formatRelease(curRelease)} or later (rule V4: stay on the FR track until ${curRelease.major + 1}.0)`
        : `declared ${formatRevision(target)} is lower than the running ${formatRevision(current)}: upgrades cannot be reversed; declare ${formatRevision(current)} or later`,
    });
    return { target, hops: [], findings };
  }

  if (sameRelease(curRelease, tgtRelease)) {
    return { target, hops: [{ from: current, to: target, kind: "revision" }], findings };
  }

  const curEntry = catalog.find(curRelease);
  if (!curEntry) {
    findings.push({
      rule: "V7",
      severity: "error",
      message: `running release ${formatRelease(curRelease)} is not in the release catalog, so its newest revision (the required first step, V6) is unknown; add it to your catalog file (--catalog)`,
    });
    return { target, hops: [], findings };
  }

  const hops: RevisionHop[] = [];
  let at = current;
  // Rule V6: newest revision of the running release first.
  const newest = catalog.newestRevision(curRelease) as Revision;
  if (compareRevisions(at, newest) < 0) {
    hops.push({ from: at, to: newest, kind: "revision" });
    at = newest;
  } else if (compareRevisions(at, newest) > 0) {
    findings.push({
      rule: "V7",
      severity: "warning",
      message: `running ${formatRevision(current)} is newer than the catalog's newest ${formatRelease(curRelease)} revision ${formatRevision(newest)}; the catalog may be out of date`,
    });
  }

  const releases = findReleasePath(curRelease, tgtRelease, catalog);
  if (!releases) {
    findings.push({
      rule: "V5",
      severity: "error",
      message: `no supported upgrade path from ${formatRevision(current)} to ${formatRevision(target)} through the releases in the catalog; supported hops go to X.0 from (X-1).0 or the three feature releases before it, and to X.Y from X.0 or the three feature releases before it — add the missing intermediate releases between ${formatRelease(curRelease)} and ${formatRelease(tgtRelease)} (the LTS ${tgtRelease.major}.0, or the feature releases in between) to your catalog`,
    });
    return { target, hops: [], findings };
  }
  releases.forEach((rel, i) => {
    const last = i === releases.length - 1;
    const to = last ? target : (catalog.newestRevision(rel) as Revision);
    hops.push({ from: at, to, kind: "release" });
    at = to;
  });
  return { target, hops, findings };
}
