/**
 * Which indexer RPM a host gets for an SPS revision (rule I3): the host's own packages when the inputs
 * declare them per host (`indexerHostPackages`, as the Pulumi resources do), otherwise the cluster's
 * per-revision `indexerPackages` (the CLI's inventory). Pure.
 */
import type { IndexerPackage } from "./types";

export interface DeclaredIndexerPackages {
  indexerPackages?: Record<string, IndexerPackage>;
  indexerHostPackages?: Record<string, Record<string, IndexerPackage>>;
}

export function indexerPackageOf(
  declared: DeclaredIndexerPackages,
  host: string,
  version: string,
): IndexerPackage | undefined {
  const own = declared.indexerHostPackages?.[host];
  return own ? own[version] : declared.indexerPackages?.[version];
}

/** The input field that holds (or should hold) a host's package for a revision. */
export function indexerPackageField(
  declared: DeclaredIndexerPackages,
  host: string,
  version: string,
): string {
  return declared.indexerHostPackages?.[host]
    ? `indexerHostPackages["${host}"]["${version}"]`
    : `indexerPackages["${version}"]`;
}
