/**
 * One external indexer host (RHEL/CentOS, indexer from an RPM), driven through a `HostSession`.
 * Upgrade per rule I4, after the SPS nodes: back up the configuration (I2) → copy the RPM and read
 * its version, refusing one older than the SPS before anything stops (I1) → stop →
 * `yum upgrade -y <rpm>` → start → verify version and service. Any failure after the stop starts
 * the previous version again and restores configuration the package touched (I5). Idempotent and
 * convergent: the host is inspected first and only what is missing is done, so a rerun after an
 * interruption (stopped host, upgraded-but-stopped host) finishes the job.
 */
import { messageOf } from "../../../core/errors";
import { z } from "zod";
import {
  backupPathFor,
  backupStamp,
  INDEXER_CONFIG_FILES,
  indexerConfigDir,
  indexerPackagePath,
  type IndexerOs,
} from "../../../core/indexer-commands";
import { SshCommandError } from "./host-errors";
import type { HostSession } from "./host-session";
import {
  catIfExistsCommand,
  copyPreservingCommand,
  installedVersionCommand,
  normaliseRoot,
  osReleaseFiles,
  packageFileQueryCommand,
  parseSha256sum,
  serviceCommand,
  sha256Command,
  underRoot,
  upgradeCommand,
} from "./indexer-host-commands";
import {
  IndexerUpgradeError,
  type ActionRecord,
  type ConfigBackup,
  type IndexerHostAction,
  type IndexerUpgradeResult,
  type ServiceState,
} from "./indexer-upgrade-result";
import { compareIndexerVersions, parseIndexerVersion } from "./indexer-version";
import { detectIndexerOs } from "./os-detection";

export interface IndexerProgress {
  host: string;
  action: IndexerHostAction | "inspect";
  message: string;
}

export interface IndexerHostOptions {
  session: HostSession;
  /** Where the host's filesystem and RPM database start. Default "/"; tests use a root per host. */
  rootPrefix?: string;
  /** Progress lines for the executor / Pulumi provider output; nothing is printed to the console. */
  onProgress?: (event: IndexerProgress) => void;
  /** Deadlines. Defaults: commands 60 s, service start/stop 120 s, yum 600 s. */
  timeouts?: { commandMs?: number; serviceMs?: number; yumMs?: number };
  /** Clock for backup timestamps. */
  now?: () => Date;
}

export interface IndexerHostState {
  os: IndexerOs;
  osDescription: string;
  /** Installed package version, null when the indexer package is not installed. */
  version: string | null;
  service: ServiceState;
}

const versionText = z.string().refine((v) => parseIndexerVersion(v) !== undefined, {
  error: "must be a version X.Y.Z",
});

export const indexerUpgradeRequestSchema = z.strictObject({
  /** Local path of the indexer RPM downloaded from the SPS (rule I3). */
  rpmPath: z.string({ error: "is required: the local path of the indexer RPM" }).min(1, {
    error: "must not be empty: give the local path of the indexer RPM from the SPS",
  }),
  /** The indexer version the host must run: the RPM's version. */
  version: versionText,
  /** The SPS version the indexer serves after the upgrade (rule I1: indexer ≥ SPS). */
  spsVersion: versionText,
});

export type IndexerUpgradeRequest = z.input<typeof indexerUpgradeRequestSchema>;

export class IndexerHost {
  readonly host: string;
  /** The address the session connected to (what SPS's worker status lists as `ip`, I4). */
  readonly address: string;
  private readonly session: HostSession;
  private readonly root: string;
  private readonly onProgress: ((event: IndexerProgress) => void) | undefined;
  private readonly commandMs: number;
  private readonly serviceMs: number;
  private readonly yumMs: number;
  private readonly now: () => Date;

  constructor(options: IndexerHostOptions) {
    this.session = options.session;
    this.host = options.session.host;
    this.address = options.session.address ?? options.session.host;
    this.root = normaliseRoot(options.rootPrefix ?? "/");
    this.onProgress = options.onProgress;
    this.commandMs = options.timeouts?.commandMs ?? 60_000;
    this.serviceMs = options.timeouts?.serviceMs ?? 120_000;
    this.yumMs = options.timeouts?.yumMs ?? 600_000;
    this.now = options.now ?? (() => new Date());
  }

