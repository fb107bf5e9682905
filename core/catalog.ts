/**
 * The release catalog (rules V2, V7): which releases and revisions exist and when each release
 * was published. It is data — a versioned file the user can extend — never logic.
 * Format: docs/plan-contract.md, "Catalog file".
 */
import { catalogSchema } from "./catalog-schema";
import {
  compareReleases,
  compareRevisions,
  formatRelease,
  formatRevision,
  parseVersionSpec,
  Release,
  releaseOf,
  Revision,
} from "./version";

/** A catalog file as written (docs/plan-contract.md, "Catalog file"); catalog-schema.ts validates it. */
export interface CatalogFile {
  schemaVersion: 1;
  releases: CatalogFileRelease[];
}

/** One release entry of a catalog file. */
export interface CatalogFileRelease {
  /** The release, `X.Y`. */
  version: string;
  /** ISO date (YYYY-MM-DD) the release was published. */
  published?: string | undefined;
  /** Its revisions, `X.Y.Z`. */
  revisions: string[];
  /** Where the facts of this entry come from (URL or document title). Extension of the contract. */
  source?: string | string[] | undefined;
  /** Rule V6: `true` when `revisions` holds only the revisions public sources name. */
  partial?: boolean | undefined;
}

export interface CatalogRelease {
  readonly release: Release;
  readonly published?: string;
  /** Sorted ascending; the last one is the newest revision. */
  readonly revisions: readonly Revision[];
  readonly sources: readonly string[];
  /** Rule V6: the revisions are those public sources name; newer ones may exist. */
  readonly partial: boolean;
}

/** A validated catalog with the look-ups the planner needs. Immutable. */
export class Catalog {
  private readonly byKey: Map<string, CatalogRelease>;
  /** All releases, ascending. */
  readonly releases: readonly CatalogRelease[];

  private constructor(releases: CatalogRelease[]) {
    this.releases = [...releases].sort((a, b) => compareReleases(a.release, b.release));
    this.byKey = new Map(this.releases.map((r) => [formatRelease(r.release), r]));
  }

  /** Build from an already-validated file object. */
  static fromFile(file: CatalogFile): Catalog {
    return new Catalog(
      file.releases.map((r) => {
        const spec = parseVersionSpec(r.version);
        const release = spec.kind === "release" ? spec.release : releaseOf(spec.revision);
        const revisions = r.revisions
          .map((t) => parseVersionSpec(t))
          .map((s) => (s.kind === "revision" ? s.revision : { ...s.release, patch: 0 }))
          .sort(compareRevisions);
        const sources = r.source === undefined ? [] : Array.isArray(r.source) ? r.source : [r.source];
        return {
          release,
          revisions,
          sources,
          partial: r.partial === true,
          ...(r.published ? { published: r.published } : {}),
        };
      }),
    );
  }

  /** Validate unknown data (parsed JSON) and build. Throws a zod error on bad input. */
  static parse(data: unknown): Catalog {
    return Catalog.fromFile(catalogSchema.parse(data));
  }

  /** Merge: entries of `overlay` replace or add to this catalog's releases (users extend the bundled one). */
  extendedWith(overlay: Catalog): Catalog {
    const merged = new Map(this.byKey);
    for (const r of overlay.releases) merged.set(formatRelease(r.release), r);
    return new Catalog([...merged.values()]);
  }

  find(release: Release): CatalogRelease | undefined {
    return this.byKey.get(formatRelease(release));
  }

  /** Rule V6: the newest known revision of a release, if the release is in the catalog. */
  newestRevision(release: Release): Revision | undefined {
    const r = this.find(release);
    return r ? r.revisions[r.revisions.length - 1] : undefined;
  }

  hasRevision(rev: Revision): boolean {
    const r = this.find(releaseOf(rev));
    return !!r && r.revisions.some((x) => compareRevisions(x, rev) === 0);
  }

  /** The next release after `r` matching `pred` (used for support windows, V2). */
  nextRelease(r: Release, pred: (x: CatalogRelease) => boolean): CatalogRelease | undefined {
    return this.releases.find((x) => compareReleases(x.release, r) > 0 && pred(x));
  }

  toFile(): CatalogFile {
    return {
      schemaVersion: 1,
      releases: this.releases.map((r) => ({
        version: formatRelease(r.release),
        revisions: r.revisions.map(formatRevision),
        ...(r.published ? { published: r.published } : {}),
        ...(r.sources.length ? { source: [...r.sources] } : {}),
        ...(r.partial ? { partial: true } : {}),
      })),
    };
  }
}
