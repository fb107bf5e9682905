/**
 * A tiny emulated Safeguard for Privileged Passwords (SPP) appliance, and the SPP-join state the
 * emulated SPS nodes keep (seed sps-spp-join.txt; REST notes §13).
 *
 * The SPP is a real HTTPS server with its own self-signed certificate whose CN/SAN are chosen by the
 * test (so a join that uses a name not on the certificate fails the TLS hostname check for real, as
 * in the documented `CertificateError`). It answers only what SPS calls during a join:
 * `POST /service/core/v3/Cluster/SessionModules` with `Authorization: Bearer <token>` (what SPS
 * sends is [unknown]; the emulated SPS sends NodeId, SpsNetworkAddress, SpsHostName, named as
 * safeguard-ps reads them), and `GET …/Cluster/SessionModules` (v3 or v4), the list safeguard-ps
 * checks a join with [ps: Get-SafeguardSessionCluster]:
 *   - wrong token → 403 `{Code: 60108, Message: "Authorization is required for this request."}` [doc];
 *   - a NodeId already registered (or missing) → 400 `{Code: 60657, …}` [doc];
 *   - otherwise 201 and the SPS node is listed as a session module [inference: body shape].
 * Unjoining happens on SPP only [ps]; `forget(nodeId)` is the emulator's stand-in for it.
 *
 * SPS-side state per emulated node (cluster interface / configuration sync, policy names, join
 * record) lives here, beside the node model, so the node model stays untouched.
 */
import { mkdtemp, rm } from "node:fs/promises";
import { createServer, type Server } from "node:https";
import type { AddressInfo, Socket } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { selfSignedCertificate } from "../common/certificates";
import type { EmulatedNode } from "../sps/emulated-node";

export const SESSION_MODULES_PATH = "/service/core/v3/Cluster/SessionModules";

export interface EmulatedSppOptions {
  /** Names on SPP's certificate: the CN is the first; every entry also goes into subjectAltName. */
  certificateNames: string[];
  /** The bearer token SPP accepts (an account with Appliance and Operations permissions). */
  apiToken: string;
}

export interface SessionModule {
  nodeId: string;
  /** The SPS address SPP reaches it on (`SpsNetworkAddress` [ps]). */
  host: string;
  /** The SPS host name (`SpsHostName` [ps]). */
  hostName?: string;
  joinedAt: string;
}

/** The session-module list paths: v4 is safeguard-ps's default core API version [ps]; v3 kept. */
const LIST_PATHS = [SESSION_MODULES_PATH, "/service/core/v4/Cluster/SessionModules"];

export class EmulatedSpp {
  readonly certPem: string;
  readonly modules = new Map<string, SessionModule>();
  /** Requests seen (path and status), for tests. */
  readonly requests: Array<{ path: string; status: number }> = [];
  private readonly server: Server;
  private readonly sockets = new Set<Socket>();
  private port = 0;

  private constructor(
    private readonly options: EmulatedSppOptions,
    tls: { key: string; cert: string },
    private readonly dir: string,
  ) {
    this.certPem = tls.cert;
    this.server = createServer(tls, (req, res) => {
      const chunks: Buffer[] = [];
      req.on("data", (c: Buffer) => chunks.push(c));
      req.on("end", () => {
        const answer = (status: number, body: unknown): void => {
          this.requests.push({ path: req.url ?? "", status });
          const text = JSON.stringify(body);
          res.writeHead(status, {
            "Content-Type": "application/json",
            "Content-Length": Buffer.byteLength(text),
          });
          res.end(text);
        };
        const url = new URL(req.url ?? "/", "https://spp");
        const listing = req.method === "GET" && LIST_PATHS.includes(url.pathname);
        if (!listing && (req.method !== "POST" || url.pathname !== SESSION_MODULES_PATH)) {
          return answer(404, { Code: 60000, Message: "Not found.", InnerError: null });
        }
        if (req.headers.authorization !== `Bearer ${this.options.apiToken}`) {
          return answer(403, {
            Code: 60108,
            Message: "Authorization is required for this request.",
            InnerError: null,
          });
        }
        if (listing) return answer(200, this.sessionModules());
        let body: Record<string, unknown> = {};
        try {
          body = JSON.parse(Buffer.concat(chunks).toString("utf8")) as Record<string, unknown>;
        } catch {
          // handled as a missing NodeId below
        }
        const nodeId = typeof body.NodeId === "string" ? body.NodeId : "";
        if (nodeId === "" || this.modules.has(nodeId)) {
          return answer(400, {
            Code: 60657,
            Message: "The session connection has a missing, invalid, or non-unique value [ NodeId ].",
            InnerError: null,
          });
        }
        const module: SessionModule = {
          nodeId,
          host: typeof body.SpsNetworkAddress === "string" ? body.SpsNetworkAddress : "",
          ...(typeof body.SpsHostName === "string" ? { hostName: body.SpsHostName } : {}),
          joinedAt: new Date().toISOString(),
        };
        this.modules.set(nodeId, module);
        answer(201, this.sessionModules().at(-1));
      });
    });
    this.server.on("connection", (s: Socket) => {
      this.sockets.add(s);
      s.on("close", () => this.sockets.delete(s));
    });
    this.server.on("tlsClientError", () => undefined);
  }

