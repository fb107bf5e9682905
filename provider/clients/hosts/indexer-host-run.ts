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
export async function upgradeIndexerHost(
  ssh: unknown,
  request: IndexerUpgradeRequest,
  options: IndexerHostRunOptions = {},
): Promise<IndexerUpgradeResult> {
  const session = await SshHostSession.connect(ssh, options.name);
  try {
    return await new IndexerHost({ ...options, session }).upgrade(request);
  } finally {
    await session.close();
  }
}

/** Reads OS family, installed indexer version and service state (for refresh / drift reports). */
export async function inspectIndexerHost(
  ssh: unknown,
  options: IndexerHostRunOptions = {},
): Promise<IndexerHostState> {
  const session = await SshHostSession.connect(ssh, options.name);
  try {
    return await new IndexerHost({ ...options, session }).inspect();
  } finally {
    await session.close();
  }
}
