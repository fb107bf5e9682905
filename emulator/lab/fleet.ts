/**
 * Start a whole emulated SPS fleet on loopback: a CA, one HTTPS SPS API server per fleet node (an HA
 * pair is one node, served by its current primary), the emulator's control surface, and any extra
 * channels (SSH core shell, IPMI BMC) through `channels` factories.
 *
 *   const fleet = await startFleet(fleetDocument, { timeScale: 600 });
 *   const n = fleet.node("sm");          // n.url, n.caCertPath, n.credentials, n.node (the model)
 *   ...
 *   await fleet.stop();
 */
import { randomBytes } from "node:crypto";
import { promises as fs } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import {
  createFleetCa,
  issueServerCertificate,
  type CertificateStore,
  type FleetCa,
} from "../common/certificates";
import { ScaledClock, SECOND } from "../common/clock";
import type { ClusterDirectory } from "../sps/api-context";
import { ControlServer } from "./control-server";
import { nextHopStateOf } from "../next-hop/next-hop-emulator";
import { EmulatedNode, type NodeTimings, type UpgradeCallReading } from "../sps/emulated-node";
import { EventLog } from "../sps/events";
import { parseFleetFile, type FleetFile } from "./fleet-spec";
import { pluginManifest } from "../sps/plugin-archive";
import type { EmulatedUser } from "../sps/session-store";
import { SpsApiServer } from "../sps/sps-api-server";
import type { SystemControlHandler } from "../sps/system-control-handler";

export interface FleetNodeHandle {
  cluster: string;
  name: string;
  node: EmulatedNode;
  server: SpsApiServer;
  host: string;
  port: number;
  /** Base URL of the SPS REST API, e.g. https://127.0.0.1:40123 */
  url: string;
  caCertPath: string;
  fingerprint256: string;
  credentials: EmulatedUser[];
  /** Descriptions added by channel factories (e.g. { ssh: {...}, ipmi: {...} }). */
  channels: Record<string, unknown>;
}

/** A channel (SSH core shell, IPMI BMC, ...) attached to a node when the fleet starts. */
export interface FleetChannel {
  describe(): Record<string, unknown>;
  stop(): Promise<void>;
}
export type FleetChannelFactory = (
  handle: FleetNodeHandle,
  fleet: RunningFleet,
) => Promise<FleetChannel | undefined>;

export interface StartFleetOptions {
  /** Emulated time runs this many times faster than real time (default: fleet file, else 1). */
  timeScale?: number;
  clock?: ScaledClock;
  /** Users of every node (default: fleet file, else admin with a random password). */
  users?: EmulatedUser[];
  timings?: Partial<NodeTimings>;
  /** Control surface port; false to not start it (default: fleet file, else any free port). */
  controlPort?: number | false;
  /** Directory for the CA and certificates (default: a fresh temp dir, removed at stop). */
  workDir?: string;
  channels?: FleetChannelFactory[];
  /** Default reading of `POST /api/firmware/upgrade` for nodes whose fleet entry names none ("reboots"). */
  upgradeCall?: UpgradeCallReading;
  /**
   * One server certificate (IP 127.0.0.1, localhost) for every node instead of one each: a fleet of
   * thousands of nodes starts in seconds instead of minutes (one openssl run per node). Certificate
   * pins then do not tell the nodes apart; the CA trust is unchanged.
   */
  sharedCertificate?: boolean;
  /**
   * CA and server certificates from a store kept by the caller across fleets (tests that start many
   * fleets); the fleet then neither makes nor removes them. `workDir` is ignored.
   */
  certificates?: CertificateStore;
}

export type FleetDescription = ReturnType<RunningFleet["describe"]>;

/** The fleet file's timings (`<name>Seconds`, emulated seconds) as node timings (`<name>Ms`). */
function timingsFromFile(t: NonNullable<FleetFile["emulator"]>["timings"] = {}): Partial<NodeTimings> {
  const set = Object.entries(t).filter(([, v]) => v !== undefined);
  return Object.fromEntries(set.map(([k, v]) => [k.replace(/Seconds$/, "Ms"), v * SECOND]));
}

export class RunningFleet {
  readonly nodes: FleetNodeHandle[] = [];
  control: ControlServer | undefined;
  private readonly channelsRunning: FleetChannel[] = [];
  private stopped = false;

  constructor(
    readonly clock: ScaledClock,
    readonly events: EventLog,
    readonly ca: FleetCa,
    private readonly ownsWorkDir: boolean,
  ) {}

  get caCertPath(): string {
    return this.ca.caCertPath;
  }

  node(name: string): FleetNodeHandle {
    const h = this.nodes.find((n) => n.name === name);
    if (!h)
      throw new Error(`no emulated node named "${name}" (have: ${this.nodes.map((n) => n.name).join(", ")})`);
    return h;
  }

  systemControl(name: string): SystemControlHandler {
    return this.node(name).node.systemControl();
  }

  get controlUrl(): string | null {
    return this.control ? this.control.url : null;
  }

