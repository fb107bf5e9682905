/**
 * Emulated SPS endpoints around the SPP join (REST notes §7, §13):
 *   - `GET /api/configuration/network/nics/nic1..nic3` [ps: Get-NicRefForIp] (./nic-config.ts);
 *   - `GET|PUT /api/configuration/local_services/cluster` {enabled, listen_address} [doc]: the GET
 *     returns `listen_address` as a reference object `{key, meta}`, the PUT takes only the key string
 *     of an existing NIC address [doc: 7.5 REST guide "Change an object"] and is staged in the
 *     transaction (applied on commit, api-config-routes.ts) [doc §3];
 *   - `POST /api/cluster/promote` [doc] → staged; the node becomes Central Management of its own
 *     cluster on commit;
 *   - `POST /api/cluster/spp` {spp, spp_api_token, spp_cert_chain} [ps]: SPS calls SPP's
 *     `Cluster/SessionModules` over real HTTPS, trusting only the given chain and checking the
 *     hostname, and maps the outcome to the documented `JoinFailed` errors (HTTP 400 [inference]);
 *   - no `GET /api/cluster/spp`: no document or public client has it; the join state is read on
 *     SPP's side (`Cluster/SessionModules`, spp-emulator.ts) [ps];
 *   - `GET /api/configuration/{ssh,rdp}/channel_policies` [inference] → policy names (J4).
 * Registered by one line in sps-api-server.ts.
 */
import { request } from "node:https";
import { checkServerIdentity, type PeerCertificate } from "node:tls";
import {
  IN_TRANSACTION,
  notFound,
  readJson,
  requireWrite,
  sendItems,
  sendJson,
  sendObject,
  transactionOf,
  type ApiContext,
} from "./api-context";
import { addressKeys, addressReference, nicBodies, type NIC_NAMES } from "./nic-config";
import { SpsApiFault } from "./api-errors";
import {
  HALF_DONE_JOIN_MS,
  POLICY_COLLECTIONS,
  SESSION_MODULES_PATH,
  SPP_DIRECTORY,
  sppStateOf,
} from "../spp/spp-emulator";

const CLUSTER_CONFIG = "/api/configuration/local_services/cluster";

const nodeIp = (ctx: ApiContext): string => ctx.directory.addressOf(ctx.node).split(":")[0] ?? "127.0.0.1";

/** Is this request one of the endpoints above? */
export function isSppRoute(ctx: ApiContext): boolean {
  return (
    ctx.path === CLUSTER_CONFIG ||
    ctx.path === "/api/cluster/promote" ||
    ctx.path === "/api/cluster/spp" ||
    ctx.path.startsWith("/api/configuration/network/nics/") ||
    (POLICY_COLLECTIONS as readonly string[]).includes(ctx.path)
  );
}

/** The documented `JoinFailed` error: SPP's answer (or why none came), its HTTP status and the URL called. */
function joinFailed(
  ctx: ApiContext,
  response: unknown,
  url: string | null = null,
  status: number | null = null,
): void {
  sendJson(ctx.res, 400, {
    error: {
      type: "JoinFailed",
      details: {
        message:
          "Error joining to SPP: SPS has failed to join to SPP. For more information, see the error details.",
        response,
        status,
        url,
      },
    },
  });
}