  static async start(options: EmulatedSppOptions): Promise<EmulatedSpp> {
    const dir = await mkdtemp(join(tmpdir(), "spp-emulator-"));
    const [cn] = options.certificateNames;
    if (!cn) throw new Error("EmulatedSpp: certificateNames needs at least one name");
    const san = options.certificateNames
      .map((n) => (/^\d+\.\d+\.\d+\.\d+$/.test(n) ? `IP:${n}` : `DNS:${n}`))
      .join(",");
    const cert = await selfSignedCertificate(dir, "spp", cn, [`subjectAltName=${san}`]);
    const spp = new EmulatedSpp(options, { key: cert.keyPem, cert: cert.certPem }, dir);
    await new Promise<void>((resolve, reject) => {
      spp.server.once("error", reject);
      spp.server.listen(0, "127.0.0.1", () => resolve());
    });
    spp.port = (spp.server.address() as AddressInfo).port;
    for (const name of options.certificateNames) SPP_DIRECTORY.set(name, spp.port);
    SPP_DIRECTORY.set("127.0.0.1", spp.port);
    return spp;
  }

  /**
   * `GET Cluster/SessionModules`: the fields safeguard-ps's Get-SafeguardSessionCluster selects [ps];
   * Description, Trusted and UseHostNameForLaunch get the values a fresh join plausibly has
   * [unknown: SPP's defaults].
   */
  sessionModules(): Array<Record<string, unknown>> {
    return [...this.modules.values()].map((m, i) => ({
      Id: i + 1,
      NodeId: m.nodeId,
      Description: null,
      SpsNetworkAddress: m.host,
      SpsHostName: m.hostName ?? null,
      Trusted: true,
      UseHostNameForLaunch: false,
    }));
  }

  /** The port SPP's HTTPS listens on (443 on a real SPP). */
  get httpsPort(): number {
    return this.port;
  }

  /** The SPP-side unjoin (`DELETE Cluster/SessionModules/<id>` on a real SPP [ps]). */
  forget(nodeId: string): void {
    this.modules.delete(nodeId);
  }

  async stop(): Promise<void> {
    for (const [name, port] of [...SPP_DIRECTORY]) if (port === this.port) SPP_DIRECTORY.delete(name);
    for (const s of this.sockets) s.destroy();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
    await rm(this.dir, { recursive: true, force: true });
  }
}

/**
 * How the emulated SPS reaches an SPP by name or IPv4 (a real SPS resolves the name and uses port
 * 443): name → the emulated SPP's port on 127.0.0.1. The emulator's own stand-in for DNS.
 */
export const SPP_DIRECTORY = new Map<string, number>();

export interface SppJoinRecord {
  spp: string;
  sppAddress: string;
  joinedAt: number;
}

export interface SpsSppState {
  /** Basic Settings > Local Services > Cluster interface: what configuration sync runs over [ps]. */
  clusterInterface: { enabled: boolean; listenAddress: string };
  /** Policy names per collection path (J4: none may contain "safeguard_default"). */
  policies: Record<string, string[]>;
  join: SppJoinRecord | undefined;
  /** A failed, half-done join blocks new joins until this emulated time (J6: "wait about 5 minutes"). */
  pendingJoinUntil: number | undefined;
}

export const HALF_DONE_JOIN_MS = 5 * 60 * 1000;

/** Policy collections the emulator serves [inference: the SPS REST paths of connection policies]. */
export const POLICY_COLLECTIONS = [
  "/api/configuration/ssh/channel_policies",
  "/api/configuration/rdp/channel_policies",
] as const;

const STATES = new WeakMap<EmulatedNode, SpsSppState>();

/** The SPP-join related state of one emulated SPS node (created on first use). */
export function sppStateOf(node: EmulatedNode): SpsSppState {
  let s = STATES.get(node);
  if (!s) {
    s = {
      clusterInterface: {
        enabled: false,
        listenAddress:
          "nic1.interfaces.1.addresses.1" /* a NIC address that is not the API one (nic-config.ts) */,
      },
      policies: Object.fromEntries(POLICY_COLLECTIONS.map((p) => [p, ["default"]])),
      join: undefined,
      pendingJoinUntil: undefined,
    };
    STATES.set(node, s);
  }
  return s;
}
