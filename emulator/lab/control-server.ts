/**
 * The emulator's own control surface — NOT part of the SPS API. Plain HTTP on its own loopback port,
 * every path under `/_emulator/`:
 *
 *   GET    /_emulator                               fleet description (nodes, URLs, CA, credentials)
 *   GET    /_emulator/time                          { now, iso, scale }
 *   POST   /_emulator/time/advance                  { "seconds": n } — jump emulated time forward
 *   GET    /_emulator/events[?node=&kind=&name=]    the event record of every call/action
 *   GET    /_emulator/nodes/<name>                  model state: HA, slots, plugins, license, faults
 *   GET    /_emulator/nodes/<name>/events
 *   PUT    /_emulator/nodes/<name>/faults           replace the node's faults (see emulator/sps/faults.ts)
 *   POST   /_emulator/nodes/<name>/faults           merge into the node's faults
 *   DELETE /_emulator/nodes/<name>/faults           clear
 *   POST   /_emulator/nodes/<name>/sessions/expire  end every REST session (clients must log in again)
 *   POST   /_emulator/nodes/<name>/system/<op>      reboot | shutdown-secondary | reboot-secondary |
 *                                                    power-on | power-off ({unit}) | activate-secondary |
 *                                                    reboot-cluster (next-hop monitoring, H4) |
 *                                                    upload-license ({license: "<file text>"})
 *   POST   /_emulator/nodes/<name>/webui/activate-firmware   {version}: the operator's "After reboot, Activate"
 *   POST   /_emulator/nodes/<name>/webui/upload-license      {license: "<file text>"}: the operator's upload in
 *                                                    Basic Settings > System > License (S11), then Traffic control restart
 *   POST   /_emulator/nodes/<name>/drift            out-of-band changes: { version, diskFillupLimitPercent,
 *                                                    diskUsedPercent, coreIntegrity, raidStatus, taintedCoreFiles, starlingJoined,
 *                                                    license: {major, validNotAfter}, plugins: [{name, version, type}] }
 */
import { SpsError } from "../../core/errors";
import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { z } from "zod";
import { SpsApiFault, SystemControlRefused } from "../sps/api-errors";
import { NodeFaultsSchema } from "../sps/faults";
import type { ScaledClock } from "../common/clock";
import type { EmulatedNode } from "../sps/emulated-node";
import type { EventLog } from "../sps/events";
import { pluginManifest } from "../sps/plugin-archive";
import type { UnitSelector } from "../sps/system-control-handler";

const DriftSchema = z
  .object({
    version: z
      .string()
      .regex(/^\d+\.\d+\.\d+$/)
      .optional(),
    diskFillupLimitPercent: z.number().int().min(0).max(100).optional(),
    diskUsedPercent: z.number().min(0).max(100).optional(),
    coreIntegrity: z.enum(["OK", "CORRUPTED"]).optional(),
    raidStatus: z.enum(["OK", "Degraded"]).optional(),
    taintedCoreFiles: z.number().int().nonnegative().optional(),
    starlingJoined: z.boolean().optional(),
    license: z.object({ major: z.number().int().positive(), validNotAfter: z.iso.date() }).optional(),
    plugins: z
      .array(
        z.object({
          name: z.string(),
          version: z.string(),
          type: z.string().optional(),
          implementation: z.string().optional(),
        }),
      )
      .optional(),
  })
  .strict();

class ControlError extends SpsError {
  static override readonly code: string = "EMULATOR_CONTROL_INVALID";
  constructor(
    readonly status: number,
    message: string,
  ) {
    super(message);
  }
}

function send(res: ServerResponse, status: number, body: unknown): void {
  const text = JSON.stringify(body, null, 2);
  res.writeHead(status, { "Content-Type": "application/json", "Content-Length": Buffer.byteLength(text) });
  res.end(text);
}

async function readJson(req: IncomingMessage): Promise<unknown> {
  const chunks: Buffer[] = [];
  for await (const c of req) chunks.push(c as Buffer);
  const text = Buffer.concat(chunks).toString("utf8");
  if (!text) return {};
  try {
    return JSON.parse(text) as unknown;
  } catch {
    throw new ControlError(400, "body is not JSON");
  }
}

