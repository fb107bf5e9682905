/**
 * An emulated SPS "lab" for the e2e tests, the examples and the demo: starts an emulated fleet on
 * loopback (time-scaled), writes what a program needs next to it — fake firmware ISOs for every
 * catalog revision with their SHA-256, license files — and renders the stack config a program reads:
 *   fleet:nodes        {<node>: {address, caPem}}          lab:controlUrl   the emulator's control surface
 *   fleet:firmware     {<X.Y.Z>: {path, sha256}}           fleet:systemControl  command-channel routes
 *   fleet:deadlines    executor deadlines scaled to the emulator's clock
 *   fleet:indexers     indexer hosts started (sshd + rpm)      fleet:plugins  plugin zips by name and version
 *   sps:credentials  (secret) REST login and license texts        sps:checkpointDir
 *   fleet:evidenceDir  where a program (the demo) puts its support bundles (S8); under the lab's directory
 *
 * CLI (demo): node dist/test/support/sps-lab.js --fleet FLEET.json --out LAB.json [--time-scale N]
 * [--native] [--indexers [--indexer-versions INSTALLED,OFFERED]] writes the description (config included; with --indexers also `indexerSsh`,
 * an operator's SSH access to the indexer hosts) to LAB.json and runs until SIGTERM/SIGINT, then
 * stops every server it started (emulator, sshd) and removes its files.
 */
import { randomBytes } from "node:crypto";
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { defaultCatalog } from "../../core/default-catalog";
import { formatRevision, isLts } from "../../core/version";
import { backupConfirmation, bundleConfirmation } from "../../provider/executor/confirmations";
import { compareVersionText } from "../../provider/executor/node-state";
import { startFleet, type RunningFleet } from "../../emulator/lab/fleet";
import { attachIndexerWorkers, labIndexerWorkers } from "../../emulator/sps/indexer-workers";
import type { EmulatedNode } from "../../emulator/sps/emulated-node";
import { bmcChannel, coreShellChannel } from "../../emulator/lab/fleet-channels";
import { sha256OfFile, writeFakeFirmwareIso } from "../../emulator/sps/firmware-iso";
import { buildLicenseFile, dayOffset } from "../../emulator/sps/license";
import { buildPluginZip } from "../../emulator/sps/plugin-archive";
import { emulatorSystemControlRoutes } from "./emulator-system-control";
import {
  IndexerLabFixtures,
  IndexerLabHost,
  SUDO_NOPASSWD_USER,
  type IndexerRpms,
} from "../../emulator/indexer-hosts/indexer-lab-host";

const COMPILED = __filename.endsWith(".js");

/** The last day of the lab's license files: five years after today, by the clock under test. */
export const LAB_LICENSE_END = dayOffset(5 * 365);
export const REPO = resolve(__dirname, ...(COMPILED ? ["..", "..", ".."] : ["..", ".."]));
/** The compiled command-channel program (the provider runs it as a child process). */
export const SYSTEM_CONTROL_SCRIPT = join(REPO, "dist", "test", "support", "emulator-system-control.js");

/** Routes of the "native" lab: the core shell over SSH, the secondary's power through IPMI (H2). */
export const NATIVE_ROUTES = {
  rebootNode: { channel: "ssh" },
  rebootCluster: { channel: "ssh" },
  shutdownSecondary: { channel: "ssh" },
  activateSecondary: { channel: "ssh" },
  readHaState: { channel: "ssh" },
  uploadLicense: { channel: "ssh" },
  powerOnSecondary: { channel: "ipmi" },
  readPowerState: { channel: "ipmi" },
} as const;

