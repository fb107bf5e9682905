/**
 * A hostile "SPS appliance" for tests: an HTTPS server on loopback that logs in like SPS (Basic auth →
 * `session_id` cookie) and answers each path as the test says — normally, with a slow drip, an endless
 * body, a wrong shape, terminal escapes, echoed secrets, a redirect, a connection reset before an
 * answer or in the middle of a body (an answer for `/api/authentication` replaces the login). It counts
 * the bytes it sent per path (so a test can assert the client stopped reading) and every request that
 * is not a GET (so a test can assert nothing was written). Each test stops it (`stop`): every open
 * connection is closed and every timer cleared.
 */
import { createServer, type Server } from "node:https";
import type { IncomingMessage, ServerResponse } from "node:http";
import type { AddressInfo, Socket } from "node:net";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { createFleetCa, issueServerCertificate } from "../../emulator/common/certificates";

export const HOSTILE_SESSION_ID = "hostile0session0id0feedc0ffee42";

/** What the server does for one request; `count(n)` records bytes sent for the request's path. */
export type Behaviour = (req: IncomingMessage, res: ServerResponse, ctx: BehaviourContext) => void;

export interface BehaviourContext {
  count: (bytes: number) => void;
  /** Registers a timer the server clears on stop. */
  every: (ms: number, tick: () => void) => NodeJS.Timeout;
}

/** A JSON answer. */
export function json(body: unknown, status = 200, headers: Record<string, string> = {}): Behaviour {
  return (_req, res, ctx) => {
    const text = Buffer.from(JSON.stringify(body));
    res.writeHead(status, { "Content-Type": "application/json", "Content-Length": text.length, ...headers });
    ctx.count(text.length);
    res.end(text);
  };
}

/** A valid-looking JSON start, then one byte per `intervalMs`, never ending. */
export function drip(intervalMs = 20): Behaviour {
  return (_req, res, ctx) => {
    res.writeHead(200, { "Content-Type": "application/json" });
    res.write('{"body":{"x":"');
    ctx.count(14);
    const t = ctx.every(intervalMs, () => {
      if (res.destroyed || res.writableEnded) return clearInterval(t);
      res.write("a");
      ctx.count(1);
    });
    res.on("close", () => clearInterval(t));
  };
}

/** An endless body sent as fast as the client reads it (64 KiB chunks, no Content-Length). */
export function endless(): Behaviour {
  const chunk = Buffer.alloc(64 * 1024, 0x61);
  return (_req, res, ctx) => {
    res.writeHead(200, { "Content-Type": "application/json" });
    res.write('{"body":{"x":"');
    const pump = (): void => {
      while (!res.destroyed && !res.writableEnded) {
        ctx.count(chunk.length);
        if (!res.write(chunk)) return void res.once("drain", pump);
      }
    };
    pump();
  };
}

/**
 * A valid-looking JSON answer that declares `declared` bytes, sends `sent` of them and then resets the
 * connection: the client sees the body end early.
 */
export function resetMidBody(declared = 4096, sent = 100): Behaviour {
  return (req, res, ctx) => {
    res.writeHead(200, { "Content-Type": "application/json", "Content-Length": declared });
    const start = Buffer.from('{"body":{"firmware_version":"7.0.3","x":"');
    const part = Buffer.concat([start, Buffer.alloc(Math.max(0, sent - start.length), 0x61)]);
    ctx.count(part.length);
    res.write(part, () => req.socket.destroy());
  };
}

/** Takes the request and never answers: no status line, the connection left open (until `stop`). */
export function silent(): Behaviour {
  return () => undefined;
}

/** Closes the connection without an answer. */
export function reset(): Behaviour {
  return (req) => req.socket.destroy();
}

/** A redirect to `location`. */
export function redirect(location: string, status = 302): Behaviour {
  return (_req, res) => {
    res.writeHead(status, { Location: location, "Content-Length": 0 });
    res.end();
  };
}

