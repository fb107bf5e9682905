/**
 * Test support for the executor: a whole emulated fleet (emulator/lab/fleet.ts) with a scaled clock, real
 * HTTPS REST clients (`SpsRestClient`), firmware ISOs on disk, licenses, and a `SystemControl` that
 * drives the emulator's node model in process (`EmulatorSystemControl`, an adapter in this folder —
 * the real ssh/ipmi channels are exercised in ./ha-real-channels.test.ts). The plan comes from the
 * real planner (`planCluster`). Every write the executor makes is visible in the emulator's event record.
 */
import { mkdtempSync, rmSync } from "node:fs";
import { readFile } from "node:fs/promises";
import type { IncomingMessage, ServerResponse } from "node:http";
import { createServer as createHttpsServer, type Server } from "node:https";
import type { AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import { basename, join } from "node:path";
import { SpsRestClient } from "../../../provider/clients/sps/sps-rest-client";
import type {
  HaPair,
  HaState,
  LicenseFile,
  PowerState,
  SystemControl,
} from "../../../provider/clients/system-control/operations";
import { fleetSchema } from "../../../core/fleet";
import { planCluster } from "../../../core/fleet-plan";
import type { ClusterPlan } from "../../../core/plan";
import { memoryCheckpointStore } from "../../../provider/executor/checkpoint";
import { realSleep } from "../../../provider/executor/run-context";
import { executeClusterPlan } from "../../../provider/executor/execute";
import {
  ExecutionError,
  type ExecutionResult,
  type ExecutionInputs,
  type FirmwareImageInput,
  type NodeBinding,
  type ProgressEvent,
} from "../../../provider/executor/types";
import type { EmulatorEvent } from "../../../emulator/sps/events";
import { sha256OfFile, writeFakeFirmwareIso } from "../../../emulator/sps/firmware-iso";
import { startFleet, type FleetChannelFactory, type RunningFleet } from "../../../emulator/lab/fleet";
import { buildLicenseFile } from "../../../emulator/sps/license";
import {
  issueServerCertificate,
  type CertificateStore,
  type ServerCertificate,
} from "../../../emulator/common/certificates";
import { VirtualTime } from "./virtual-time";
import { readFileSync } from "node:fs";
import { exampleCatalog, CLEAN_SETTINGS, AS_OF } from "../../support/domain-fixtures";
import type { Catalog } from "../../../core/catalog";
import { backupConfirmation, bundleConfirmation } from "../../../provider/executor/confirmations";

export const PASSWORD = "Emu-Executor-Pw-4711";

/** Emulated time scale of the tests: a 15-minute first boot takes 0.5 s. */
export const TIME_SCALE = 1800;
/**
 * Time scale under virtual time (./virtual-time.ts): the clock jumps while the executor only waits, so
 * real time need not run fast; slow enough that a REST exchange on a loaded machine moves emulated time
 * by a second or so, fast enough that a call that never settles still meets its deadline.
 */
export const VIRTUAL_TIME_SCALE = 60;

export interface NodeDecl {
  name: string;
  version: string;
  roles?: string[];
  ha?: boolean;
  plugins?: Array<{ name: string; version: string }>;
  /** What the fleet declares beyond the clean settings (the planner's facts: P5, P15, ...). */
  declared?: { virtual?: boolean; settings?: Record<string, unknown> };
  /** Settings of the emulated appliance only (the planner sees clean, declared settings). */
  liveSettings?: Record<string, unknown>;
  emulator?: Record<string, unknown>;
}

/**
 * SystemControl over the emulator's node model, in process. Names: a standalone node by its fleet
 * name; an HA pair's core shell by its fleet name, its units' BMCs as `<name>-<unit>`. Like the real
 * core shell, it does not answer while the node (its primary) is down or booting.
 */
export class EmulatorSystemControl implements SystemControl {
  readonly calls: string[] = [];
  /** Throw this from the next call of an operation (fault injection for interruption tests). */
  failNext: { operation: string; error: Error } | undefined;

  constructor(private readonly fleet: RunningFleet) {}

  private injected(op: string): void {
    if (this.failNext?.operation === op) {
      const e = this.failNext.error;
      this.failNext = undefined;
      throw e;
    }
  }

  private resolve(name: string): { node: string; unit?: "a" | "b" } {
    const m = /^(.*)-(a|b)$/.exec(name);
    if (m && this.fleet.nodes.some((n) => n.name === m[1])) return { node: m[1], unit: m[2] as "a" | "b" };
    return { node: name };
  }

  private shell(name: string, op: string) {
    this.calls.push(`${op}:${name}`);
    this.injected(op);
    const h = this.fleet.systemControl(this.resolve(name).node);
    if (h.serviceState() !== "up")
      throw new Error(`core shell of ${name}: connection refused (node not running)`);
    return h;
  }

  rebootNode(node: string): Promise<void> {
    return Promise.resolve().then(() => this.shell(node, "rebootNode").rebootThisNode());
  }
  rebootCluster(pair: HaPair): Promise<void> {
    return Promise.resolve().then(() => this.shell(pair.primary, "rebootCluster").rebootCluster());
  }
  shutdownSecondary(pair: HaPair): Promise<void> {
    return Promise.resolve().then(() => this.shell(pair.primary, "shutdownSecondary").shutdownSecondary());
  }
  powerOnSecondary(pair: HaPair): Promise<void> {
    return Promise.resolve().then(() => {
      this.calls.push(`powerOnSecondary:${pair.secondary}`);
      this.injected("powerOnSecondary");
      const r = this.resolve(pair.secondary);
      this.fleet.systemControl(r.node).powerOn(r.unit ?? "secondary");
    });
  }
  activateSecondary(pair: HaPair): Promise<void> {
    return Promise.resolve().then(() => this.shell(pair.primary, "activateSecondary").activateSecondary());
  }
  readHaState(node: string): Promise<HaState> {
    return Promise.resolve().then(() => {
      const s = this.fleet.systemControl(this.resolve(node).node);
      if (s.serviceState() !== "up")
        throw new Error(`core shell of ${node}: connection refused (node not running)`);
      const st = s.haState();
      return { status: st.status, sync: st.sync, firmwareSynced: st.firmwareSynced, nodes: st.nodes };
    });
  }
  readPowerState(node: string): Promise<PowerState> {
    return Promise.resolve().then(() => {
      const r = this.resolve(node);
      return this.fleet.systemControl(r.node).powerStatus(r.unit ?? "primary");
    });
  }
  uploadLicense(node: string, license: LicenseFile): Promise<void> {
    return Promise.resolve().then(() =>
      this.shell(node, "uploadLicense").uploadLicense(license.content.toString("utf8")),
    );
  }
}

export interface ClusterOptions {
  name?: string;
  target: string;
  nodes: NodeDecl[];
  indexers?: Array<{ name: string; os: "rhel6" | "rhel7"; version: string }>;
  catalog?: Catalog;
  timeScale?: number;
  maxParallel?: number;
  timings?: Record<string, number>;
  /** Out-of-band channels of the emulator (emulator/lab/fleet-channels.ts: SSH core shell, ipmi_sim BMCs). */
  channels?: FleetChannelFactory[];
  /** Virtual time (./virtual-time.ts): the emulator's clock jumps while the executor only waits. */
  virtualTime?: boolean;
  /** Reuse a CA and server certificates across fleets (a fresh fleet each time, no openssl run). */
  certificates?: CertificateStore;
  /**
   * Serve every hop's ISO from a loopback HTTPS source (certificate from the fleet's CA, which the
   * emulator trusts) and declare it by `url`: the plan fetches (fetch-firmware, hops to 7.0 and later).
   */
  firmwareByUrl?: boolean;
  /**
   * How the operator passes the confirmation gates of the support bundle made by hand (S8) and of the
   * configuration backup (P1): "declares" (default) — every one of the plan is in `confirmed` from the
   * start (an operator who did them beforehand); "at-gate" — none until the run stops at its gate, then
   * `runToEnd` adds the one the gate names (recorded in `gates`), as an operator would.
   */
  operator?: "declares" | "at-gate";
}

/** A loopback HTTPS server for the ISOs of `dir` (GET /<file>), recording every GET. */
export class IsoSource {
  readonly gets: string[] = [];
  private constructor(private readonly server: Server) {}

  static async start(cert: ServerCertificate, dir: string): Promise<IsoSource> {
    const server = createHttpsServer({ cert: cert.certPem, key: cert.keyPem });
    const src = new IsoSource(server);
    server.on("request", (req: IncomingMessage, res: ServerResponse) => {
      const name = basename(new URL(req.url ?? "/", "https://x").pathname);
      src.gets.push(name);
      readFile(join(dir, name)).then(
        (body) => res.writeHead(200, { "content-length": body.length }).end(body),
        () => res.writeHead(404).end("not found"),
      );
    });
    await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
    return src;
  }

  url(file: string): string {
    return `https://127.0.0.1:${(this.server.address() as AddressInfo).port}/${file}`;
  }

  async stop(): Promise<void> {
    this.server.closeAllConnections();
    await new Promise<void>((r) => this.server.close(() => r()));
  }
}

export class EmulatedCluster {
  readonly events: () => EmulatorEvent[];
  readonly store = memoryCheckpointStore();
  readonly progress: ProgressEvent[] = [];
  readonly systemControl: EmulatorSystemControl;

  private constructor(
    readonly fleet: RunningFleet,
    readonly plan: ClusterPlan,
    readonly clients: Record<string, SpsRestClient>,
    readonly firmware: Record<string, FirmwareImageInput>,
    readonly workDir: string,
    readonly scale: number,
    readonly virtualTime: VirtualTime | undefined,
    /** The ISO source of `firmwareByUrl` (its GETs are the downloads the nodes made). */
    readonly isoSource?: IsoSource,
    readonly operator: "declares" | "at-gate" = "declares",
  ) {
    this.events = () => fleet.events.list();
    this.systemControl = new EmulatorSystemControl(fleet);
  }

  static async start(o: ClusterOptions): Promise<EmulatedCluster> {
    const name = o.name ?? "prod";
    const scale = o.timeScale ?? (o.virtualTime ? VIRTUAL_TIME_SCALE : TIME_SCALE);
    const catalog = o.catalog ?? exampleCatalog();
    /** What the plan and the emulated fleet both say of a node: name, version, roles, HA, plugins. */
    const declaredNode = (n: (typeof o.nodes)[number]) => ({
      name: n.name,
      version: n.version,
      roles: n.roles ?? [],
      ha: n.ha ?? false,
      ...(n.plugins ? { plugins: n.plugins } : {}),
    });
    const domainFleetWith = (firmware?: Record<string, FirmwareImageInput>) =>
      fleetSchema.parse({
        clusters: [
          {
            name,
            target: o.target,
            nodes: o.nodes.map((n) => ({
              ...declaredNode(n),
              ...(n.declared?.virtual !== undefined ? { virtual: n.declared.virtual } : {}),
              settings: {
                ...CLEAN_SETTINGS,
                ...(n.ha ? {} : { haStatus: "Standalone" }),
                ...(n.declared?.settings ?? {}),
              },
            })),
            indexers: o.indexers ?? [],
            ...(firmware ? { firmware } : {}),
          },
        ],
      });
    const planWith = (firmware?: Record<string, FirmwareImageInput>) =>
      planCluster(domainFleetWith(firmware).clusters[0], catalog, {
        asOf: AS_OF,
        ...(o.maxParallel ? { maxParallel: o.maxParallel } : {}),
      });
    let plan = planWith();
    const fleet = await startFleet(
      {
        clusters: [
          {
            name,
            nodes: o.nodes.map((n) => ({
              ...declaredNode(n),
              ...(n.liveSettings ? { settings: n.liveSettings } : {}),
              ...(n.emulator ? { emulator: n.emulator } : {}),
            })),
          },
        ],
        emulator: {
          timeScale: scale,
          credentials: [{ username: "admin", password: PASSWORD, access: "admin" }],
          ...(o.timings ? { timings: o.timings } : {}),
        },
      },
      {
        controlPort: false,
        ...(o.channels ? { channels: o.channels } : {}),
        ...(o.certificates ? { certificates: o.certificates } : {}),
      },
    );
    const virtualTime = o.virtualTime ? new VirtualTime(fleet.clock) : undefined;
    // The emulator downloads a firmware URL in real time: no jump while a download is under way.
    virtualTime?.holdWhile(() =>
      fleet.nodes.some((h) =>
        h.node.firmwareFetches.list().some((f) => f.status === "queued" || f.status === "in-progress"),
      ),
    );
    const workDir = mkdtempSync(join(tmpdir(), "sps-executor-test-"));
    let source: IsoSource | undefined;
    try {
      const caPem = readFileSync(fleet.caCertPath, "utf8");
      const clients: Record<string, SpsRestClient> = {};
      for (const h of fleet.nodes) {
        const client = new SpsRestClient(
          {
            endpoint: h.url,
            credentials: { username: "admin", password: PASSWORD },
            tls: { mode: "ca", caPem },
            name: h.name,
            retry: { attempts: 2, baseDelayMs: 20, maxDelayMs: 50 },
            timeoutMs: 20_000,
          },
          { now: () => fleet.clock.now(), ...(virtualTime ? { sleep: virtualTime.backoff } : {}) },
        );
        clients[h.name] = virtualTime ? virtualTime.track(client) : client;
      }
      const firmware: Record<string, FirmwareImageInput> = {};
      for (const hop of plan.hops) {
        const path = join(workDir, `sps-${hop.to}.iso`);
        await writeFakeFirmwareIso(path, hop.to, 64 * 1024);
        firmware[hop.to] = { path, sha256: await sha256OfFile(path) };
      }
      if (o.firmwareByUrl) {
        const cert = await (o.certificates?.serverCertificate("iso-source") ??
          issueServerCertificate(fleet.ca, "iso-source"));
        source = await IsoSource.start(cert, workDir);
        for (const [v, image] of Object.entries(firmware))
          firmware[v] = { url: source.url(`sps-${v}.iso`), sha256: image.sha256 };
        plan = planWith(firmware);
      }
      return new EmulatedCluster(
        fleet,
        plan,
        clients,
        firmware,
        workDir,
        scale,
        virtualTime,
        source,
        o.operator ?? "declares",
      );
    } catch (e) {
      await source?.stop();
      virtualTime?.dispose();
      await fleet.stop();
      rmSync(workDir, { recursive: true, force: true });
      throw e;
    }
  }

  bindings(): Record<string, NodeBinding> {
    const out: Record<string, NodeBinding> = {};
    for (const h of this.fleet.nodes) {
      out[h.name] = {
        client: this.clients[h.name],
        ...(h.node.ha ? { ha: { primary: h.name, units: { a: `${h.name}-a`, b: `${h.name}-b` } } } : {}),
      };
    }
    return out;
  }

  /** Executor inputs on the emulator's clock; `sleep` runs scaled (or in virtual time). */
  inputs(overrides: Partial<ExecutionInputs> = {}): ExecutionInputs {
    const scale = this.scale;
    const vt = this.virtualTime;
    return {
      plan: this.plan,
      nodes: this.bindings(),
      systemControl: this.systemControl,
      firmware: this.firmware,
      licenses: {
        "5": { fileName: "sps-5.lic", content: Buffer.from(buildLicenseFile(5)) },
        "6": { fileName: "sps-6.lic", content: Buffer.from(buildLicenseFile(6)) },
      },
      deadlines: { pollIntervalMs: 20_000 },
      checkpoint: this.store,
      clock: { now: () => this.fleet.clock.now() },
      sleep: vt ? vt.sleep : (ms, signal) => realSleep(ms / scale, signal),
      progress: (e) => this.progress.push(e),
      confirmed: this.operator === "declares" ? this.declaredConfirmations() : [...this.confirmed],
      ...overrides,
    };
  }

  /** Confirmations the operator added at the gates (operator "at-gate"). */
  readonly confirmed: string[] = [];

  /** Every S8 and P1 confirmation the plan can ask for: per node and hop, per cluster and hop. */
  declaredConfirmations(): string[] {
    const out = new Set<string>();
    for (const s of this.plan.steps)
      if (s.action === "activate-firmware" && s.version) out.add(bundleConfirmation(s.node, s.version));
    for (const h of this.plan.hops) out.add(backupConfirmation(this.plan.name, h.to));
    return [...out];
  }

  /** Manual gates the operator (this harness) passed: "node activate-firmware version". */
  readonly gates: string[] = [];

  /**
   * Runs the plan to its end the way an operator would: where the executor stops at the HA manual gate
   * (activate the firmware in the web interface, H2), do that step on the emulated node, run again.
   */
  async runToEnd(make: () => ExecutionInputs = () => this.inputs(), maxGates = 40): Promise<ExecutionResult> {
    for (let i = 0; ; i++) {
      try {
        return await executeClusterPlan(make());
      } catch (e) {
        if (!(e instanceof ExecutionError) || e.kind !== "manual-step-required" || i >= maxGates) throw e;
        // A confirmation gate (S8 bundle, P1 backup, P5/P15): the operator does it and adds what it names.
        const confirms = [...e.message.matchAll(/add "([^"]+)" to confirmed/g)].map((m) => m[1]);
        if (confirms.length > 0 && this.operator === "at-gate") {
          for (const c of confirms) {
            this.confirmed.push(c);
            this.gates.push(`confirm ${c}`);
          }
          continue;
        }
        const gate = e.step?.action === "activate-firmware";
        if (!gate || !e.step?.version || confirms.length > 0) throw e;
        this.fleet.node(e.step.node).node.activateInWebInterface(e.step.version);
        this.gates.push(`${e.step.node} activate-firmware ${e.step.version}`);
      }
    }
  }

  /** Writes the appliances saw: non-GET HTTP requests and out-of-band actions (not reads, not logins). */
  writes(sinceSeq = 0): EmulatorEvent[] {
    return this.events().filter(
      (e) =>
        e.seq > sinceSeq &&
        ((e.kind === "http" && !e.name.startsWith("GET ") && e.name !== "connection-dropped") ||
          (e.kind === "action" && e.name !== "login")),
    );
  }

  lastSeq(): number {
    const all = this.events();
    return all.length ? all[all.length - 1].seq : 0;
  }

  /** Reboot actions per node and hop target (no second reboot for the same hop, S9/S13). */
  reboots(node?: string): EmulatorEvent[] {
    return this.events().filter(
      (e) => e.kind === "action" && e.name === "reboot" && (node === undefined || e.node === node),
    );
  }

  async stop(): Promise<void> {
    this.virtualTime?.dispose();
    for (const c of Object.values(this.clients)) c.close();
    await this.isoSource?.stop();
    await this.fleet.stop();
    rmSync(this.workDir, { recursive: true, force: true });
  }
}