function licenseText(body: unknown): string {
  const license = (body as { license?: unknown }).license;
  if (typeof license !== "string") throw new ControlError(400, "license: the license file text is required");
  return license;
}

function parse<T>(schema: z.ZodType<T>, raw: unknown): T {
  const r = schema.safeParse(raw);
  if (!r.success) {
    const i = r.error.issues[0];
    throw new ControlError(400, `${i.path.join(".") || "(body)"}: ${i.message}`);
  }
  return r.data;
}

/**
 * What the control surface needs of a running fleet (emulator/lab/fleet.ts's `RunningFleet` is one). Declared
 * here so that this module does not import fleet.ts, which starts it (no import circle).
 */
export interface ControlledFleet {
  readonly clock: Pick<ScaledClock, "now" | "advance" | "scale">;
  readonly events: EventLog;
  readonly nodes: ReadonlyArray<{
    name: string;
    node: EmulatedNode;
    server: { sessions: { expireAll(): number } };
  }>;
  describe(): unknown;
}

export class ControlServer {
  private readonly server: Server;

  constructor(private readonly fleet: ControlledFleet) {
    this.server = createServer((req, res) => {
      this.handle(req, res).catch((e: unknown) => {
        const status =
          e instanceof ControlError
            ? e.status
            : e instanceof SystemControlRefused || e instanceof SpsApiFault
              ? 409
              : 500;
        send(res, status, { error: e instanceof Error ? e.message : String(e) });
      });
    });
  }

  get url(): string {
    const a = this.server.address() as AddressInfo;
    return `http://127.0.0.1:${a.port}/_emulator`;
  }

  async listen(port: number): Promise<void> {
    await new Promise<void>((resolve, reject) => {
      this.server.once("error", reject);
      this.server.listen(port, "127.0.0.1", () => resolve());
    });
  }