export interface LabOptions {
  timeScale?: number;
  /** Admin password of every emulated node (default: random). */
  password?: string;
  /**
   * "command" (default): every out-of-band operation through the command channel to the emulator's
   * control surface. "native": the emulator's SSH core shell and one real ipmi_sim BMC per HA unit;
   * operations through ssh, the secondary's power through IPMI (rule H2).
   */
  channels?: "command" | "native";
  /** External indexer hosts to start (real sshd + rpm; needs root): RHEL 6 / 7 style, 6.0.1 installed. */
  indexers?: Array<{ name: string; os: "rhel6" | "rhel7" }>;
  /**
   * The indexer version the hosts start with and the package of the SPS target they are offered (I1:
   * the indexer follows the SPS target). Default 6.0.1 installed, 6.3.0 offered. Each host is also
   * offered the RPM of the newest revision of every LTS release in between (a hop's revision), since a
   * multi-hop plan upgrades the indexers after every hop ([doc] 6.3 upgrade guide, "Upgrading the
   * external indexer": each from the SPS version it serves).
   */
  indexerVersions?: { installed: string; offered: string };
  /** One server certificate for every emulated node (big fleets start in seconds; see startFleet). */
  sharedCertificate?: boolean;
  /** Remove the lab user and files the indexer hosts needed when the lab stops (the demo). */
  leaveNoTrace?: boolean;
  /**
   * The confirmation gates the tool cannot see passed (P1 backup and export per cluster and hop, S8
   * support bundle made by hand per node and hop): "declares" (default) — the stack config `confirmed`
   * lists every one the lab's fleet can ask for, as an operator who did them beforehand; "at-gate" —
   * none, the operator adds each when the run stops at its gate (the demo, `upThroughGates`).
   */
  operator?: "declares" | "at-gate";
}

/** How an operator reaches the lab's indexer hosts with OpenSSH (host keys pinned). */
export interface IndexerSsh {
  user: string;
  identityFile: string;
  knownHostsFile: string;
  hosts: Record<string, { host: string; port: number; os: "rhel6" | "rhel7" }>;
}

export interface Lab {
  fleet: RunningFleet;
  dir: string;
  username: string;
  password: string;
  licenses: Record<string, string>;
  indexerHosts: Record<string, IndexerLabHost>;
  /** An operator's SSH access to the indexer hosts (out-of-band changes in the demo). */
  indexerSsh: IndexerSsh | undefined;
  /** The RPMs the indexer hosts can be given (when the lab started indexer hosts). */
  indexerRpms: IndexerRpms | undefined;
  /** SSH private key text of the indexer hosts' login (a secret the tests grep for). */
  indexerKey: string | undefined;
  /** Plain stack config for a program. */
  config: Record<string, string>;
  /** Secret stack config for a program. */
  secrets: Record<string, string>;
  controlUrl: string;
  stop(): Promise<void>;
}

/**
 * Every confirmation a run over the lab's fleet can ask for, to any revision of the lab's firmware above
 * a node's version: "backup <cluster> <revision>" (P1), "support-bundle <node> <revision>" (S8) and, for
 * the revision a node leaves its release from, "newest-revision <revision>" (V6).
 */
function declaredConfirmations(fleetDocument: unknown, revisions: readonly string[]): string[] {
  const doc = fleetDocument as {
    clusters?: Array<{ name: string; nodes: Array<{ name: string; version: string }> }>;
  };
  const above = (v: string): string[] => revisions.filter((r) => compareVersionText(r, v) > 0);
  const out: string[] = [];
  for (const c of doc.clusters ?? []) {
    const lowest = [...c.nodes].map((n) => n.version).sort(compareVersionText)[0];
    if (lowest) for (const r of above(lowest)) out.push(backupConfirmation(c.name, r));
    for (const n of c.nodes) for (const r of above(n.version)) out.push(bundleConfirmation(n.name, r));
    // V6: the bundled catalog is partial, so the revision a node leaves its release from (its own, or
    // the newest one a revision hop takes it to) stops the run until confirmed as the newest.
    for (const n of c.nodes)
      for (const r of [n.version, ...above(n.version)]) out.push(`newest-revision ${r}`);
  }
  return [...new Set(out)];
}

