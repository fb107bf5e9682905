/**
 * Support windows (rule V2), computed from catalog publication dates.
 * - LTS: 3 years from publication, and at least 1 year after the next LTS appears (later wins).
 * - FR: 6 months from publication, and at least 2 months after the next FR or LTS appears (later wins).
 * A release without a publication date (or whose successor has none) has an unknown window.
 */
import { Catalog } from "./catalog";
import { isLts, Release } from "./version";

export interface SupportWindow {
  readonly published: string;
  /** Last day of support (ISO date), inclusive. */
  readonly endsOn: string;
}

function addMonths(isoDate: string, months: number): string {
  const d = new Date(`${isoDate}T00:00:00Z`);
  const day = d.getUTCDate();
  d.setUTCDate(1);
  d.setUTCMonth(d.getUTCMonth() + months);
  const lastDay = new Date(Date.UTC(d.getUTCFullYear(), d.getUTCMonth() + 1, 0)).getUTCDate();
  d.setUTCDate(Math.min(day, lastDay));
  return d.toISOString().slice(0, 10);
}

function later(a: string, b: string | undefined): string {
  return b !== undefined && b > a ? b : a;
}

/** Rule V2: the support window of a release, or undefined when the catalog lacks the dates. */
export function supportWindow(release: Release, catalog: Catalog): SupportWindow | undefined {
  const entry = catalog.find(release);
  if (!entry?.published) return undefined;
  const published = entry.published;
  const [next, lifeMonths, afterNextMonths] = isLts(release)
    ? [catalog.nextRelease(release, (x) => isLts(x.release)), 36, 12]
    : [catalog.nextRelease(release, () => true), 6, 2];
  const afterNext = next?.published ? addMonths(next.published, afterNextMonths) : undefined;
  return { published, endsOn: later(addMonths(published, lifeMonths), afterNext) };
}

/** True when `asOf` (ISO date) is after the last day of support. */
export function isOutOfSupport(window: SupportWindow, asOf: string): boolean {
  return asOf > window.endsOn;
}
