/**
 * The firmware images a cluster's plan can use (rules V3, V5, V6, V7). Every hop lands on the newest
 * revision of its release, and within the target's release on the target itself (upgrade-path.ts);
 * nothing above the target is ever installed (V3). So of a declared image map — often one image per
 * revision of the whole catalog — only the newest revision of each release below the target's and the
 * target revision can be needed, whatever the nodes run. Depends on the declaration and the catalog
 * only (never on live versions), so the same declaration always keeps the same images.
 */
import type { Catalog } from "./catalog";
import { compareReleases, formatRevision, isVersionText, parseVersionSpec, releaseOf } from "./version";
import { resolveTarget } from "./upgrade-path";

/**
 * The entries of `images` a plan towards `target` can use. Unchanged when the target does not resolve
 * (the planner then reports V7 with the full map); keys that are no revision of the catalog are kept
 * (the planner names them).
 */
export function usableFirmwareImages<T>(
  images: Record<string, T>,
  target: string,
  catalog: Catalog,
): Record<string, T> {
  if (!isVersionText(target)) return images;
  const resolved = resolveTarget(parseVersionSpec(target), catalog).revision;
  if (!resolved) return images;
  const top = releaseOf(resolved);
  const keep = new Set<string>([formatRevision(resolved)]);
  for (const r of catalog.releases) {
    if (compareReleases(r.release, top) >= 0) continue;
    const newest = catalog.newestRevision(r.release);
    if (newest) keep.add(formatRevision(newest));
  }
  const out: Record<string, T> = {};
  for (const [key, image] of Object.entries(images)) {
    const spec = isVersionText(key) ? parseVersionSpec(key) : undefined;
    const known = spec?.kind === "revision" && catalog.hasRevision(spec.revision);
    if (!known || keep.has(key)) out[key] = image;
  }
  return out;
}
