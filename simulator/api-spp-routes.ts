/**
 * Emulated SPS endpoints around the SPP join (REST notes §7, §13):
 *   - `GET|PUT /api/configuration/local_services/cluster` {enabled, listen_address} [doc]; the PUT
 *     applies at once here [inference: the real one is staged in the transaction];
 *   - `POST /api/cluster/promote` [doc] → the node becomes Central Management of its own cluster
 *     (applied at once here, the client still commits) ;
 *   - `POST /api/cluster/spp` {spp, spp_api_token, spp_cert_chain} [ps]: SPS calls SPP's
 *     `Cluster/SessionModules` over real HTTPS, trusting only the given chain and checking the
 *     hostname, and maps the outcome to the documented `JoinFailed` errors (HTTP 400 [inference]);
 *   - `GET /api/cluster/spp` → {joined, spp, joined_at} [inference: the join state is not documented];
 *   - `GET /api/configuration/{ssh,rdp}/channel_policies` [inference] → policy names (J4).
 * Registered by one line in sps-api-server.ts.
 */
import { request } from "node:https";
import { checkServerIdentity, type PeerCertificate } from "node:tls";
import { meta, readJson, requireWrite, sendJson, type ApiContext } from "./api-context";
import { SpsApiFault } from "./api-errors";
import {
  HALF_DONE_JOIN_MS,
  POLICY_COLLECTIONS,
  SESSION_MODULES_PATH,
  SPP_DIRECTORY,
  sppStateOf,
} from "./spp-emulator";

const CLUSTER_CONFIG = "/api/configuration/local_services/cluster";

/** Is this request one of the endpoints above? */
export function isSppRoute(ctx: ApiContext): boolean {
  return (
    ctx.path === CLUSTER_CONFIG ||
    ctx.path === "/api/cluster/promote" ||
    ctx.path === "/api/cluster/spp" ||
    (POLICY_COLLECTIONS as readonly string[]).includes(ctx.path)
  );
}

function joinFailed(ctx: ApiContext, details: Record<string, unknown>): void {
  sendJson(ctx.res, 400, {
    error: {
      type: "JoinFailed",
      details: {
        message:
          "Error joining to SPP: SPS has failed to join to SPP. For more information, see the error details.",
        ...details,
      },
    },
  });
}

export async function handleSppRoute(ctx: ApiContext): Promise<void> {
  const { node, method, path } = ctx;
  const state = sppStateOf(node);

  if ((POLICY_COLLECTIONS as readonly string[]).includes(path) && method === "GET") {
    const names = state.policies[path] ?? [];
    return sendJson(ctx.res, 200, {
      items: names.map((name, i) => ({
        key: `policy-${i + 1}`,
        body: { name },
        meta: { href: `${path}/policy-${i + 1}` },
      })),
      meta: meta(ctx, path, path.split("/").slice(0, -1).join("/")),
    });
  }

  if (path === CLUSTER_CONFIG) {
    if (method === "PUT") {
      requireWrite(ctx);
      const body = await readJson(ctx);
      if (typeof body.enabled !== "boolean")
        throw new SpsApiFault("InvalidRequest", "enabled must be a boolean.", { field: "enabled" });
      state.clusterInterface = {
        enabled: body.enabled,
        listenAddress:
          typeof body.listen_address === "string"
            ? body.listen_address
            : state.clusterInterface.listenAddress,
      };
    } else if (method !== "GET") throw new SpsApiFault("NotFound", `No such resource: ${path}`, { path });
    return sendJson(ctx.res, 200, {
      key: "cluster",
      body: { enabled: state.clusterInterface.enabled, listen_address: state.clusterInterface.listenAddress },
      meta: meta(ctx, CLUSTER_CONFIG, "/api/configuration/local_services", {
        transaction: "/api/transaction",
      }),
    });
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
    node.roles = ["central-management", "search-local"];
    node.events.record({
      at: node.clock.now(),
      node: node.name,
      kind: "action",
      name: "cluster-promote",
      detail: {},
    });
    return sendJson(ctx.res, 200, {
      body: { address: ctx.directory.addressOf(node).split(":")[0], roles: ["central-management"] },
      meta: {
        href: `/api/cluster/nodes/${node.nodeId}`,
        parent: "/api/cluster/nodes",
        remaining_seconds: 28800,
      },
    });
  }

  if (path === "/api/cluster/spp" && method === "GET") {
    return sendJson(ctx.res, 200, {
      key: "spp",
      body: {
        joined: state.join !== undefined,
        spp: state.join?.spp ?? null,
        joined_at: state.join ? new Date(state.join.joinedAt).toISOString() : null,
      },
      meta: meta(ctx, "/api/cluster/spp", "/api/cluster"),
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
      return joinFailed(ctx, {
        response: "Only the Central Management node of a cluster can join SPP.",
        status: null,
        url: null,
      });
    }
    if (!state.clusterInterface.enabled) {
      return joinFailed(ctx, {
        response: "Configuration synchronization (cluster interface) is disabled.",
        status: null,
        url: null,
      });
    }
    const now = node.clock.now();
    if (state.pendingJoinUntil !== undefined && now < state.pendingJoinUntil) {
      return joinFailed(ctx, {
        response: `A previous join request has not timed out yet; retry after ${new Date(state.pendingJoinUntil).toISOString()}.`,
        status: null,
        url: null,
      });
    }
    const url = `https://${spp}${SESSION_MODULES_PATH}`;
    const port = SPP_DIRECTORY.get(spp);
    if (port === undefined) {
      return joinFailed(ctx, {
        response: `Error sending request: ConnectionError: HTTPSConnectionPool(host='${spp}', port=443): Max retries exceeded with url: ${SESSION_MODULES_PATH} (Caused by NewConnectionError('Name or service not known'))`,
        status: null,
        url,
      });
    }
    const answer = await callSpp(spp, port, token, chain, {
      NodeId: node.nodeId,
      Host: ctx.directory.addressOf(node).split(":")[0],
    });
    if (answer.kind === "tls") {
      state.pendingJoinUntil = now + HALF_DONE_JOIN_MS;
      return joinFailed(ctx, {
        response: `Error sending request: SSLError: HTTPSConnectionPool(host='${spp}', port=443): Max retries exceeded with url: ${SESSION_MODULES_PATH} (Caused by SSLError(CertificateError("${answer.reason}",),))`,
        status: null,
        url,
      });
    }
    if (answer.status >= 400) {
      return joinFailed(ctx, { response: answer.body, status: answer.status, url });
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
    node.events.record({ at: now, node: node.name, kind: "action", name: "spp-join", detail: { spp } });
    return sendJson(ctx.res, 200, {
      key: "spp",
      body: { joined: true, spp, joined_at: new Date(now).toISOString() },
      meta: meta(ctx, "/api/cluster/spp", "/api/cluster"),
    });
  }
  throw new SpsApiFault("NotFound", `No such resource: ${path}`, { path });
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