  async close(): Promise<void> {
    this.server.closeAllConnections();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const url = new URL(req.url ?? "/", "http://127.0.0.1");
    const parts = url.pathname.split("/").filter(Boolean);
    const method = req.method ?? "GET";
    if (parts[0] !== "_emulator")
      throw new ControlError(404, "the emulator control surface lives under /_emulator/");
    const fleet = this.fleet;
    if (parts.length === 1 && method === "GET") return send(res, 200, fleet.describe());
    if (parts[1] === "time") {
      if (parts.length === 2 && method === "GET") {
        const now = fleet.clock.now();
        return send(res, 200, { now, iso: new Date(now).toISOString(), scale: fleet.clock.scale });
      }
      if (parts[2] === "advance" && method === "POST") {
        const body = parse(z.object({ seconds: z.number().nonnegative() }).strict(), await readJson(req));
        fleet.clock.advance(body.seconds * 1000);
        return send(res, 200, { now: fleet.clock.now(), iso: new Date(fleet.clock.now()).toISOString() });
      }
    }
    if (parts[1] === "events" && parts.length === 2 && method === "GET") {
      const q = url.searchParams;
      return send(
        res,
        200,
        fleet.events.list({
          node: q.get("node") ?? undefined,
          kind: (q.get("kind") as never) ?? undefined,
          name: q.get("name") ?? undefined,
        }),
      );
    }
    if (parts[1] === "nodes" && parts[2]) {
      const handle = fleet.nodes.find((n) => n.name === parts[2]);
      if (!handle) throw new ControlError(404, `no node "${parts[2]}"`);
      const node = handle.node;
      const sub = parts.slice(3);
      if (sub.length === 0 && method === "GET") {
        return send(res, 200, {
          name: node.name,
          cluster: node.cluster,
          nodeId: node.nodeId,
          roles: node.roles,
          serviceState: node.serviceState(),
          ha: node.haState(),
          firmware: node.firmwareSlots(),
          plugins: node.plugins,
          license: { ...node.license, state: node.licenseState() },
          diskFillup: node.diskFillup,
          starlingJoined: node.starlingJoined,
          faults: node.faults,
        });
      }
      if (sub[0] === "events" && method === "GET")
        return send(res, 200, fleet.events.list({ node: node.name }));
      if (sub[0] === "faults") {
        if (method === "DELETE") node.faults = {};
        else if (method === "PUT") node.faults = parse(NodeFaultsSchema, await readJson(req));
        else if (method === "POST")
          node.faults = parse(NodeFaultsSchema, { ...node.faults, ...((await readJson(req)) as object) });
        else throw new ControlError(405, "use PUT, POST or DELETE");
        node.record("fault", "faults-set", { ...node.faults });
        return send(res, 200, node.faults);
      }
      if (sub[0] === "sessions" && sub[1] === "expire" && method === "POST") {
        const expired = handle.server.sessions.expireAll();
        node.record("fault", "sessions-expired", { expired });
        return send(res, 200, { expired });
      }
      if (sub[0] === "system" && sub[1] && method === "POST") {
        const body = (await readJson(req)) as { unit?: UnitSelector; license?: string };
        const sc = node.systemControl();
        const operations: Record<string, () => void> = {
          reboot: () => sc.rebootThisNode(),
          "reboot-cluster": () => sc.rebootCluster(),
          "shutdown-secondary": () => sc.shutdownSecondary(),
          "reboot-secondary": () => sc.rebootSecondary(),
          "power-on": () => sc.powerOn(body.unit ?? "secondary"),
          "power-off": () => sc.powerOff(body.unit ?? "secondary"),
          "activate-secondary": () => sc.activateSecondary(),
          "upload-license": () => sc.uploadLicense(licenseText(body)),
        };
        const operation = Object.hasOwn(operations, sub[1]) ? operations[sub[1]] : undefined;
        if (!operation) throw new ControlError(404, `unknown system operation "${sub[1]}"`);
        operation();
        return send(res, 200, sc.haState());
      }
      if (sub[0] === "webui" && sub[1] === "activate-firmware" && method === "POST") {
        // The operator's manual step "Basic Settings > System > Firmwares: After reboot, Activate" (no reboot).
        const body = (await readJson(req)) as { version?: unknown };
        if (typeof body.version !== "string")
          throw new ControlError(400, "version: the firmware version X.Y.Z to activate is required");
        const slot = node.activateInWebInterface(body.version);
        return send(res, 200, { slot, firmware: node.firmwareSlots() });
      }
      if (sub[0] === "webui" && sub[1] === "upload-license" && method === "POST") {
        // The operator's manual step "Basic Settings > System > License: upload, then restart Traffic
        // control" [doc: docs/rest-api.md, "License"]; recorded `via: "web-interface"`, not as system control.
        const text = licenseText(await readJson(req));
        let l: ReturnType<EmulatedNode["uploadLicense"]>;
        try {
          l = node.uploadLicense(text, "web-interface");
        } catch (e) {
          throw new ControlError(400, e instanceof Error ? e.message : String(e));
        }
        return send(res, 200, {
          license: { serial: l.serial, major: l.major, validNotAfter: l.validNotAfter },
        });
      }
      if (sub[0] === "drift" && method === "POST") {
        const d = parse(DriftSchema, await readJson(req));
        if (d.version) node.driftRunningVersion(d.version);
        if (d.diskFillupLimitPercent !== undefined)
          node.setDiskFillup({ ...node.diskFillup, used_space_ratio_limit: d.diskFillupLimitPercent });
        if (d.diskUsedPercent !== undefined) node.diskUsedPercent = d.diskUsedPercent;
        if (d.coreIntegrity) node.coreIntegrity = d.coreIntegrity;
        if (d.raidStatus) node.raidStatus = d.raidStatus;
        if (d.taintedCoreFiles !== undefined) node.taintedCoreFiles = d.taintedCoreFiles;
        if (d.starlingJoined !== undefined) node.starlingJoined = d.starlingJoined;
        if (d.license)
          node.license = { ...node.license, major: d.license.major, validNotAfter: d.license.validNotAfter };
        for (const p of d.plugins ?? []) node.installPlugin(pluginManifest(p));
        node.record("state", "drift", { ...d });
        return send(res, 200, { ok: true });
      }
    }
    throw new ControlError(404, `unknown control path ${method} ${url.pathname}`);
  }
}
