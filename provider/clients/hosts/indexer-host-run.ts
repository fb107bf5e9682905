/**
 * One-call entry points for the executor and the Pulumi resources: open the SSH session, run one
 * IndexerHost operation, always close the session.
 */
import {
  IndexerHost,
  type IndexerHostOptions,
  type IndexerHostState,
  type IndexerUpgradeRequest,
} from "./indexer-host";
import type { IndexerUpgradeResult } from "./indexer-upgrade-result";
import { SshHostSession } from "./ssh-host-session";

export type IndexerHostRunOptions = Omit<IndexerHostOptions, "session"> & {
  /** Name of the host in messages and results; default host:port. */
  name?: string;
};

/**
 * Brings one indexer host to `request.version`, running (rules I1, I2, I4, I5). `ssh` is validated
 * with `sshHostOptionsSchema`. Throws `SshOptionsError` / `SshConnectionError` when no session could
 * be opened (nothing was done), `IndexerUpgradeError` (with `.result`) when the upgrade was refused
 * or failed.
 */
export function upgradeIndexerHost(
  ssh: unknown,
  request: IndexerUpgradeRequest,
  options: IndexerHostRunOptions = {},
): Promise<IndexerUpgradeResult> {
  return withIndexerHost(ssh, options, (host) => host.upgrade(request));
}

/** Reads OS family, installed indexer version and service state (for refresh / drift reports). */
export function inspectIndexerHost(
  ssh: unknown,
  options: IndexerHostRunOptions = {},
): Promise<IndexerHostState> {
  return withIndexerHost(ssh, options, (host) => host.inspect());
}

async function withIndexerHost<T>(
  ssh: unknown,
  options: IndexerHostRunOptions,
  work: (host: IndexerHost) => Promise<T>,
): Promise<T> {
  const session = await SshHostSession.connect(ssh, options.name);
  try {
    return await work(new IndexerHost({ ...options, session }));
  } finally {
    await session.close();
  }
}
