/**
 * The HTTPS server of one emulated SPS node: authentication (`GET /api/authentication`, basic auth ->
 * `session_id` cookie), dispatch to the documented endpoints, SPS error envelopes, and the node's
 * injected faults (5xx bursts, slow responses). While the node is down, connections are dropped; during
 * first boot every endpoint but `GET /api/setup` answers 503 (rule S10).
 */
import { createServer, type Server } from "node:https";
import semver from "semver";
import type { IncomingMessage, ServerResponse } from "node:http";
import type { AddressInfo, Socket } from "node:net";
import { setTimeout as delay } from "node:timers/promises";
import { handleCluster } from "./api-cluster-routes";
import {
  handleDiskFillup,
  handleLicense,
  handlePlugins,
  handleTransaction,
  healthBody,
  infoBody,
} from "./api-config-routes";
import {
  meta,
  notFound,
  sendFault,
  sendIndex,
  sendJson,
  sendObject,
  type ApiContext,
  type ClusterDirectory,
} from "./api-context";
import { SpsApiFault } from "./api-errors";
import { handleFirmware } from "./api-firmware-routes";
import { handleSppRoute, isSppRoute } from "./api-spp-routes";
import { handleNextHopRoute, isNextHopRoute } from "./api-next-hop-routes";
import { answerFromRecording } from "./recorded-answers";
import { sendBootAnswer } from "./boot-answers";
import { handleTroubleshooting, isTroubleshootingRoute } from "./api-troubleshooting-routes";
import type { EmulatedNode } from "./emulated-node";
import { SessionStore, type EmulatedUser } from "./session-store";

export interface SpsApiServerOptions {
  node: EmulatedNode;
  users: EmulatedUser[];
  tls: { key: string; cert: string };
  directory: ClusterDirectory;
  sessions?: SessionStore;
}

function parseCookie(header: string | undefined, name: string): string | undefined {
  for (const part of (header ?? "").split(";")) {
    const [k, ...v] = part.trim().split("=");
    if (k === name) return v.join("=");
  }
  return undefined;
}

function sendProgressPage(res: ServerResponse, name: string): void {
  const html = `<!DOCTYPE html><html><head><title>Upgrading</title></head><body><h1>${name}</h1><p>Upgrading the firmware, please wait. Do not reboot or power off the appliance.</p></body></html>`;
  res.writeHead(200, {
    "Content-Type": "text/html; charset=utf-8",
    "Content-Length": Buffer.byteLength(html),
  });
  res.end(html);
}

export class SpsApiServer {
  readonly node: EmulatedNode;
  readonly sessions: SessionStore;
  private readonly server: Server;
  private readonly sockets = new Set<Socket>();

  constructor(private readonly options: SpsApiServerOptions) {
    this.node = options.node;
    this.sessions = options.sessions ?? new SessionStore(options.node.clock);
    this.server = createServer({ key: options.tls.key, cert: options.tls.cert }, (req, res) => {
      void this.handle(req, res);
    });
    this.server.requestTimeout = 0;
    this.server.keepAliveTimeout = 5000;
    this.server.on("connection", (socket: Socket) => {
      // A node that is down (rebooting, powered off) has no network service: drop the connection.
      if (this.node.serviceState() === "down") {
        this.node.record("http", "connection-dropped", { reason: "node down" });
        socket.destroy();
        return;
      }
      this.sockets.add(socket);
      socket.on("close", () => this.sockets.delete(socket));
    });
    this.server.on("tlsClientError", () => undefined);
  }

  async listen(port = 0, host = "127.0.0.1"): Promise<AddressInfo> {
    await new Promise<void>((resolve, reject) => {
      this.server.once("error", reject);
      this.server.listen(port, host, () => {
        this.server.off("error", reject);
        resolve();
      });
    });
    return this.address();
  }

  address(): AddressInfo {
    return this.server.address() as AddressInfo;
  }

  async close(): Promise<void> {
    for (const s of this.sockets) s.destroy();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const node = this.node;
    const method = req.method ?? "GET";
    const url = new URL(req.url ?? "/", "https://emulator.invalid");
    const path = url.pathname.replace(/\/+$/, "") || "/";
    // Recorded when the answer is handed to the network (before the client can have read it), or when
    // the exchange is aborted.
    let recorded = false;
    const recordHttp = (status: number | undefined, detail: Record<string, unknown>): void => {
      recorded = true;
      node.events.record({
        at: node.clock.now(),
        node: node.name,
        kind: "http",
        name: `${method} ${path}`,
        status,
        detail,
      });
    };
    const record = (): void => {
      if (recorded) return;
      recordHttp(res.headersSent ? res.statusCode : undefined, {
        userAgent: req.headers["user-agent"] ?? null,
        ...(res.writableFinished ? {} : { aborted: true }),
      });
    };
    res.once("finish", record);
    res.once("close", record);
    try {
      if (node.faults.slowResponseMs) await delay(node.faults.slowResponseMs);
      const state = node.serviceState();
      if (state === "down") {
        req.socket.destroy();
        return;
      }
      const bootAnswer = node.faults.bootAnswer;
      if (state === "booting" && bootAnswer && path !== "/api/authentication") {
        // [unknown] fault: an answer nothing documents instead of the progress page (./boot-answers.ts).
        // Recorded on arrival, so a test counts every such request; `detail.bytesSent` grows as it is written.
        req.resume();
        const detail: Record<string, unknown> = { bootAnswer, bytesSent: 0 };
        recordHttp(200, detail);
        return sendBootAnswer(res, bootAnswer, path, (n) => {
          detail["bytesSent"] = (detail["bytesSent"] as number) + n;
        });
      }
      if (state === "booting" && !bootAnswer) {
        // [doc] upgrade guides: during a firmware boot the web interface shows status information (a
        // progress page, not the REST API) — on every path, /api/setup included: nothing documents a
        // welcome-wizard status then (docs/appliance-facts.md §10). From 5.0.x nothing until 6.0 is up.
        if (!node.showsBootProgressPage()) {
          req.socket.destroy();
          return;
        }
        req.resume();
        return sendProgressPage(res, node.name);
      }
      const burst = node.faults.serverErrorBurst;
      if (burst && (burst.pathPrefix === undefined || path.startsWith(burst.pathPrefix))) {
        const count = burst.count - 1;
        node.faults = { ...node.faults, serverErrorBurst: count > 0 ? { ...burst, count } : undefined };
        req.resume();
        throw new SpsApiFault("InternalServerError", "Injected server error.", {}, burst.status ?? 500);
      }
      await this.route(req, res, method, path);
    } catch (e) {
      if (e instanceof SpsApiFault) {
        req.resume();
        sendFault(res, e);
      } else {
        const message = e instanceof Error ? e.message : String(e);
        sendFault(res, new SpsApiFault("InternalServerError", `Emulator error: ${message}`));
      }
    }
  }

