/**
 * Emulated central-management cluster endpoints [doc §7]: /api/cluster/status and /api/cluster/nodes,
 * answered only by the Central Management node (elsewhere they fail, which safeguard-ps uses as
 * "not promoted" [ps]; 404 NotFound is the emulator's choice [inference]).
 */
import { SpsApiFault } from "./api-errors";
import { parseRoles } from "./api-config-routes";
import {
  IN_TRANSACTION,
  notFound,
  readJson,
  requireWrite,
  sendItems,
  sendObject,
  transactionOf,
  type ApiContext,
} from "./api-context";
import type { EmulatedNode } from "./emulated-node";

function nodeStatus(node: EmulatedNode, self: EmulatedNode): Record<string, unknown> {
  const up = node.serviceState() === "up";
  const health = up
    ? {
        memory: 31.2,
        disk: node.diskUsedPercent,
        swap: 0,
        load1: 0.21,
        load5: 0.18,
        load15: 0.12,
        sessions: { ssh: 0, rdp: 0 },
        total_sessions: 0,
      }
    : null;
  return {
    key: node.nodeId,
    fqdn: `${node.hostname}.sps.example`,
    last_seen: new Date(node.lastSeen()).toISOString(),
    health_status: health,
    sync_status: node === self ? "n/a" : up ? "synced" : "pending",
    meta: { configuration: `/api/cluster/nodes/${node.nodeId}`, href: `/api/cluster/status/${node.nodeId}` },
  };
}

export async function handleCluster(ctx: ApiContext): Promise<void> {
  const { node, method, segments } = ctx;
  if (!node.roles.includes("central-management")) {
    throw new SpsApiFault("NotFound", "This node is not the Central Management node of a cluster.", {
      path: ctx.path,
    });
  }
  const members = ctx.directory.clusterNodes(node);
  const rest = segments.slice(2);
  if (rest[0] === "status" && rest.length === 1 && method === "GET") {
    return sendItems(
      ctx,
      members.map((n) => nodeStatus(n, node)),
      "/api/cluster/status",
      "/api/cluster",
      {
        self: `/api/cluster/status/${node.nodeId}`,
      },
    );
  }
  if (rest[0] !== "nodes") notFound(ctx);
  const body = (n: EmulatedNode): Record<string, unknown> => ({
    address: ctx.directory.addressOf(n).split(":")[0],
    roles: n.roles,
  });
  if (rest.length === 1 && method === "GET") {
    const items = members.map((n) => ({
      key: n.nodeId,
      body: body(n),
      meta: { href: `/api/cluster/nodes/${n.nodeId}` },
    }));
    return sendItems(ctx, items, "/api/cluster/nodes", "/api/cluster", IN_TRANSACTION);
  }
  if (rest.length === 2) {
    const target = members.find((n) => n.nodeId === rest[1]);
    if (!target) notFound(ctx);
    const href = `/api/cluster/nodes/${target.nodeId}`;
    if (method === "GET") return sendObject(ctx, target.nodeId, body(target), href, "/api/cluster/nodes");
    if (method === "PUT") {
      requireWrite(ctx);
      const req = await readJson(ctx);
      const roles = parseRoles(req.roles);
      const had = target.roles.includes("central-management");
      if (roles.includes("central-management") !== had) {
        throw new SpsApiFault(
          "InvalidRequest",
          "The central-management role can only be set by POST /api/cluster/promote.",
        );
      }
      const search = roles.filter((r) => r.startsWith("search-"));
      if (search.length > 1)
        throw new SpsApiFault("InvalidRequest", "A node has exactly one search role.", { roles });
      if (
        roles.includes("search-master") &&
        members.some((n) => n !== target && n.roles.includes("search-master"))
      ) {
        throw new SpsApiFault("InvalidRequest", "The cluster already has a search-master.", { roles });
      }
      transactionOf(ctx).changes.push({ kind: "roles", nodeId: target.nodeId, roles });
      return sendObject(ctx, target.nodeId, { ...body(target), roles }, href, "/api/cluster/nodes");
    }
  }
  notFound(ctx);
}
