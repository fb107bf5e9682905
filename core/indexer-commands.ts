/**
 * The exact shell commands of the external indexer procedure (rules I2, I4), per host OS.
 * Pure: the planner prints them into plan steps, the indexer host code runs them.
 */

export const INDEXER_OS = ["rhel6", "rhel7", "rhel8", "rhel9"] as const;
export type IndexerOs = (typeof INDEXER_OS)[number];

export const INDEXER_SERVICE = "external-indexer";
export const INDEXER_CONFIG_FILES = ["indexerworker.cfg", "indexer-certs.cfg"] as const;

/** Rule I4: RHEL/CentOS 6 uses `service`, 7 and later use `systemctl`. */
export function usesSysvService(os: IndexerOs): boolean {
  return os === "rhel6";
}

export type ServiceVerb = "start" | "stop" | "status";

/** Rule I4: the command that starts, stops or queries the indexer service on this OS. */
export function indexerServiceCommand(os: IndexerOs, verb: ServiceVerb): string {
  if (usesSysvService(os)) return `service ${INDEXER_SERVICE} ${verb}`;
  const systemctlVerb = verb === "status" ? "is-active" : verb;
  return `systemctl ${systemctlVerb} ${INDEXER_SERVICE}.service`;
}

/** Rule I4: upgrade the indexer from the copied RPM. */
export function indexerUpgradeCommand(rpmPath: string): string {
  return `yum upgrade -y ${rpmPath}`;
}

/**
 * Rule I2: where the indexer configuration lives. SPS 5.11 era indexers keep it under
 * /opt/external-indexer/etc/indexer/, 6.x indexers under /etc/indexer/.
 * `installedVersion` is the indexer package's installed version (X.Y.Z).
 */
export function indexerConfigDir(installedVersion: string): string {
  const major = Number.parseInt(installedVersion.split(".")[0] ?? "", 10);
  return Number.isFinite(major) && major < 6 ? "/opt/external-indexer/etc/indexer" : "/etc/indexer";
}

/** A timestamp usable in a file name: 2026-11-23T14:54:15.123Z → 20261123T145415123Z. */
export function backupStamp(at: Date): string {
  return at.toISOString().replace(/[-:.]/g, "");
}

/** How a plan shows the timestamp, which is only known when the backup is made. */
export const BACKUP_STAMP_AT_RUN_TIME = "<UTC timestamp>";

/** Where the backup of the configuration file at `path` goes (rule I2). */
export function backupPathFor(path: string, stamp: string): string {
  return `${path}.${stamp}.bak`;
}

/**
 * Rule I2: back up both configuration files, with a timestamp, before anything else happens. The
 * plan shows it with BACKUP_STAMP_AT_RUN_TIME; the indexer host runs it with the time of the run.
 */
export function indexerBackupCommand(installedVersion: string, stamp: string): string {
  const copy = (file: string): string => `cp -p ${file} ${backupPathFor(file, stamp)}`;
  const dir = indexerConfigDir(installedVersion);
  return INDEXER_CONFIG_FILES.map((f) => copy(`${dir}/${f}`)).join(" && ");
}

/** Where the RPM is copied on the host before the upgrade (rule I3: the RPM comes from the SPS). */
export function indexerPackagePath(version: string): string {
  return `/var/tmp/external-indexer-${version}.rpm`;
}

/** Rule I4 (last step): the installed indexer package version. */
export const INDEXER_VERSION_QUERY = `rpm -q --qf '%{VERSION}' ${INDEXER_SERVICE}`;
