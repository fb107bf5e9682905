/** The zod schema of a catalog file (docs/plan-contract.md, "Catalog file"; ./catalog.ts), apart for the reason ./same-type.ts gives. */
import { z } from "zod";
import type { CatalogFile } from "./catalog";
import type { Equal, Same } from "./same-type";
import {
  formatRelease,
  isVersionText,
  parseRelease,
  parseVersionSpec,
  releaseOf,
  sameRelease,
} from "./version";

const versionText = (kind: "release" | "revision", message: string) =>
  z.string().refine((s) => isVersionText(s) && parseVersionSpec(s).kind === kind, message);
const releaseText = versionText("release", "is not a release (X.Y, e.g. 6.0 or 6.3)");
const revisionText = versionText("revision", "is not a revision (X.Y.Z, e.g. 6.0.7)");

const isoDate = z
  .string()
  .regex(/^\d{4}-\d{2}-\d{2}$/, "is not an ISO date (YYYY-MM-DD)")
  .refine((s) => !Number.isNaN(Date.parse(`${s}T00:00:00Z`)), "is not a valid calendar date");

export const catalogReleaseSchema = z
  .object({
    version: releaseText,
    published: isoDate.optional(),
    revisions: z.array(revisionText),
    source: z.union([z.string(), z.array(z.string())]).optional(),
    /**
     * Rule V6: `true` when `revisions` holds only the revisions public sources name, so newer ones may
     * exist (the bundled catalog). The planner then cannot show that a revision is the newest of its
     * release. Absent: the list is the release's revisions (extension of the contract).
     */
    partial: z.boolean().optional(),
  })
  .superRefine((rel, ctx) => {
    if (rel.revisions.length === 0 && rel.partial !== true)
      ctx.addIssue({
        code: "custom",
        path: ["revisions"],
        message: 'must list at least one revision (an entry with none must say "partial": true)',
      });
    if (!isVersionText(rel.version)) return;
    const release = parseVersionSpec(rel.version);
    if (release.kind !== "release") return;
    rel.revisions.forEach((r, i) => {
      if (!isVersionText(r)) return;
      const spec = parseVersionSpec(r);
      if (spec.kind === "revision" && !sameRelease(releaseOf(spec.revision), release.release)) {
        ctx.addIssue({
          code: "custom",
          path: ["revisions", i],
          message: `"${r}" is not a revision of release ${rel.version}`,
        });
      }
    });
  });

export const catalogSchema = z
  .object({
    schemaVersion: z.literal(1, { message: "must be 1 (the only catalog format so far)" }),
    releases: z.array(catalogReleaseSchema),
  })
  .superRefine((cat, ctx) => {
    const seen = new Map<string, number>();
    cat.releases.forEach((r, i) => {
      const key = isVersionText(r.version) ? formatRelease(parseRelease(r.version)) : r.version;
      const first = seen.get(key);
      if (first !== undefined) {
        ctx.addIssue({
          code: "custom",
          path: ["releases", i, "version"],
          message: `release ${key} is listed twice (also at releases[${first}]); merge the entries`,
        });
      } else seen.set(key, i);
    });
  });

export type CatalogSchemaIsCatalogFile = Same<Equal<z.output<typeof catalogSchema>, CatalogFile>>;
