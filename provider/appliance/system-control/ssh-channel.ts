/**
 * The `ssh` channel: runs the (inferred) core-shell vocabulary of `core-shell-commands.ts` on the
 * node's core shell over ssh2. The host key is verified before authenticating; a mismatch is
 * refused with both fingerprints. The exit code decides; stderr alone is not a failure.
 */
import { CappedOutput } from "../../hosts/capped-output";
import { Client, type ConnectConfig } from "ssh2";
import {
  activateOtherNodeCommand,
  haStatusCommand,
  installLicenseCommand,
  parseHaStatusOutput,
  rebootClusterCommand,
  rebootThisNodeCommand,
  shutdownOtherNodeCommand,
} from "./core-shell-commands";
import { deadlineOf, secretsOf, type SshTargetConfig, type SystemControlConfig } from "./config";
import {
  ChannelErrors,
  HostKeyMismatchError,
  type SystemControlError,
  type SystemControlFailure,
} from "./errors";
import { expectedFingerprint, fingerprintOfKeyBlob } from "./host-key";
import type {
  HaPair,
  HaState,
  LicenseFile,
  PowerState,
  SystemControl,
  SystemControlOperation,
} from "./operations";
import { formatDuration } from "../../domain/duration";

interface ExecResult {
  exitCode: number | null;
  stdout: string;
  stderr: string;
  /** The connection closed after the command was sent but before it reported an exit status. */
  disconnected: boolean;
}

interface ExecOptions {
  stdin?: string;
}

export class SshChannel implements SystemControl {
  private readonly errors: ChannelErrors;

  constructor(private readonly config: SystemControlConfig) {
    this.errors = new ChannelErrors("ssh", secretsOf(config));
  }

  async rebootNode(node: string): Promise<void> {
    // S9/H1: "this node" only. The node may drop the connection while going down: that counts as done.
    const r = await this.exec("rebootNode", node, rebootThisNodeCommand());
    if (!r.disconnected) this.requireSuccess("rebootNode", node, r);
  }

  async rebootCluster(pair: HaPair): Promise<void> {
    // H4 only. The primary may drop the connection while going down: that counts as done.
    const r = await this.exec("rebootCluster", pair.primary, rebootClusterCommand());
    if (!r.disconnected) this.requireSuccess("rebootCluster", pair.primary, r);
  }

  async shutdownSecondary(pair: HaPair): Promise<void> {
    this.requireSuccess(
      "shutdownSecondary",
      pair.primary,
      await this.exec("shutdownSecondary", pair.primary, shutdownOtherNodeCommand()),
    );
  }

  async powerOnSecondary(pair: HaPair): Promise<void> {
    throw this.errors.unsupported("powerOnSecondary", pair.secondary);
  }

  async activateSecondary(pair: HaPair): Promise<void> {
    this.requireSuccess(
      "activateSecondary",
      pair.primary,
      await this.exec("activateSecondary", pair.primary, activateOtherNodeCommand()),
    );
  }

  async readHaState(node: string): Promise<HaState> {
    const r = await this.exec("readHaState", node, haStatusCommand());
    this.requireSuccess("readHaState", node, r);
    return this.errors.parse("readHaState", node, () => parseHaStatusOutput(r.stdout), r.stderr);
  }

  async readPowerState(node: string): Promise<PowerState> {
    throw this.errors.unsupported("readPowerState", node);
  }

  async uploadLicense(node: string, license: LicenseFile): Promise<void> {
    const r = await this.exec("uploadLicense", node, installLicenseCommand(license.fileName), {
      stdin: license.content.toString("base64"),
    });
    this.requireSuccess("uploadLicense", node, r);
  }

  private requireSuccess(operation: SystemControlOperation, node: string, r: ExecResult): void {
    if (r.exitCode === 0) return;
    throw this.errors.fail(
      operation,
      node,
      r.disconnected ? "unreachable" : "exit-code",
      r.disconnected
        ? "the connection closed before the command reported its exit status"
        : "the core-shell command failed",
      { exitCode: r.exitCode, stderr: r.stderr || r.stdout },
    );
  }

