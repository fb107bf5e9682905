/**
 * Live reads shared across the resources of one engine operation. The dynamic-provider host is one
 * process for every resource of a stack, and `check` and `diff` of a cluster's firmware, license and
 * plugins each ask the same appliance: here each node is logged in to once and each read (firmware
 * facts, license, plugins, indexer host state) is made once, then shared for a short lifetime.
 *
 * `read` (what `pulumi refresh` and the drift job run) never takes an answer from here: it judges
 * drift, and an answer shared from before an out-of-band change would hide it. Whatever process the
 * engine runs the provider in, and however old a shared answer is within its lifetime, a refresh
 * reads the appliance or host itself.
 *
 * Keyed by the node's name, address, TLS trust and a digest of its login (so a changed credential or
 * address never sees another's answer). Entries live `LIVE_READ_TTL_MS` at most, and every `create`
 * / `update` forgets the nodes it touches before and after it runs (`forgetNodes`): an answer read
 * before an upgrade step is never used after it. The steps themselves always read afresh (their own
 * clients, ../../provider/executor), never from here.
 */
import { createHash } from "node:crypto";
import type { SpsRestClient } from "../clients/sps/sps-rest-client";
import { applianceLogin } from "../../sdk/credentials";
import type { TlsInput } from "../../sdk/inputs";
import { credentials, restClient } from "./context";

/** How long a read answer is shared: long enough for one preview of a large fleet, short for a person. */
export const LIVE_READ_TTL_MS = 30_000;

const CLOSE_GRACE_MS = 120_000;

type Answer = { value: Promise<unknown>; expires: number };

/** node name → (read key → answer) */
const reads = new Map<string, Map<string, Answer>>();
const sessions = new Map<string, { client: SpsRestClient; expires: number }>();

export interface RestNode {
  name: string;
  address: string;
  tls: TlsInput;
}

/** The first 32 hex digits of the SHA-256 of `value`'s JSON: a cache key's part that shows no secret. */
export function digest(value: unknown): string {
  return createHash("sha256").update(JSON.stringify(value)).digest("hex").slice(0, 32);
}

/** The cache key of a REST node: name, address, trust and a digest of its login (never the login). */
export function restNodeKey(node: RestNode): string {
  return `rest:${node.name}@${node.address}#${digest([node.tls, applianceLogin(credentials(), node.name)])}`;
}

/**
 * The answer of `read` for `what` on `node`, shared for `LIVE_READ_TTL_MS`. A rejected read is not
 * kept (the next caller asks again); an answer that reports an error as a value is kept like any other.
 */
export function sharedRead<T>(node: string, what: string, read: () => Promise<T>): Promise<T> {
  const now = Date.now();
  const perNode = reads.get(node) ?? new Map<string, Answer>();
  reads.set(node, perNode);
  const found = perNode.get(what);
  if (found && found.expires > now) return found.value as Promise<T>;
  const value = read();
  const entry = { value, expires: now + LIVE_READ_TTL_MS };
  perNode.set(what, entry);
  value.catch(() => {
    if (perNode.get(what) === entry) perNode.delete(what);
  });
  return value;
}

/**
 * One logged-in REST client per node (and per request timeout) for the shared reads: logs in once, on
 * its first request.
 */
function sharedClient(node: RestNode, timeoutMs = 15_000): SpsRestClient {
  const key = `${restNodeKey(node)}~${timeoutMs}`;
  const now = Date.now();
  const found = sessions.get(key);
  if (found && found.expires > now) return found.client;
  if (found) found.client.close();
  const client = restClient(node, timeoutMs);
  sessions.set(key, { client, expires: now + LIVE_READ_TTL_MS });
  // Closed well after it is last handed out (a read started just before then may retry for a while),
  // never by `forgetNodes` (a read may be in flight); the timer never keeps the process up.
  setTimeout(() => {
    const s = sessions.get(key);
    if (s?.client === client) sessions.delete(key);
    client.close();
  }, LIVE_READ_TTL_MS + CLOSE_GRACE_MS).unref();
  return client;
}

/** Forgets every shared answer and session of these nodes (cache keys): before and after a step changes them. */
export function forgetNodes(keys: readonly string[]): void {
  for (const key of keys) {
    reads.delete(key);
    for (const session of [...sessions.keys()]) if (session.startsWith(`${key}~`)) sessions.delete(session);
  }
}

/** Runs `change`, which changes these nodes (cache keys): no answer read before it is shared after it. */
export async function forgetting<T>(keys: readonly string[], change: () => Promise<T>): Promise<T> {
  forgetNodes(keys);
  try {
    return await change();
  } finally {
    forgetNodes(keys);
  }
}

/** `read` of every node at once, by node name. */
export async function byName<N extends { name: string }, T>(
  nodes: readonly N[],
  read: (node: N) => Promise<T>,
): Promise<Record<string, T>> {
  return Object.fromEntries(await Promise.all(nodes.map(async (n) => [n.name, await read(n)] as const)));
}

/**
 * `read` with a client of `node`: the answer shared under `what` (and the shared session), or, `fresh`
 * for a run, read with a client of its own, closed after.
 */
export async function readNode<T>(
  node: RestNode,
  what: string,
  read: (client: SpsRestClient) => Promise<T>,
  options: { fresh?: boolean; timeoutMs?: number } = {},
): Promise<T> {
  const timeoutMs = options.timeoutMs ?? 15_000;
  if (!options.fresh) return sharedRead(restNodeKey(node), what, () => read(sharedClient(node, timeoutMs)));
  const client = restClient(node, timeoutMs);
  try {
    return await read(client);
  } finally {
    client.close();
  }
}