  /** Rule I4: the OS family, from /etc/redhat-release or /etc/os-release. */
  async detectOs(): Promise<{ os: IndexerOs; description: string }> {
    const files = osReleaseFiles(this.root);
    const read = async (path: string): Promise<string | undefined> => {
      const r = await this.session.run(catIfExistsCommand(path), {
        timeoutMs: this.commandMs,
        acceptExitCodes: [0, 3],
      });
      return r.exitCode === 0 ? r.stdout : undefined;
    };
    const redhatRelease = await read(files.redhatRelease);
    const osRelease = redhatRelease === undefined ? await read(files.osRelease) : undefined;
    const detected = detectIndexerOs({ redhatRelease, osRelease });
    return { os: detected.os, description: detected.description };
  }

  /** The installed indexer package version (`rpm -q`), or null when it is not installed. */
  async installedVersion(): Promise<string | null> {
    const command = installedVersionCommand(this.root);
    const r = await this.sudo(command, "any");
    if (r.exitCode === 1 && /not installed/.test(r.stdout + r.stderr)) return null;
    const version = r.stdout.trim();
    if (r.exitCode !== 0 || parseIndexerVersion(version) === undefined) {
      throw new SshCommandError({ host: this.host, command, ...r, failure: "exit-code" });
    }
    return version;
  }

  /** The indexer service state (`systemctl is-active` on 7+, `service … status` on 6). */
  async serviceState(os: IndexerOs): Promise<ServiceState> {
    const r = await this.sudo(serviceCommand(os, "status"), "any");
    const out = r.stdout.trim();
    if (r.exitCode === 0) return "running";
    if (os === "rhel6") {
      // LSB init status codes: 3 stopped, 1/2 dead but pid/lock file left behind.
      if (r.exitCode === 3) return "stopped";
      return r.exitCode === 1 || r.exitCode === 2 ? "failed" : "unknown";
    }
    if (out === "failed") return "failed";
    if (out === "inactive" || out === "deactivating") return "stopped";
    return "unknown";
  }

  async inspect(): Promise<IndexerHostState> {
    const { os, description } = await this.detectOs();
    const version = await this.installedVersion();
    const service = await this.serviceState(os);
    this.emit("inspect", `${description}; indexer ${version ?? "not installed"}, service ${service}`);
    return { os, osDescription: description, version, service };
  }

  /**
   * Rule I2: copies indexerworker.cfg and indexer-certs.cfg to timestamped backups beside them (in
   * the directory of the installed version) and verifies each copy by its SHA-256.
   */
  async backupConfiguration(installedVersion: string): Promise<ConfigBackup[]> {
    const dir = underRoot(this.root, indexerConfigDir(installedVersion));
    const stamp = backupStamp(this.now());
    const planned = INDEXER_CONFIG_FILES.map((file) => {
      const path = `${dir}/${file}`;
      return { file, path, backupPath: backupPathFor(path, stamp) };
    });
    for (const b of planned) await this.sudo(copyPreservingCommand(b.path, b.backupPath));
    const sums = await this.checksums(planned.flatMap((b) => [b.path, b.backupPath]));
    return planned.map((b) => {
      const original = sums.get(b.path);
      const copy = sums.get(b.backupPath);
      if (!original || original !== copy) {
        throw new Error(`${this.host}: backup ${b.backupPath} does not match ${b.path} (rule I2)`);
      }
      return { ...b, sha256: original };
    });
  }

