/**
 * Shared pieces of the emulator's REST handlers: the per-request context, JSON body reading, and the
 * documented message shapes (meta objects, single objects `{key, body, meta}`, collections `{items, meta}`).
 */
import type { IncomingMessage, ServerResponse } from "node:http";
import { SpsApiFault } from "./api-errors";
import type { EmulatedNode } from "./emulated-node";
import type { Session, SessionStore } from "./session-store";

export interface ClusterDirectory {
  /** Every node of the central-management cluster the node belongs to (itself included). */
  clusterNodes(node: EmulatedNode): EmulatedNode[];
  /** Address (ip:port) a node's API is reachable on. */
  addressOf(node: EmulatedNode): string;
}

export interface ApiContext {
  method: string;
  path: string;
  segments: string[];
  req: IncomingMessage;
  res: ServerResponse;
  node: EmulatedNode;
  sessions: SessionStore;
  session: Session | undefined;
  directory: ClusterDirectory;
}

export type Meta = Record<string, unknown>;

/** The meta link of a configuration endpoint whose writes are staged in the transaction. */
export const IN_TRANSACTION: Meta = { transaction: "/api/transaction" };

export function meta(ctx: ApiContext, href: string, parent: string | null, extra: Meta = {}): Meta {
  const m: Meta = { href, parent, ...extra };
  if (ctx.session) m.remaining_seconds = ctx.sessions.remainingSeconds(ctx.session);
  return m;
}

/** A single object `{key, body, meta}`. */
export function sendObject(
  ctx: ApiContext,
  key: string,
  body: unknown,
  href: string,
  parent: string | null,
  extra?: Meta,
  status = 200,
): void {
  sendJson(ctx.res, status, { key, body, meta: meta(ctx, href, parent, extra) });
}

/** A collection `{items, meta}`. */
export function sendItems(
  ctx: ApiContext,
  items: unknown[],
  href: string,
  parent: string | null,
  extra?: Meta,
): void {
  sendJson(ctx.res, 200, { items, meta: meta(ctx, href, parent, extra) });
}

/** An index: the collection of the child paths `href/<key>`. */
export function sendIndex(
  ctx: ApiContext,
  keys: readonly string[],
  href: string,
  parent: string | null,
  extra?: Meta,
): void {
  sendItems(
    ctx,
    keys.map((k) => ({ key: k, meta: { href: `${href}/${k}` } })),
    href,
    parent,
    extra,
  );
}

/** An answer of only `{meta}` (a deletion). */
export function sendMeta(ctx: ApiContext, href: string, parent: string | null): void {
  sendJson(ctx.res, 200, { meta: meta(ctx, href, parent) });
}

export function sendJson(
  res: ServerResponse,
  status: number,
  body: unknown,
  headers: Record<string, string> = {},
): void {
  const text = JSON.stringify(body);
  res.writeHead(status, {
    "Content-Type": "application/json; charset=utf-8",
    "Content-Length": Buffer.byteLength(text),
    ...headers,
  });
  res.end(text);
}

export function sendFault(res: ServerResponse, fault: SpsApiFault): void {
  if (res.headersSent) {
    res.destroy();
    return;
  }
  sendJson(res, fault.status, fault.body());
}

const MAX_JSON_BYTES = 1024 * 1024;

export async function readBody(req: IncomingMessage, limit = MAX_JSON_BYTES): Promise<Buffer> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req) {
    size += (chunk as Buffer).length;
    if (size > limit)
      throw new SpsApiFault("InvalidRequest", `Request body larger than ${limit} bytes.`, {}, 413);
    chunks.push(chunk as Buffer);
  }
  return Buffer.concat(chunks);
}

export async function readJson(ctx: ApiContext): Promise<Record<string, unknown>> {
  const raw = await readBody(ctx.req);
  if (raw.length === 0) return {};
  let parsed: unknown;
  try {
    parsed = JSON.parse(raw.toString("utf8"));
  } catch {
    throw new SpsApiFault("InvalidRequest", "The request body is not valid JSON.");
  }
  if (typeof parsed !== "object" || parsed === null || Array.isArray(parsed)) {
    throw new SpsApiFault("InvalidRequest", "The request body must be a JSON object.");
  }
  return parsed as Record<string, unknown>;
}

export function requireWrite(ctx: ApiContext): void {
  if (ctx.session?.user.access !== "admin") {
    throw new SpsApiFault("Unauthorized", "The user has no write privilege for this resource.", {
      path: ctx.path,
    });
  }
}

/** Config writes happen in a transaction; the first write opens one implicitly [doc §3]. */
export function transactionOf(ctx: ApiContext): NonNullable<Session["transaction"]> {
  const session = ctx.session!;
  session.transaction ??= { changes: [] };
  return session.transaction;
}

export function notFound(ctx: ApiContext): never {
  throw new SpsApiFault("NotFound", `No such resource: ${ctx.path}`, { path: ctx.path });
}