  describe() {
    return {
      control: this.controlUrl,
      caPath: this.ca.caCertPath,
      timeScale: this.clock.scale,
      nodes: this.nodes.map((h) => ({
        cluster: h.cluster,
        name: h.name,
        url: h.url,
        host: h.host,
        port: h.port,
        ha: h.node.ha,
        // Physical unit ids ("a"; HA: "a", "b") — one BMC each.
        units: h.node.systemControl().units(),
        nodeId: h.node.nodeId,
        roles: h.node.roles,
        version: h.node.runningVersion,
        // What `POST /api/firmware/upgrade` does on this node (docs/appliance-facts.md §1).
        upgradeCall: h.node.upgradeCall,
        caPath: h.caCertPath,
        fingerprint256: h.fingerprint256,
        credentials: h.credentials.map((c) => ({ ...c })),
        channels: h.channels,
      })),
    };
  }

  addChannel(channel: FleetChannel): void {
    this.channelsRunning.push(channel);
  }

  async stop(): Promise<void> {
    if (this.stopped) return;
    this.stopped = true;
    await Promise.allSettled(this.channelsRunning.map((c) => c.stop()));
    await Promise.allSettled(this.nodes.map((h) => h.server.close()));
    if (this.control) await this.control.close();
    if (this.ownsWorkDir) await fs.rm(this.ca.dir, { recursive: true, force: true });
  }
}

export async function startFleet(
  fleetDocument: unknown,
  options: StartFleetOptions = {},
): Promise<RunningFleet> {
  const fleet = parseFleetFile(fleetDocument);
  const scale = options.timeScale ?? fleet.emulator?.timeScale ?? 1;
  const clock = options.clock ?? new ScaledClock(scale);
  const events = new EventLog();
  const users: EmulatedUser[] = options.users ??
    fleet.emulator?.credentials ?? [
      { username: "admin", password: randomBytes(12).toString("base64url"), access: "admin" },
    ];
  const timings = { ...timingsFromFile(fleet.emulator?.timings), ...options.timings };
  const store = options.certificates;
  const ownsWorkDir = store === undefined && options.workDir === undefined;
  const ca = store
    ? await store.fleetCa()
    : await createFleetCa(options.workDir ?? (await fs.mkdtemp(join(tmpdir(), "sps-emulator-"))));
  const running = new RunningFleet(clock, events, ca, ownsWorkDir);
  const directory: ClusterDirectory = {
    clusterNodes: (node) => running.nodes.filter((h) => h.cluster === node.cluster).map((h) => h.node),
    addressOf: (node) => {
      const h = running.nodes.find((x) => x.node === node);
      return h ? `${h.host}:${h.port}` : "0.0.0.0:0";
    },
  };
  let shared: Awaited<ReturnType<typeof issueServerCertificate>> | undefined;
  try {
    for (const cluster of fleet.clusters) {
      for (const spec of cluster.nodes) {
        const node = new EmulatedNode({
          // license, starlingJoined, requireCommitLog, supportBundleApi, firmwareFetchApi, licenseProductVersion
          ...spec.emulator,
          name: spec.name,
          cluster: cluster.name,
          version: spec.version,
          ha: spec.ha,
          roles: spec.roles,
          hardware: spec.hardware,
          plugins: (spec.plugins ?? []).map((p) => pluginManifest(p)),
          diskFillupLimitPercent: spec.settings?.diskFillupLimitPercent,
          upgradeCall: spec.emulator?.upgradeCall ?? options.upgradeCall,
          trustedCaPem: ca.caCertPem,
          clock,
          events,
          timings,
        });
        if (spec.emulator?.diskUsedPercent !== undefined)
          node.diskUsedPercent = spec.emulator.diskUsedPercent;
        if (spec.emulator?.faults) node.faults = { ...spec.emulator.faults };
        if (spec.emulator?.nextHopRest === false) nextHopStateOf(node).restOffered = false;
        const cert = options.sharedCertificate
          ? (shared ??= await (store?.serverCertificate("localhost") ??
              issueServerCertificate(ca, "localhost")))
          : await (store?.serverCertificate(spec.name) ?? issueServerCertificate(ca, spec.name));
        const server = new SpsApiServer({
          node,
          users,
          tls: { key: cert.keyPem, cert: cert.certPem },
          directory,
        });
        const address = await server.listen(spec.emulator?.port ?? 0);
        running.nodes.push({
          cluster: cluster.name,
          name: spec.name,
          node,
          server,
          host: "127.0.0.1",
          port: address.port,
          url: `https://127.0.0.1:${address.port}`,
          caCertPath: ca.caCertPath,
          fingerprint256: cert.fingerprint256,
          credentials: users,
          channels: {},
        });
      }
    }
    const controlPort = options.controlPort ?? fleet.emulator?.controlPort ?? 0;
    if (controlPort !== false) {
      running.control = new ControlServer(running);
      await running.control.listen(controlPort);
    }
    for (const factory of options.channels ?? []) {
      for (const handle of running.nodes) {
        const channel = await factory(handle, running);
        if (channel) {
          running.addChannel(channel);
          Object.assign(handle.channels, channel.describe());
        }
      }
    }
  } catch (e) {
    await running.stop();
    throw e;
  }
  return running;
}