  /**
   * Brings the host to `version` with the service running. Returns what was done; throws
   * `IndexerUpgradeError` (carrying the same result) on refusal or failure.
   */
  async upgrade(input: IndexerUpgradeRequest): Promise<IndexerUpgradeResult> {
    const parsed = indexerUpgradeRequestSchema.safeParse(input);
    if (!parsed.success) {
      const why = parsed.error.issues.map((i) => `${i.path.join(".")} ${i.message}`).join("; ");
      throw new Error(`${this.host}: invalid indexer upgrade request: ${why}`);
    }
    const request = parsed.data;
    const result: IndexerUpgradeResult = {
      host: this.host,
      outcome: "failed",
      changed: false,
      declaredVersion: request.version,
      spsVersion: request.spsVersion,
      actions: [],
      backups: [],
    };
    const refuse = (rule: string, message: string): never => {
      result.outcome = "refused";
      result.rule = rule;
      result.error = message;
      throw new IndexerUpgradeError(`${this.host}: ${message}`, result);
    };

    // rule I1: an indexer older than the SPS it serves cannot read its audit trails.
    if (compareIndexerVersions(request.version, request.spsVersion) < 0) {
      refuse(
        "I1",
        `indexer version ${request.version} is older than SPS ${request.spsVersion}; refused (rule I1)`,
      );
    }

    let state: IndexerHostState;
    try {
      state = await this.inspect();
    } catch (err) {
      this.abort(result, err, "cannot inspect the indexer host");
    }
    result.os = state.os;
    result.versionBefore = state.version;
    result.serviceBefore = state.service;
    result.versionAfter = state.version;
    result.serviceAfter = state.service;
    const previous = state.version;
    if (previous === null) {
      refuse("I4", "the external-indexer package is not installed; only installed indexers are upgraded");
      return result;
    }

    if (compareIndexerVersions(previous, request.version) >= 0) {
      // Already at (or past: rule V3, never downgrade) the declared version.
      if (state.service === "running") {
        result.outcome = "unchanged";
        this.emit("verify-indexer", `already at ${previous} and running: nothing to do`);
        return result;
      }
      // Half-done host: upgraded but not started.
      try {
        await this.start(state.os, result);
        await this.verify(state.os, previous, result);
        result.outcome = "started";
        return result;
      } catch (err) {
        return this.fail(result, err, "I5", `indexer ${previous} is installed but does not start`);
      }
    }

    // rule I2: back up the configuration first, before any change to the service or package.
    try {
      result.backups = await this.backupConfiguration(previous);
      result.changed = true;
      this.record(result, "backup-indexer-config", true, result.backups.map((b) => b.backupPath).join(", "));
    } catch (err) {
      result.rule = "I2";
      this.record(result, "backup-indexer-config", false, messageOf(err));
      this.abort(result, err, "configuration backup failed, nothing stopped");
    }

    // Copy the RPM and read its version before anything stops (rules I3, I1).
    let rpmVersion: string;
    try {
      const remotePath = underRoot(this.root, indexerPackagePath(request.version));
      const uploaded = await this.session.upload(request.rpmPath, remotePath);
      this.record(result, "copy-indexer-package", true, `${remotePath} sha256 ${uploaded.sha256}`);
      result.changed = true;
      const q = await this.session.run(packageFileQueryCommand(remotePath), { timeoutMs: this.commandMs });
      const [name, version] = q.stdout.trim().split(/\s+/);
      if (
        name !== "external-indexer" ||
        version === undefined ||
        parseIndexerVersion(version) === undefined
      ) {
        return refuse(
          "I3",
          `${request.rpmPath} is not an external-indexer package (rpm reports "${q.stdout.trim()}")`,
        );
      }
      rpmVersion = version;
      result.package = { remotePath, sha256: uploaded.sha256, version };
    } catch (err) {
      if (err instanceof IndexerUpgradeError) throw err;
      this.abort(result, err, "copying the indexer package failed");
    }
    if (compareIndexerVersions(rpmVersion, request.spsVersion) < 0) {
      refuse(
        "I1",
        `the package is indexer ${rpmVersion}, older than SPS ${request.spsVersion}: refused before stopping ` +
          `anything (rule I1)`,
      );
    }
    if (rpmVersion !== request.version) {
      refuse(
        "I3",
        `the package is indexer ${rpmVersion}, but ${request.version} is declared; nothing was stopped`,
      );
    }

    // rule I4: stop → yum upgrade → start → verify. From here on, a failure goes through rule I5.
    try {
      if (state.service !== "stopped") {
        await this.runStep(result, "stop-indexer", serviceCommand(state.os, "stop"), this.serviceMs);
      }
      const remotePath = result.package?.remotePath ?? "";
      await this.runStep(
        result,
        "upgrade-indexer-package",
        upgradeCommand(this.root, remotePath),
        this.yumMs,
      );
      const installed = await this.installedVersion();
      if (installed !== rpmVersion) {
        throw new Error(
          `yum finished, but the installed indexer is ${installed ?? "none"}, not ${rpmVersion}`,
        );
      }
      result.versionAfter = installed;
      await this.start(state.os, result);
      await this.verify(state.os, rpmVersion, result);
      result.outcome = "upgraded";
      return result;
    } catch (err) {
      await this.recover(state.os, previous, result);
      return this.fail(result, err, "I5", "indexer upgrade failed");
    }
  }