/** The SPS shapes `probeNode` reads, for a node running `version` (the caller overrides paths). */
export function spsAnswers(version: string): Record<string, Behaviour> {
  return {
    "/api/info": json({ body: { firmware_version: version, roles: [] }, meta: { href: "/api/info" } }),
    "/api/firmware/slots": json({
      items: [{ key: "1", body: { version }, meta: { href: "/api/firmware/slots/1" } }],
      meta: { href: "/api/firmware/slots", current_slot: "1", number_of_empty_slots: 1 },
    }),
    "/api/health_status": json({ health_status: { cpu: 1, memory: 1, disk: 1, swap: 0 } }),
    "/api/configuration/management/disk_fillup_prevention": json({
      body: { enabled: true, archiving_enabled: false, used_space_ratio_limit: 90 },
      meta: {},
    }),
  };
}

export class HostileAppliance {
  private server: Server | undefined;
  private readonly sockets = new Set<Socket>();
  private readonly timers = new Set<NodeJS.Timeout>();
  private certDir: string | undefined;
  /** Bytes sent per path (body bytes the behaviour wrote). */
  readonly bytesSent = new Map<string, number>();
  /** Every request that was not a GET (a write reaching the "node"). */
  readonly writes: string[] = [];
  readonly requests: string[] = [];
  caCertPath = "";
  url = "";

  constructor(
    public answers: Record<string, Behaviour>,
    private readonly login: Behaviour = (_req, res, ctx) =>
      json({ meta: { href: "/api/authentication" } }, 200, {
        "Set-Cookie": `session_id=${HOSTILE_SESSION_ID}; Path=/api; Secure; HttpOnly`,
      })(_req, res, ctx),
  ) {}

  async start(): Promise<this> {
    this.certDir = mkdtempSync(join(tmpdir(), "hostile-appliance-"));
    const ca = await createFleetCa(this.certDir, "hostile appliance CA");
    const cert = await issueServerCertificate(ca, "hostile");
    this.caCertPath = ca.caCertPath;
    const server = createServer({ key: cert.keyPem, cert: cert.certPem }, (req, res) =>
      this.handle(req, res),
    );
    server.on("secureConnection", (s: Socket) => {
      this.sockets.add(s);
      s.on("close", () => this.sockets.delete(s));
    });
    await new Promise<void>((r) => server.listen(0, "127.0.0.1", () => r()));
    this.server = server;
    this.url = `https://127.0.0.1:${(server.address() as AddressInfo).port}`;
    return this;
  }

  sent(path: string): number {
    return this.bytesSent.get(path) ?? 0;
  }

  /** Bytes sent over all paths. */
  sentTotal(): number {
    let total = 0;
    for (const n of this.bytesSent.values()) total += n;
    return total;
  }

  /** Forgets the counts and the request record (one server, several probes in turn). */
  clearRecord(): void {
    this.bytesSent.clear();
    this.writes.length = 0;
    this.requests.length = 0;
  }

  private handle(req: IncomingMessage, res: ServerResponse): void {
    const path = (req.url ?? "/").split("?")[0] ?? "/";
    this.requests.push(`${req.method} ${path}`);
    if (req.method !== "GET" && path !== "/api/authentication") this.writes.push(`${req.method} ${path}`);
    req.resume();
    const ctx: BehaviourContext = {
      count: (n) => this.bytesSent.set(path, this.sent(path) + n),
      every: (ms, tick) => {
        const t = setInterval(tick, ms);
        this.timers.add(t);
        return t;
      },
    };
    // A test's answer for the login path replaces the default login.
    const behaviour = this.answers[path] ?? (path === "/api/authentication" ? this.login : undefined);
    if (behaviour) return behaviour(req, res, ctx);
    json({ error: { type: "NotFound", details: { message: "no such resource" } } }, 404)(req, res, ctx);
  }

  async stop(): Promise<void> {
    for (const t of this.timers) clearInterval(t);
    this.timers.clear();
    for (const s of this.sockets) s.destroy();
    const server = this.server;
    this.server = undefined;
    if (server) {
      server.closeAllConnections();
      await new Promise<void>((r) => server.close(() => r()));
    }
    if (this.certDir) rmSync(this.certDir, { recursive: true, force: true });
  }
}