export async function handleSppRoute(ctx: ApiContext): Promise<void> {
  const { node, method, path } = ctx;
  const state = sppStateOf(node);

  if ((POLICY_COLLECTIONS as readonly string[]).includes(path) && method === "GET") {
    const items = (state.policies[path] ?? []).map((name, i) => ({
      key: `policy-${i + 1}`,
      body: { name },
      meta: { href: `${path}/policy-${i + 1}` },
    }));
    return sendItems(ctx, items, path, path.split("/").slice(0, -1).join("/"));
  }

  const nic = /^\/api\/configuration\/network\/nics\/(nic[1-3])$/.exec(path);
  if (nic && method === "GET") {
    const name = nic[1] as (typeof NIC_NAMES)[number];
    return sendObject(
      ctx,
      name,
      nicBodies(nodeIp(ctx))[name],
      path,
      "/api/configuration/network/nics",
      IN_TRANSACTION,
    );
  }

  if (path === CLUSTER_CONFIG) {
    const staged = ctx.session?.transaction?.changes.filter((c) => c.kind === "cluster-interface").at(-1);
    let shown =
      staged?.kind === "cluster-interface"
        ? { enabled: staged.enabled, listenAddress: staged.listenAddress }
        : state.clusterInterface;
    if (method === "PUT") {
      requireWrite(ctx);
      const body = await readJson(ctx);
      if (typeof body.enabled !== "boolean")
        throw new SpsApiFault("InvalidRequest", "enabled must be a boolean.", { field: "enabled" });
      const listen = body.listen_address;
      if (listen !== undefined && typeof listen !== "string") {
        // [unknown] what a real SPS answers to a reference object in a write: the documented rule is
        // "write the key string" [doc: 7.5 REST guide "Change an object"], and SPS ignores what it
        // does not understand, so a real one may accept the PUT and keep the old value. The emulator
        // refuses loudly instead, so a client that echoes the object fails a test, not an upgrade.
        throw new SpsApiFault(
          "InvalidRequest",
          "listen_address must be the key string of a NIC address reference (e.g. nic1.interfaces.<id>.addresses.<id>), not a {key, meta} object.",
          { field: "listen_address" },
        );
      }
      if (typeof listen === "string" && !addressKeys(nodeIp(ctx)).includes(listen)) {
        throw new SpsApiFault("InvalidRequest", `listen_address ${listen} is not a configured NIC address.`, {
          field: "listen_address",
          value: listen,
        });
      }
      shown = { enabled: body.enabled, listenAddress: listen ?? shown.listenAddress };
      transactionOf(ctx).changes.push({ kind: "cluster-interface", ...shown });
    } else if (method !== "GET") notFound(ctx);
    const body = { enabled: shown.enabled, listen_address: addressReference(shown.listenAddress) };
    return sendObject(
      ctx,
      "cluster",
      body,
      CLUSTER_CONFIG,
      "/api/configuration/local_services",
      IN_TRANSACTION,
    );
  }

  if (path === "/api/cluster/promote" && method === "POST") {
    requireWrite(ctx);
    await readJson(ctx);
    if (node.roles.includes("central-management")) {
      throw new SpsApiFault(
        "InvalidRequest",
        "This node is already the Central Management node of a cluster.",
      );
    }
    if (node.roles.length > 0) {
      throw new SpsApiFault("InvalidRequest", "This node is a member of a cluster; it cannot be promoted.", {
        roles: node.roles,
      });
    }
    // Staged: the node becomes Central Management when the transaction is committed [doc §7].
    transactionOf(ctx).changes.push({ kind: "promote", nodeId: node.nodeId });
    return sendJson(ctx.res, 200, {
      body: { address: nodeIp(ctx), roles: ["central-management"] },
      meta: {
        href: `/api/cluster/nodes/${node.nodeId}`,
        parent: "/api/cluster/nodes",
        remaining_seconds: 28800,
      },
    });
  }

  if (path === "/api/cluster/spp" && method === "POST") {
    requireWrite(ctx);
    const body = await readJson(ctx);
    const spp = typeof body.spp === "string" ? body.spp : "";
    const token = typeof body.spp_api_token === "string" ? body.spp_api_token : "";
    const chain = decodeChain(typeof body.spp_cert_chain === "string" ? body.spp_cert_chain : "");
    if (!spp || !token) throw new SpsApiFault("InvalidRequest", "spp and spp_api_token are required.");
    if (!node.roles.includes("central-management")) {
      return joinFailed(ctx, "Only the Central Management node of a cluster can join SPP.");
    }
    if (!state.clusterInterface.enabled) {
      return joinFailed(ctx, "Configuration synchronization (cluster interface) is disabled.");
    }
    const now = node.clock.now();
    if (state.pendingJoinUntil !== undefined && now < state.pendingJoinUntil) {
      return joinFailed(
        ctx,
        `A previous join request has not timed out yet; retry after ${new Date(state.pendingJoinUntil).toISOString()}.`,
      );
    }
    const url = `https://${spp}${SESSION_MODULES_PATH}`;
    const port = SPP_DIRECTORY.get(spp);
    if (port === undefined) {
      return joinFailed(
        ctx,
        `Error sending request: ConnectionError: HTTPSConnectionPool(host='${spp}', port=443): Max retries exceeded with url: ${SESSION_MODULES_PATH} (Caused by NewConnectionError('Name or service not known'))`,
        url,
      );
    }
    const answer = await callSpp(spp, port, token, chain, {
      NodeId: node.nodeId,
      SpsNetworkAddress: nodeIp(ctx),
      SpsHostName: node.hostname,
    });
    if (answer.kind === "tls") {
      state.pendingJoinUntil = now + HALF_DONE_JOIN_MS;
      return joinFailed(
        ctx,
        `Error sending request: SSLError: HTTPSConnectionPool(host='${spp}', port=443): Max retries exceeded with url: ${SESSION_MODULES_PATH} (Caused by SSLError(CertificateError("${answer.reason}",),))`,
        url,
      );
    }
    if (answer.status >= 400) {
      return joinFailed(ctx, answer.body, url, answer.status);
    }
    state.join = { spp, sppAddress: spp, joinedAt: now };
    state.pendingJoinUntil = undefined;
    // The join creates (and overwrites) the policies SPS and SPP work with (J4).
    for (const p of POLICY_COLLECTIONS) {
      state.policies[p] = [
        ...(state.policies[p] ?? []).filter((n) => !n.includes("safeguard_default")),
        "safeguard_default",
      ];
    }
    node.record("action", "spp-join", { spp }, undefined, now);
    const joined = { joined: true, spp, joined_at: new Date(now).toISOString() };
    return sendObject(ctx, "spp", joined, "/api/cluster/spp", "/api/cluster");
  }
  notFound(ctx);
}

