/**
 * The release path of one node (rules V3–V8): newest revision first, then supported hops only,
 * each landing on the newest revision of its release; through the LTS when nothing else is supported.
 */
import { Catalog } from "./catalog";
import { HARDWARE, isPyramid } from "./hardware";
import { Finding, finding, uncheckedFinding } from "./plan";
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
 * Rule V5: the last feature release of a major, where an upgrade guide states it. The LTS guide names
 * the three FRs that may enter it: SPS 6.0 Upgrade Guide, "Upgrade path to SPS 6.0" — "The latest
 * maintenance versions of the previous three feature releases (in this case, SPS 5 F9 or later)", so 5's
 * last FR is 5.11. A major missing here falls back to the highest FR the catalog lists, with a
 * "not checked" finding (lastFeatureReleaseFinding).
 */
export const LAST_FEATURE_RELEASE: Readonly<Record<number, number>> = { 5: 11 };

/**
 * Rule V5: is a direct hop from release `from` (at its newest revision) to release `to` supported?
 * - to LTS X.0: from .0, or from one of the three feature releases before X.0;
 * - to FR X.Y: from X.0, or from one of the three feature releases X.(Y-3)..X.(Y-1) (after X.0).
 * "The three FRs before" is counted by release number (X.Y arithmetic), never by which releases the
 * catalog happens to list: a catalog that lacks an FR cannot make an older FR look eligible.
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

function lastFeatureMinor(major: number, catalog: Catalog, atLeast?: Release): number {
  const stated = LAST_FEATURE_RELEASE[major];
  if (stated !== undefined) return stated;
  let last = atLeast?.major === major ? atLeast.minor : 0;
  for (const r of catalog.releases) {
    if (r.release.major === major && r.release.minor > last) last = r.release.minor;
  }
  return last;
}

/** Rule V5: a path into an LTS whose entry FRs no guide known to the project states is "not checked". */
function lastFeatureReleaseFinding(path: readonly Release[], from: Release, catalog: Catalog): Finding[] {
  const out: Finding[] = [];
  let at = from;
  for (const next of path) {
    if (isLts(next) && isFeatureRelease(at) && LAST_FEATURE_RELEASE[at.major] === undefined) {
      const last = lastFeatureMinor(at.major, catalog, at);
      const message = `not checked: which feature releases may upgrade to ${formatRelease(next)} directly ("the previous three feature releases") is taken from the catalog's newest ${at.major}.x feature release ${at.major}.${last}, not from an upgrade guide; confirm ${formatRelease(at)} → ${formatRelease(next)} in the ${formatRelease(next)} upgrade guide ("Upgrade path")`;
      out.push(uncheckedFinding("V5", message));
    }
    at = next;
  }
  return out;
}