export async function startLab(fleetDocument: unknown, options: LabOptions = {}): Promise<Lab> {
  const dir = mkdtempSync(join(tmpdir(), "sps-lab-"));
  const password = options.password ?? `Lab-${randomBytes(9).toString("base64url")}`;
  const username = "admin";
  const native = options.channels === "native";
  let fleet: RunningFleet | undefined;
  let fixtures: IndexerLabFixtures | undefined;
  const indexerHosts: Record<string, IndexerLabHost> = {};
  const stopIndexers = async (): Promise<void> => {
    await Promise.allSettled(Object.values(indexerHosts).map((h) => h.stop()));
    fixtures?.dispose();
  };
  try {
    fleet = await startFleet(fleetDocument, {
      timeScale: options.timeScale ?? 600,
      users: [{ username, password, access: "admin" }],
      workDir: join(dir, "emulator"),
      ...(options.sharedCertificate ? { sharedCertificate: true } : {}),
      ...(native
        ? {
            channels: [
              coreShellChannel({ username: "root", password }),
              // Each BMC its own login, as the emulator's CLI gives them (sps:credentials.bmc per unit).
              bmcChannel({ username: "ipmiadmin" }),
            ],
          }
        : {}),
    });
    const isoDir = join(dir, "firmware");
    mkdirSync(isoDir, { recursive: true });
    const firmware: Record<string, { path: string; sha256: string }> = {};
    for (const release of defaultCatalog().releases) {
      for (const rev of release.revisions) {
        const version = formatRevision(rev);
        const path = join(isoDir, `sps-${version}.iso`);
        await writeFakeFirmwareIso(path, version, 256 * 1024);
        firmware[version] = { path, sha256: await sha256OfFile(path) };
      }
    }
    const plugins: Record<string, Record<string, string>> = { "mfa-demo": {} };
    for (const version of ["2.0.0", "2.1.0"]) {
      const path = join(dir, `mfa-demo-${version}.zip`);
      writeFileSync(path, buildPluginZip({ name: "mfa-demo", version, api: "2.0", implementation: "new" }));
      (plugins["mfa-demo"] ??= {})[version] = path;
    }
    const licenses: Record<string, string> = {
      "sps-5": buildLicenseFile(5, LAB_LICENSE_END, "Lab Corp"),
      "sps-6": buildLicenseFile(6, LAB_LICENSE_END, "Lab Corp"),
      "sps-7": buildLicenseFile(7, LAB_LICENSE_END, "Lab Corp"),
      "sps-8": buildLicenseFile(8, LAB_LICENSE_END, "Lab Corp"),
    };
    const caPem = readFileSync(fleet.caCertPath, "utf8");
    const nodes = Object.fromEntries(
      fleet.nodes.map((n) => {
        const ssh = n.channels["ssh"] as { host: string; port: number; hostKeySha256: string } | undefined;
        const ipmi = n.channels["ipmi"] as Record<string, { host: string; port: number }> | undefined;
        return [
          n.name,
          {
            address: n.url,
            caPem,
            ...(ssh
              ? { coreShell: { host: ssh.host, port: ssh.port, hostKeySha256: ssh.hostKeySha256 } }
              : {}),
            ...(ipmi && n.node.ha
              ? {
                  bmc: Object.fromEntries(
                    Object.entries(ipmi).map(([u, b]) => [u, { host: b.host, port: b.port }]),
                  ),
                }
              : {}),
          },
        ];
      }),
    );
    const controlUrl = fleet.controlUrl ?? "";
    const scale = fleet.clock.scale;
    const scaled = (ms: number): number => Math.max(2_000, Math.ceil((ms / scale) * 3));
    const deadlines = {
      secondarySyncMs: scaled(5 * 60_000),
      firstBootMs: scaled(20 * 60_000),
      webInterfaceBackMs: scaled(30 * 60_000),
      secondaryRejoinMs: scaled(30 * 60_000),
      storageReorganisationMs: scaled(60 * 60_000),
      pollIntervalMs: 100,
      firmwareTestMs: 30_000,
    };
    const indexerConfig: Record<string, unknown> = {};
    let indexerLogin: Record<string, string> | undefined;
    let indexerSsh: IndexerSsh | undefined;
    if (options.indexers && options.indexers.length > 0) {
      fixtures = IndexerLabFixtures.create({ leaveNoTrace: options.leaveNoTrace === true });
      const versions = options.indexerVersions ?? { installed: "6.0.1", offered: "6.3.0" };
      const rpms = fixtures.rpms;
      for (const spec of options.indexers) {
        const host = await IndexerLabHost.start(fixtures, {
          name: spec.name,
          os: spec.os,
          installedRpm: fixtures.rpms.of(versions.installed),
        });
        indexerHosts[spec.name] = host;
        // I4: every node sees the lab indexer's worker while its service runs (all lab hosts are 127.0.0.1).
        // The lab also writes into the emulator's event record what a node's Indexer > Worker status
        // showed whenever it changed (`indexer-worker-status`, with the host's service record "running
        // <version>"): tests read from it when each indexer came back, in the order of the nodes' events.
        for (const n of fleet.nodes)
          attachIndexerWorkers(
            n.node,
            recordedWorkers(n.node, spec.name, labIndexerWorkers(host, "127.0.0.1"), host),
          );
        indexerConfig[spec.name] = {
          os: spec.os,
          host: "127.0.0.1",
          port: host.port,
          hostKeySha256: host.fingerprint(),
          rootPrefix: host.root,
          packages: Object.fromEntries(
            offeredIndexerVersions(versions).map((v) => [v, { path: rpms.of(v) }]),
          ),
        };
      }
      indexerLogin = {
        username: SUDO_NOPASSWD_USER,
        privateKey: readFileSync(fixtures.clientKeyPath, "utf8"),
      };
      const knownHostsFile = join(dir, "indexer_known_hosts");
      writeFileSync(
        knownHostsFile,
        Object.values(indexerHosts)
          .map((h) => `${h.knownHostsLine()}\n`)
          .join(""),
      );
      indexerSsh = {
        user: SUDO_NOPASSWD_USER,
        identityFile: fixtures.clientKeyPath,
        knownHostsFile,
        hosts: Object.fromEntries(
          options.indexers.map((spec) => [
            spec.name,
            { host: "127.0.0.1", port: indexerHosts[spec.name]?.port ?? 0, os: spec.os },
          ]),
        ),
      };
    }
    const checkpointDir = join(dir, "checkpoints");
    const config = {
      "fleet:nodes": JSON.stringify(nodes),
      "lab:controlUrl": controlUrl,
      "fleet:firmware": JSON.stringify(firmware),
      "fleet:systemControl": JSON.stringify(
        native ? NATIVE_ROUTES : emulatorSystemControlRoutes(controlUrl, SYSTEM_CONTROL_SCRIPT),
      ),
      "fleet:deadlines": JSON.stringify(deadlines),
      "fleet:indexers": JSON.stringify(indexerConfig),
      "fleet:plugins": JSON.stringify(plugins),
      "sps:checkpointDir": checkpointDir,
      // Support bundles (S8) of programs that set evidenceDir from it (the demo); removed with the lab.
      "fleet:evidenceDir": join(dir, "evidence"),
      ...(options.operator === "at-gate"
        ? {}
        : { confirmed: JSON.stringify(declaredConfirmations(fleetDocument, Object.keys(firmware))) }),
    };
    const running = fleet;
    const secrets = {
      "sps:credentials": JSON.stringify({
        appliance: { username, password },
        licenses,
        ...(indexerLogin ? { indexer: indexerLogin } : {}),
        ...(native ? { coreShell: { username: "root", password }, bmc: bmcLogins(running) } : {}),
      }),
    };
    return {
      fleet: running,
      dir,
      username,
      password,
      licenses,
      indexerHosts,
      indexerSsh,
      indexerRpms: fixtures?.rpms,
      indexerKey: indexerLogin?.["privateKey"],
      config,
      secrets,
      controlUrl,
      stop: async () => {
        await running.stop();
        await stopIndexers();
        rmSync(dir, { recursive: true, force: true });
      },
    };
  } catch (e) {
    await fleet?.stop();
    await stopIndexers();
    rmSync(dir, { recursive: true, force: true });
    throw e;
  }
}