  private target(operation: SystemControlOperation, node: string): { address: string; ssh: SshTargetConfig } {
    const n = this.config.nodes[node];
    if (!n?.ssh)
      throw this.errors.unsupported(
        operation,
        node,
        `no ssh settings for node ${node}: add nodes.${node}.ssh to the system-control config`,
      );
    return { address: n.address, ssh: n.ssh };
  }

  private exec(
    operation: SystemControlOperation,
    node: string,
    command: string,
    opts: ExecOptions = {},
  ): Promise<ExecResult> {
    const { address, ssh } = this.target(operation, node);
    const deadlineMs = deadlineOf(this.config, operation);
    const expected = expectedFingerprint(ssh.hostKey);
    const fail = (
      failure: SystemControlFailure,
      detail: string,
      more?: { stderr?: string; cause?: unknown },
    ): SystemControlError => this.errors.fail(operation, node, failure, detail, more);
    return new Promise<ExecResult>((resolve, reject) => {
      const client = new Client();
      let seenFingerprint: string | undefined;
      let settled = false;
      let commandSent = false;
      let exitCode: number | null = null;
      const out = new CappedOutput();
      const errOut = new CappedOutput();
      const finish = (fn: () => void): void => {
        if (settled) return;
        settled = true;
        clearTimeout(timer);
        client.end();
        fn();
      };
      const timer = setTimeout(() => {
        finish(() =>
          reject(
            fail(
              "deadline",
              `no result within the operation's deadline of ${formatDuration(deadlineMs)} (${address}:${ssh.port})`,
              { stderr: errOut.describe() },
            ),
          ),
        );
        client.destroy();
      }, deadlineMs);

      client.on("error", (err: Error & { level?: string; code?: string }) => {
        finish(() => {
          if (seenFingerprint !== undefined && seenFingerprint !== expected) {
            reject(
              new HostKeyMismatchError({
                node,
                operation,
                host: address,
                port: ssh.port,
                expected,
                actual: seenFingerprint,
              }),
            );
          } else if (commandSent) {
            resolve({ exitCode, stdout: out.text(), stderr: errOut.describe(), disconnected: true });
          } else {
            const auth = err.level === "client-authentication";
            reject(
              fail(
                auth ? "auth" : "unreachable",
                auth
                  ? `authentication as ${ssh.username} failed at ${address}:${ssh.port}: check nodes.${node}.ssh credentials`
                  : `cannot reach the core shell at ${address}:${ssh.port}: ${err.message}`,
                { cause: err },
              ),
            );
          }
        });
      });
      client.on("close", () =>
        finish(() =>
          commandSent
            ? resolve({ exitCode, stdout: out.text(), stderr: errOut.describe(), disconnected: true })
            : reject(
                fail("unreachable", `connection to ${address}:${ssh.port} closed before the command ran`),
              ),
        ),
      );
      client.on("ready", () => {
        client.exec(command, (err, stream) => {
          if (err) {
            finish(() => reject(fail("unreachable", `exec refused: ${err.message}`, { cause: err })));
            return;
          }
          commandSent = true;
          stream.on("data", (c: Buffer) => out.push(c));
          stream.stderr.on("data", (c: Buffer) => errOut.push(c));
          stream.on("exit", (code: number | null) => (exitCode = code));
          stream.on("close", (code: number | null | undefined) => {
            if (typeof code === "number") exitCode = code;
            finish(() =>
              resolve({
                exitCode,
                stdout: out.text(),
                stderr: errOut.describe(),
                disconnected: exitCode === null,
              }),
            );
          });
          stream.end(opts.stdin ?? undefined);
        });
      });

      const cfg: ConnectConfig = {
        host: address,
        port: ssh.port,
        username: ssh.username,
        readyTimeout: Math.max(1000, Math.min(deadlineMs, 30_000)),
        hostVerifier: (key: Buffer) => {
          seenFingerprint = fingerprintOfKeyBlob(key);
          return seenFingerprint === expected;
        },
      };
      if (ssh.password !== undefined) cfg.password = ssh.password;
      if (ssh.privateKey !== undefined) cfg.privateKey = ssh.privateKey;
      if (ssh.passphrase !== undefined) cfg.passphrase = ssh.passphrase;
      client.connect(cfg);
    });
  }
}