  private authenticate(req: IncomingMessage): EmulatedUser | undefined {
    const header = req.headers.authorization ?? "";
    const m = /^Basic\s+(\S+)$/i.exec(header);
    if (!m) return undefined;
    const decoded = Buffer.from(m[1], "base64").toString("utf8");
    const colon = decoded.indexOf(":");
    if (colon < 0) return undefined;
    const username = decoded.slice(0, colon);
    const password = decoded.slice(colon + 1);
    return this.options.users.find((u) => u.username === username && u.password === password);
  }

  private async route(
    req: IncomingMessage,
    res: ServerResponse,
    method: string,
    path: string,
  ): Promise<void> {
    const node = this.node;
    const segments = path.split("/").filter((s) => s.length > 0);
    const { sessions, options } = this;
    const base = { method, path, segments, req, res, node, sessions, directory: options.directory };

    // Unauthenticated endpoints.
    if (path === "/api/authentication" && method === "GET") {
      const user = this.authenticate(req);
      if (!user) throw new SpsApiFault("Unauthenticated", "Authentication failed.", { path });
      const session = this.sessions.create(user);
      node.record("action", "login", { user: user.username });
      return sendJson(
        res,
        200,
        {
          meta: {
            href: "/api/authentication",
            parent: "/api",
            remaining_seconds: this.sessions.remainingSeconds(session),
          },
        },
        { "Set-Cookie": `session_id=${session.id}; Path=/api; Secure; HttpOnly` },
      );
    }
    if (path === "/api/setup" && method === "GET") return sendJson(res, 200, { status: "completed" });

    const session = this.sessions.touch(parseCookie(req.headers.cookie, "session_id"));
    // [ps] From SPS 7.5, writes from browser-like clients need an X-Token header; non-browser User-Agents are exempt.
    if (
      session &&
      method !== "GET" &&
      /Mozilla|AppleWebKit|Gecko|Chrome/.test(req.headers["user-agent"] ?? "") &&
      semver.gte(node.runningVersion, "7.5.0") &&
      req.headers["x-token"] === undefined
    ) {
      throw new SpsApiFault("Unauthorized", "Browser clients must send an X-Token header.", { path });
    }
    // A node seeded from a recording answers recorded reads as the real appliance did (logged in).
    if (session && answerFromRecording(node, method, path, res)) return;
    const ctx: ApiContext = { ...base, session };
    if (path === "/api/info" && method === "GET")
      return sendObject(ctx, "about_info", infoBody(node, session !== undefined), "/api/info", "/api");
    if (!session) throw new SpsApiFault("Unauthenticated", "Authentication required.", { path });

    if (path === "/api" && method === "GET") {
      const keys = [
        "authentication",
        "cluster",
        "configuration",
        "firmware",
        "health_status",
        "info",
        "transaction",
        ...(node.hasSupportBundleApi() ? ["troubleshooting"] : []),
        "upload",
      ];
      return sendIndex(ctx, keys, "/api", null);
    }
    if (path === "/api/upload" && method === "GET") {
      // The parent of the upload endpoints ([doc] the upload answers' meta: parent "/api/upload").
      return sendIndex(ctx, ["firmware", "plugins"], "/api/upload", "/api");
    }
    if (
      segments[1] === "firmware" ||
      (segments[1] === "upload" && segments[2] === "firmware" && segments.length === 3)
    ) {
      return handleFirmware(ctx);
    }
    if (segments[1] === "upload" && segments[2] === "plugins" && segments.length === 3)
      return handlePlugins(ctx);
    if (segments[1] === "configuration" && segments[2] === "plugins") return handlePlugins(ctx);
    if (segments[1] === "transaction") return handleTransaction(ctx);
    if (isSppRoute(ctx)) return handleSppRoute(ctx);
    if (isNextHopRoute(ctx)) return handleNextHopRoute(ctx);
    if (segments[1] === "cluster") return handleCluster(ctx);
    if (isTroubleshootingRoute(ctx)) return handleTroubleshooting(ctx);
    if (path === "/api/health_status" && method === "GET")
      return sendJson(res, 200, { ...healthBody(node), meta: meta(ctx, "/api/health_status", "/api") });
    if (path === "/api/configuration/management/disk_fillup_prevention") return handleDiskFillup(ctx);
    if (path === "/api/configuration/management/license") return handleLicense(ctx);
    notFound(ctx);
  }
}
