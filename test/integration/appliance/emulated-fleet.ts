/**
 * Test helpers: an emulated fleet (emulator/lab/fleet.ts) and SpsRestClients for its nodes, verifying TLS
 * against the fleet's own CA. Every fleet started here is stopped by `stopAll()` (call it in `after`).
 */
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import {
  SpsRestClient,
  type SpsRestClientConfig,
  type SpsRestClientHooks,
} from "../../../provider/clients/sps/sps-rest-client";
import { sha256OfFile, writeFakeFirmwareIso } from "../../../emulator/sps/firmware-iso";
import { startFleet, type RunningFleet, type StartFleetOptions } from "../../../emulator/lab/fleet";

export const PASSWORD = "Emulated-Passw0rd!";

export const ADMIN = { username: "admin", password: PASSWORD, access: "admin" as const };
export const AUDITOR = { username: "auditor", password: "Auditor-Passw0rd!", access: "readonly" as const };

export function singleNodeFleet(version = "6.0.5", extra: Record<string, unknown> = {}): unknown {
  return { clusters: [{ name: "solo", nodes: [{ name: "sps1", version, ...extra }] }] };
}

/** How a client reaches node `nodeName` of the fleet: its URL, the ADMIN login, the fleet's CA trusted. */
export function adminConnection(fleet: RunningFleet, nodeName: string) {
  const node = fleet.node(nodeName);
  return {
    endpoint: node.url,
    credentials: { username: ADMIN.username, password: ADMIN.password },
    tls: { mode: "ca" as const, caPem: readFileSync(node.caCertPath, "utf8") },
  };
}

export class FleetHarness {
  private readonly fleets: RunningFleet[] = [];
  private readonly clients: SpsRestClient[] = [];

  async start(fleet: unknown, options: StartFleetOptions = {}): Promise<RunningFleet> {
    const running = await startFleet(fleet, { users: [ADMIN, AUDITOR], timeScale: 1, ...options });
    this.fleets.push(running);
    return running;
  }

  client(
    fleet: RunningFleet,
    nodeName: string,
    config: Partial<SpsRestClientConfig> = {},
    hooks: SpsRestClientHooks = {},
  ): SpsRestClient {
    const client = new SpsRestClient(
      {
        ...adminConnection(fleet, nodeName),
        retry: { baseDelayMs: 5, maxDelayMs: 20 },
        ...config,
      },
      { sleep: async () => undefined, log: { warn: () => undefined }, ...hooks },
    );
    this.clients.push(client);
    return client;
  }

  async stopAll(): Promise<void> {
    for (const c of this.clients.splice(0)) c.close();
    await Promise.all(this.fleets.splice(0).map((f) => f.stop()));
  }
}

export interface FleetWithIso {
  fleet: RunningFleet;
  dir: string;
  iso: string;
  isoSha: string;
}

/**
 * For the calling describe: a single-node fleet (sps1 on 6.0.5) and a fake 6.0.7 ISO of `isoBytes` in a
 * temporary folder, made before its tests and removed after them; the node's faults are cleared after
 * each test. The object returned is filled in by the `before`.
 */
export function fleetWithIsoPerSuite(harness: FleetHarness, prefix: string, isoBytes?: number): FleetWithIso {
  const t = {} as FleetWithIso;
  before(async function () {
    t.dir = mkdtempSync(join(tmpdir(), prefix));
    t.iso = join(t.dir, "sps-6.0.7.iso");
    await writeFakeFirmwareIso(t.iso, "6.0.7", isoBytes);
    t.isoSha = await sha256OfFile(t.iso);
    t.fleet = await harness.start(singleNodeFleet("6.0.5"));
  });
  after(async function () {
    await harness.stopAll();
    rmSync(t.dir, { recursive: true, force: true });
  });
  afterEach(function () {
    t.fleet.node("sps1").node.faults = {};
  });
  return t;
}

/** Waits (real time) until `predicate` holds, polling; fails after `timeoutMs`. */
export async function waitFor(
  predicate: () => boolean | Promise<boolean>,
  timeoutMs = 10_000,
  what = "condition",
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (await predicate()) return;
    await new Promise((r) => setTimeout(r, 25));
  }
  throw new Error(`timed out waiting for ${what}`);
}

export interface RawAnswer {
  status: number;
  headers: import("node:http").IncomingHttpHeaders;
  body: unknown;
}

/** One raw HTTPS request to an emulated node (verified against the fleet CA), for protocol-level checks. */
export async function rawRequest(
  fleet: RunningFleet,
  nodeName: string,
  options: {
    method: string;
    path: string;
    headers?: Record<string, string>;
    body?: string | Buffer;
    chunked?: boolean;
  },
): Promise<RawAnswer> {
  const { request } = await import("node:https");
  const node = fleet.node(nodeName);
  return new Promise((resolve, reject) => {
    const req = request(
      `${node.url}${options.path}`,
      {
        method: options.method,
        headers: options.headers,
        ca: readFileSync(node.caCertPath, "utf8"),
        agent: false,
      },
      (res) => {
        const chunks: Buffer[] = [];
        res.on("data", (c: Buffer) => chunks.push(c));
        res.on("end", () => {
          const text = Buffer.concat(chunks).toString("utf8");
          let body: unknown = text;
          try {
            body = JSON.parse(text);
          } catch {
            // not JSON
          }
          resolve({ status: res.statusCode ?? 0, headers: res.headers, body });
        });
      },
    );
    req.on("error", reject);
    if (options.chunked) {
      req.write(options.body ?? "");
      req.end();
    } else req.end(options.body);
  });
}

/** Logs in with raw requests; returns the Cookie header value. */
export async function rawLogin(fleet: RunningFleet, nodeName: string, user = ADMIN): Promise<string> {
  const auth = Buffer.from(`${user.username}:${user.password}`).toString("base64");
  const res = await rawRequest(fleet, nodeName, {
    method: "GET",
    path: "/api/authentication",
    headers: { Authorization: `Basic ${auth}` },
  });
  const cookie = (res.headers["set-cookie"] ?? [])[0]?.split(";")[0];
  if (!cookie) throw new Error(`login failed: HTTP ${res.status}`);
  return cookie;
}
