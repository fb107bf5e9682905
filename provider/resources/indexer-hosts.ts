/**
 * Reaching an external-indexer host over SSH (`IndexerHost` on an `SshHostSession`, login from
 * sps:credentials.indexer / .indexerHosts.<name>): shared by the IndexerPackage resource and the
 * firmware resource, which reads each host's installed version to plan and upgrades it after every
 * hop (rules I1–I5).
 */
import { IndexerHost } from "../clients/hosts/indexer-host";
import { SshHostSession } from "../clients/hosts/ssh-host-session";
import type { IndexerBinding } from "../executor/types";
import type { IndexerHostInputs } from "../../sdk/inputs";
import { credentials } from "./context";
import { digest, sharedRead } from "./live-reads";

export type IndexerEndpoint = Pick<
  IndexerHostInputs,
  "name" | "host" | "port" | "hostKeySha256" | "rootPrefix"
>;

/** An open session on the host and the IndexerHost on it; `close` ends the session. */
export async function connectIndexerHost(
  f: IndexerEndpoint,
  onProgress?: (line: string) => void,
): Promise<{ host: IndexerHost; close(): Promise<void> }> {
  const c = credentials();
  const login = c.indexerHosts[f.name] ?? c.indexer;
  if (!login)
    throw new Error(
      `no SSH login for indexer host "${f.name}": set sps:credentials.indexer (or .indexerHosts.${f.name})`,
    );
  const auth = login.privateKey
    ? {
        method: "privateKey" as const,
        privateKey: login.privateKey,
        ...(login.passphrase ? { passphrase: login.passphrase } : {}),
      }
    : { method: "password" as const, password: login.password ?? "" };
  const session = await SshHostSession.connect(
    {
      host: f.host,
      port: f.port,
      username: login.username,
      auth,
      hostKey: { sha256Fingerprint: f.hostKeySha256 },
    },
    f.name,
  );
  const host = new IndexerHost({
    session,
    ...(f.rootPrefix ? { rootPrefix: f.rootPrefix } : {}),
    ...(onProgress ? { onProgress: (e) => onProgress(`${e.action}: ${e.message}`) } : {}),
  });
  return { host, close: () => session.close() };
}

export async function withIndexerHost<T>(
  f: IndexerEndpoint,
  fn: (host: IndexerHost) => Promise<T>,
  onProgress?: (line: string) => void,
): Promise<T> {
  const connected = await connectIndexerHost(f, onProgress);
  try {
    return await fn(connected.host);
  } finally {
    await connected.close();
  }
}

/** The cache key of an indexer host (./live-reads.ts): name, address, host key and a digest of the login. */
export function indexerHostKey(f: IndexerEndpoint): string {
  const c = credentials();
  const login = c.indexerHosts[f.name] ?? c.indexer;
  return `ssh:${f.name}@${f.host}:${f.port}#${digest([f.hostKeySha256, f.rootPrefix ?? null, login ?? null])}`;
}

/**
 * What the host runs (package version, service). `check` and `diff` of one operation share the
 * answer across resources; a run or a refresh (`fresh`) reads for itself.
 */
export function inspectIndexerHost(
  f: IndexerEndpoint,
  options: { fresh?: boolean } = {},
): Promise<{ version: string | null; service: string }> {
  const read = (): Promise<{ version: string | null; service: string }> =>
    withIndexerHost(f, (h) => h.inspect());
  return options.fresh ? read() : sharedRead(indexerHostKey(f), "indexer", read);
}

/**
 * The executor's bindings of the hosts (connected lazily, at a host's first step) and a `close` that
 * ends every session opened.
 */
export function indexerBindings(
  hosts: readonly IndexerEndpoint[],
  onProgress: (host: string, line: string) => void,
): { bindings: Record<string, IndexerBinding>; close(): Promise<void> } {
  const open: Array<() => Promise<void>> = [];
  const bindings = Object.fromEntries(
    hosts.map((f): [string, IndexerBinding] => [
      f.name,
      async () => {
        const c = await connectIndexerHost(f, (line) => onProgress(f.name, line));
        open.push(() => c.close());
        return c.host;
      },
    ]),
  );
  return {
    bindings,
    close: async () => {
      await Promise.allSettled(open.map((c) => c()));
    },
  };
}