/** Shortest chain of supported hops from `from` to `to` over `releases` (highest next release first). */
function shortestPath(
  from: Release,
  to: Release,
  releases: readonly Release[],
  catalog: Catalog,
): Release[] | undefined {
  const candidates = releases
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

/** Rule V5: the shortest chain of supported release hops from `from` to `to` over catalog releases. */
export function findReleasePath(from: Release, to: Release, catalog: Catalog): Release[] | undefined {
  return shortestPath(
    from,
    to,
    // A release can be landed on only when the catalog names a revision of it.
    catalog.releases.filter((r) => r.revisions.length > 0).map((r) => r.release),
    catalog,
  );
}

/**
 * Rules V5, V7: when the catalog offers no supported path, the releases a supported path needs that the
 * catalog lacks — found over every release number between `from` and `to` (X.Y arithmetic).
 */
export function missingReleases(from: Release, to: Release, catalog: Catalog): Release[] | undefined {
  const all: Release[] = [];
  for (let major = from.major; major <= to.major; major++) {
    const last = major === to.major ? to.minor : lastFeatureMinor(major, catalog, from);
    for (let minor = 0; minor <= last; minor++) all.push({ major, minor });
  }
  const path = shortestPath(from, to, all, catalog);
  return path?.filter((r) => catalog.newestRevision(r) === undefined);
}

/** Resolve a declared target against the catalog (V7). */
export function resolveTarget(
  target: VersionSpec,
  catalog: Catalog,
): { revision?: Revision; finding?: Finding } {
  if (target.kind === "release") {
    const newest = catalog.newestRevision(target.release);
    if (!newest) {
      const message = `target release ${formatRelease(target.release)} is not in the release catalog; add it with its revisions to your catalog file (--catalog)`;
      return { finding: finding("V7", "error", message) };
    }
    return { revision: newest };
  }
  if (!catalog.find(releaseOf(target.revision))) {
    const message = `target release ${formatRelease(releaseOf(target.revision))} is not in the release catalog; add it with revision ${formatRevision(target.revision)} to your catalog file (--catalog)`;
    return { finding: finding("V7", "error", message) };
  }
  if (!catalog.hasRevision(target.revision)) {
    const message = `target revision ${formatRevision(target.revision)} is not in the release catalog; add it to release ${formatRelease(releaseOf(target.revision))}'s revisions in your catalog file (--catalog)`;
    return { finding: finding("V7", "error", message) };
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
    const message = `target ${formatRevision(target)} is not the newest revision of ${formatRelease(releaseOf(target))} (${formatRevision(newestOfTarget)} is in the catalog); the guides recommend always installing the latest revision — declare ${formatRelease(releaseOf(target))} or ${formatRevision(newestOfTarget)} unless you pin ${formatRevision(target)} on purpose`;
    findings.push(finding("V6", "warning", message));
  }

  const current = req.current;
  const curRelease = releaseOf(current);
  const tgtRelease = releaseOf(target);

  // Rule V8: Pyramid hardware stays on 5 LTS at most, whatever the spelling.
  const pastPyramidLast = compareReleases(tgtRelease, PYRAMID_LAST_RELEASE) > 0;
  if (isPyramid(req.hardware) && pastPyramidLast) {
    const message = `Pyramid hardware (bought before August 2014 without replacement) must not go past 5 LTS; target ${formatRevision(target)} is refused — keep 5.0.x or replace the appliance`;
    findings.push(finding("V8", "error", message));
    return { target, hops: [], findings };
  }

  const order = compareRevisions(current, target);
  if (order === 0) return { target, hops: [], findings };
  // Rule V8: a physical (or possibly physical) appliance with undeclared hardware is not checked.
  if (pastPyramidLast && order < 0 && req.hardware === undefined && req.virtual !== true) {
    const message = `not checked: Pyramid hardware (bought before August 2014 without a replacement) must not go past 5 LTS, and this ${req.virtual === false ? "physical " : ""}appliance's hardware is not declared; declare hardware (one of ${HARDWARE.join(", ")}) or virtual: true for this node to check it`;
    findings.push(uncheckedFinding("V8", message));
  }
  if (order > 0) {
    // Rule V3: upgrades are irreversible.
    const leavingFr =
      isFeatureRelease(curRelease) && isLts(tgtRelease) && curRelease.major === tgtRelease.major;
    const message = leavingFr
      ? `declared ${formatRevision(target)} (${releaseLabel(tgtRelease)}) would leave the feature-release track of ${formatRevision(current)} back to its LTS: that is a downgrade, and upgrades cannot be reversed; declare ${formatRelease(curRelease)} or later (rule V4: stay on the FR track until ${curRelease.major + 1}.0)`
      : `declared ${formatRevision(target)} is lower than the running ${formatRevision(current)}: upgrades cannot be reversed; declare ${formatRevision(current)} or later`;
    findings.push(finding("V3", "error", message));
    return { target, hops: [], findings };
  }

  if (sameRelease(curRelease, tgtRelease)) {
    return { target, hops: [{ from: current, to: target, kind: "revision" }], findings };
  }

  const curEntry = catalog.find(curRelease);
  if (!curEntry) {
    const message = `running release ${formatRelease(curRelease)} is not in the release catalog, so its newest revision (the required first step, V6) is unknown; add it to your catalog file (--catalog)`;
    findings.push(finding("V7", "error", message));
    return { target, hops: [], findings };
  }

  const hops: RevisionHop[] = [];
  let at = current;
  // Rule V6: newest revision of the running release first.
  const newest = catalog.newestRevision(curRelease);
  if (newest && compareRevisions(at, newest) < 0) {
    hops.push({ from: at, to: newest, kind: "revision" });
    at = newest;
  } else if (newest && compareRevisions(at, newest) > 0 && !curEntry.partial) {
    // The catalog claims to list the release's revisions, and the node runs a newer one: the newest
    // revision (the required first step) is unknown, so nothing is planned until the catalog is fixed.
    const message = `running ${formatRevision(current)} is newer than the catalog's newest ${formatRelease(curRelease)} revision ${formatRevision(newest)}: the catalog is out of date and the newest ${formatRelease(curRelease)} revision (the required first step, V6) is unknown; add the release's current revisions to your catalog file (--catalog)`;
    findings.push(finding("V7", "error", message));
    return { target, hops: [], findings };
  }
  // Rule V6: where the catalog lists only the revisions public sources name (the bundled catalog), it
  // cannot show that the revision the node leaves its release from is the newest of it — whether the
  // node runs a revision the catalog does not know (the catalog is provably behind for this release)
  // or the newest one it lists (a newer, unlisted one may exist; the plan's own revision hop lands
  // there too). The guides require the latest revision of the running release before the upgrade
  // ([doc] UG 5.11/6.0/6.3, the upgrade path sections: "Always upgrade to the latest available
  // maintenance version of …"). So the plan says so and the run stops at the node's preflight until the
  // operator confirms that revision is the newest (or gives a catalog with the release's revisions,
  // --catalog): nothing changes on the node before someone has checked, safe under every reading.
  if (curEntry.partial) {
    const unknownRunning = !newest || compareRevisions(current, newest) > 0;
    const leave = formatRevision(at);
    const rel = formatRelease(curRelease);
    const how = `check the Downloads page, upgrade to the newest ${rel} revision if there is a newer one, and either give a catalog with the release's revisions (--catalog) or add "newest-revision ${leave}" to confirmed; the run stops at this node's preflight until then`;
    findings.push({
      rule: "V6",
      severity: "warning",
      status: "not-checked",
      confirm: `newest-revision ${leave}`,
      message: unknownRunning
        ? `not checked: the node runs ${leave}, a ${rel} revision the release catalog does not list (it lists only the revisions public sources name), so the newest ${rel} revision — required before the upgrade — is unknown; ${how}`
        : `not checked: the node leaves ${rel} from ${leave}, the newest ${rel} revision the release catalog lists, but it lists only the revisions public sources name, so a newer ${rel} revision — required before the upgrade — may exist; ${how}`,
    });
  }

  const releases = findReleasePath(curRelease, tgtRelease, catalog);
  if (!releases) {
    const missing = missingReleases(curRelease, tgtRelease, catalog);
    if (missing && missing.length > 0) {
      const message = `no supported upgrade path from ${formatRevision(current)} to ${formatRevision(target)}: the path needs release${missing.length > 1 ? "s" : ""} ${missing.map(formatRelease).join(", ")}, which the release catalog does not list (supported hops go to X.0 from (X-1).0 or the three feature releases before it, and to X.Y from X.0 or the three feature releases before it) — add the missing intermediate releases between ${formatRelease(curRelease)} and ${formatRelease(tgtRelease)} with their newest revisions to your catalog file (--catalog)`;
      findings.push(finding("V7", "error", message));
      return { target, hops: [], findings };
    }
    const message = `no supported upgrade path from ${formatRevision(current)} to ${formatRevision(target)} through the releases in the catalog; supported hops go to X.0 from (X-1).0 or the three feature releases before it, and to X.Y from X.0 or the three feature releases before it — add the missing intermediate releases between ${formatRelease(curRelease)} and ${formatRelease(tgtRelease)} (the LTS ${tgtRelease.major}.0, or the feature releases in between) to your catalog`;
    findings.push(finding("V5", "error", message));
    return { target, hops: [], findings };
  }
  findings.push(...lastFeatureReleaseFinding(releases, curRelease, catalog));
  releases.forEach((rel, i) => {
    const last = i === releases.length - 1;
    const to = last ? target : (catalog.newestRevision(rel) as Revision);
    hops.push({ from: at, to, kind: "release" });
    at = to;
  });
  return { target, hops, findings };
}