  /** rule I5: start the previous version again (or whatever is installed), restore touched configuration. */
  private async recover(os: IndexerOs, previous: string, result: IndexerUpgradeResult): Promise<void> {
    let installed: string | null | undefined;
    try {
      installed = await this.installedVersion();
      result.versionAfter = installed;
    } catch (err) {
      this.emit("restart-previous-indexer", `cannot read the installed version: ${messageOf(err)}`);
    }
    try {
      const sums = await this.checksums(
        result.backups.map((b) => b.path),
        true,
      );
      for (const b of result.backups) {
        if (sums.get(b.path) === b.sha256) continue;
        await this.runStep(
          result,
          "restore-indexer-config",
          copyPreservingCommand(b.backupPath, b.path),
          this.commandMs,
        );
      }
    } catch (err) {
      this.emit(
        "restore-indexer-config",
        `configuration could not be checked or restored: ${messageOf(err)}`,
      );
    }
    const action: IndexerHostAction = installed === previous ? "restart-previous-indexer" : "start-indexer";
    try {
      await this.runStep(result, action, serviceCommand(os, "start"), this.serviceMs);
      result.changed = true;
    } catch {
      // recorded by runStep
    }
    try {
      result.serviceAfter = await this.serviceState(os);
    } catch {
      result.serviceAfter = "unknown";
    }
  }

  /** A failure before anything was stopped: recorded in the result and thrown with it. */
  private abort(result: IndexerUpgradeResult, err: unknown, what: string): never {
    result.error = messageOf(err);
    throw new IndexerUpgradeError(`${this.host}: ${what}: ${result.error}`, result, { cause: err });
  }

  private fail(result: IndexerUpgradeResult, err: unknown, rule: string, what: string): never {
    result.outcome = "failed";
    result.rule = rule;
    result.error = messageOf(err);
    const after = `now: indexer ${result.versionAfter ?? "unknown"}, service ${result.serviceAfter ?? "unknown"}`;
    this.emit("verify-indexer", `${what}: ${result.error}; ${after}`);
    throw new IndexerUpgradeError(`${this.host}: ${what} (rule ${rule}): ${result.error}; ${after}`, result, {
      cause: err,
    });
  }

  private async start(os: IndexerOs, result: IndexerUpgradeResult): Promise<void> {
    await this.runStep(result, "start-indexer", serviceCommand(os, "start"), this.serviceMs);
    result.changed = true;
  }

  /** Rule I4 (last step): the declared version is installed and the service runs. */
  private async verify(os: IndexerOs, version: string, result: IndexerUpgradeResult): Promise<void> {
    const installed = await this.installedVersion();
    const service = await this.serviceState(os);
    result.versionAfter = installed;
    result.serviceAfter = service;
    const ok = installed === version && service === "running";
    const detail = `indexer ${installed ?? "not installed"}, service ${service}`;
    this.record(result, "verify-indexer", ok, detail);
    if (!ok) throw new Error(`verification failed: expected ${version} running, found ${detail}`);
  }

  private async runStep(
    result: IndexerUpgradeResult,
    action: IndexerHostAction,
    command: string,
    timeoutMs: number,
  ) {
    this.emit(action, command);
    try {
      await this.session.run(command, { sudo: true, timeoutMs });
      result.actions.push({ action, ok: true, command, at: this.now().toISOString() });
      if (action !== "verify-indexer") result.changed = true;
    } catch (err) {
      result.actions.push({
        action,
        ok: false,
        command,
        detail: messageOf(err),
        at: this.now().toISOString(),
      });
      throw err;
    }
  }

  private record(result: IndexerUpgradeResult, action: IndexerHostAction, ok: boolean, detail: string): void {
    const entry: ActionRecord = { action, ok, detail, at: this.now().toISOString() };
    result.actions.push(entry);
    this.emit(action, `${ok ? "ok" : "FAILED"}: ${detail}`);
  }

  private async checksums(paths: readonly string[], allowMissing = false): Promise<Map<string, string>> {
    if (paths.length === 0) return new Map();
    const r = await this.sudo(sha256Command(paths), allowMissing ? "any" : [0]);
    return parseSha256sum(r.stdout);
  }

  /** A command as root, with the command deadline. */
  private sudo(command: string, acceptExitCodes: readonly number[] | "any" = [0]) {
    return this.session.run(command, { sudo: true, timeoutMs: this.commandMs, acceptExitCodes });
  }

  private emit(action: IndexerProgress["action"], message: string): void {
    this.onProgress?.({ host: this.host, action, message });
  }
}