/** Per HA node and unit the BMC login the emulator gave it (`sps:credentials.bmc`). */
function bmcLogins(
  fleet: RunningFleet,
): Record<string, Record<string, { username: string; password: string }>> {
  const out: Record<string, Record<string, { username: string; password: string }>> = {};
  for (const n of fleet.nodes) {
    const ipmi = n.channels["ipmi"] as Record<string, { username: string; password: string }> | undefined;
    if (!ipmi || !n.node.ha) continue;
    out[n.name] = Object.fromEntries(
      Object.entries(ipmi).map(([u, b]) => [u, { username: b.username, password: b.password }]),
    );
  }
  return out;
}

/** POST/GET on the emulator's control surface. */
export async function control(
  lab: Pick<Lab, "controlUrl">,
  method: string,
  path: string,
  body?: unknown,
): Promise<unknown> {
  const res = await fetch(`${lab.controlUrl.replace(/\/_emulator$/, "")}${path}`, {
    method,
    headers: { "Content-Type": "application/json" },
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
  });
  const text = await res.text();
  if (!res.ok) throw new Error(`${method} ${path}: ${res.status} ${text}`);
  return JSON.parse(text) as unknown;
}

async function main(argv: string[]): Promise<void> {
  const arg = (name: string): string | undefined => {
    const i = argv.indexOf(name);
    return i >= 0 ? argv[i + 1] : undefined;
  };
  const fleetFile = arg("--fleet");
  const out = arg("--out");
  if (!fleetFile || !out)
    throw new Error("usage: sps-lab --fleet FLEET.json --out LAB.json [--time-scale N]");
  const scale = arg("--time-scale");
  // --indexer-versions INSTALLED,OFFERED (the demo: 7.0.3,8.0.0)
  const indexerVersions = arg("--indexer-versions")?.split(",");
  // Listen for SIGTERM/SIGINT before anything starts: a stop asked for while the lab is starting
  // (Ctrl-C, the demo's cleanup) stops it as soon as it is up, never leaving a server behind.
  let stopAsked = (): void => undefined;
  const stopped = new Promise<void>((resolve) => (stopAsked = resolve));
  const onSignal = (): void => stopAsked();
  process.on("SIGTERM", onSignal);
  process.on("SIGINT", onSignal);
  const lab = await startLab(JSON.parse(readFileSync(fleetFile, "utf8")) as unknown, {
    ...(scale ? { timeScale: Number(scale) } : {}),
    // --operator-at-gate: no confirmation declared beforehand (the demo passes each gate as it comes).
    ...(argv.includes("--operator-at-gate") ? { operator: "at-gate" as const } : {}),
    ...(argv.includes("--native") ? { channels: "native" as const } : {}),
    ...(argv.includes("--indexers")
      ? {
          // The demo runs on a developer's machine: take the lab user and its sudoers drop-in away again.
          leaveNoTrace: true,
          indexers: [
            { name: "idx-rhel6", os: "rhel6" as const },
            { name: "idx-rhel7", os: "rhel7" as const },
          ],
          ...(indexerVersions?.length === 2
            ? { indexerVersions: { installed: indexerVersions[0] ?? "", offered: indexerVersions[1] ?? "" } }
            : {}),
        }
      : {}),
  });
  try {
    writeFileSync(
      out,
      JSON.stringify(
        {
          dir: lab.dir,
          controlUrl: lab.controlUrl,
          config: lab.config,
          secrets: lab.secrets,
          ...(lab.indexerSsh ? { indexerSsh: lab.indexerSsh } : {}),
        },
        null,
        2,
      ),
      { mode: 0o600 },
    );
    process.stderr.write(`sps-lab: fleet running, control surface ${lab.controlUrl}\n`);
    await stopped;
  } finally {
    await lab.stop();
  }
}