/** [ps] spp_cert_chain: the certificates base64-encoded and concatenated; plain PEM accepted too. */
function decodeChain(text: string): string {
  if (text.includes("BEGIN CERTIFICATE")) return text;
  try {
    return Buffer.from(text, "base64").toString("utf8");
  } catch {
    return "";
  }
}

type SppAnswer = { kind: "tls"; reason: string } | { kind: "http"; status: number; body: unknown };

function callSpp(
  host: string,
  port: number,
  token: string,
  chain: string,
  payload: unknown,
): Promise<SppAnswer> {
  return new Promise((resolve) => {
    const text = JSON.stringify(payload);
    let mismatch: string | undefined;
    const req = request(
      {
        host: "127.0.0.1",
        port,
        method: "POST",
        path: SESSION_MODULES_PATH,
        servername: /^\d+\.\d+\.\d+\.\d+$/.test(host) ? undefined : host,
        ca: chain || undefined,
        agent: false,
        headers: {
          Authorization: `Bearer ${token}`,
          "Content-Type": "application/json",
          "Content-Length": Buffer.byteLength(text),
        },
        checkServerIdentity: (_h: string, cert: PeerCertificate) => {
          const err = checkServerIdentity(host, cert);
          if (err) mismatch = `hostname '${host}' doesn't match '${cert.subject?.CN ?? "?"}'`;
          return err;
        },
        timeout: 10_000,
      },
      (res) => {
        const chunks: Buffer[] = [];
        res.on("data", (c: Buffer) => chunks.push(c));
        res.on("end", () => {
          let body: unknown = Buffer.concat(chunks).toString("utf8");
          try {
            body = JSON.parse(body as string);
          } catch {
            // keep the text
          }
          resolve({ kind: "http", status: res.statusCode ?? 0, body });
        });
      },
    );
    req.on("error", (e: Error) => resolve({ kind: "tls", reason: mismatch ?? e.message }));
    req.end(text);
  });
}