if (require.main === module) {
  main(process.argv.slice(2)).then(
    () => process.exit(0),
    (e: unknown) => {
      process.stderr.write(`sps-lab: ${e instanceof Error ? e.message : String(e)}\n`);
      process.exit(1);
    },
  );
}

/**
 * The indexer RPMs a lab host is offered: the target's, and the newest revision of every LTS release
 * above the installed version and below the target (the revisions a multi-hop plan stops at).
 */
function offeredIndexerVersions(v: { installed: string; offered: string }): string[] {
  const between = defaultCatalog()
    .releases.filter((r) => isLts(r.release))
    .map((r) => r.revisions.at(-1))
    .filter((r) => r !== undefined)
    .map(formatRevision)
    .filter((r) => compareVersionText(r, v.installed) > 0 && compareVersionText(r, v.offered) < 0);
  return [...between, v.offered];
}

/** A worker source that also records each change of what it shows on the node's event record. */
function recordedWorkers(
  node: EmulatedNode,
  indexer: string,
  source: () => ReturnType<ReturnType<typeof labIndexerWorkers>>,
  host: { serviceRecord(): string },
): () => ReturnType<ReturnType<typeof labIndexerWorkers>> {
  let last: string | undefined;
  return () => {
    const workers = source();
    const record = host.serviceRecord();
    if (record !== last) {
      last = record;
      node.events.record({
        at: node.clock.now(),
        node: node.name,
        kind: "state",
        name: "indexer-worker-status",
        detail: { indexer, service: record, workers: workers.length },
      });
    }
    return workers;
  };
}
