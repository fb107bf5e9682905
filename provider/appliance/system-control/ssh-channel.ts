/**
 * The `ssh` channel: runs the (inferred) core-shell vocabulary of `core-shell-commands.ts` on the
 * node's core shell over the project's one SSH transport (`hosts/ssh-transport.ts`). The host key
 * is verified before authenticating; a mismatch is refused with both fingerprints
 * (`HostKeyMismatchError`, naming `nodes.<node>.ssh.hostKey`). The exit code decides; stderr alone
 * is not a failure.
 */
import type { Client } from "ssh2";
import { HostKeyMismatchError, SshConnectionError } from "../../hosts/host-errors";
import { execSsh, openSshClient } from "../../hosts/ssh-transport";
import {
  activateOtherNodeCommand,
  haStatusCommand,
  installLicenseCommand,
  parseHaStatusOutput,
  rebootClusterCommand,
  rebootThisNodeCommand,
  shutdownOtherNodeCommand,
} from "./core-shell-commands";
import { ChannelBase, type OperationAnswer, type OperationCall } from "./channel-base";
import { deadlineOf, secretsOf, type SshTargetConfig, type SystemControlConfig } from "./config";
import type { SystemControlOperation } from "./operations";
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

/** The core-shell command of each operation the ssh channel carries (the license has its own). */
const COMMANDS: Partial<Record<SystemControlOperation, () => string>> = {
  rebootNode: rebootThisNodeCommand,
  rebootCluster: rebootClusterCommand,
  shutdownSecondary: shutdownOtherNodeCommand,
  activateSecondary: activateOtherNodeCommand,
  readHaState: haStatusCommand,
};

export class SshChannel extends ChannelBase {
  constructor(config: SystemControlConfig) {
    super(config, "ssh");
  }

  override async perform(call: OperationCall): Promise<OperationAnswer> {
    const { operation, license } = call;
    // The pair's operations run on the primary's core shell ("Other node > Shutdown", H2).
    const node = call.pair?.primary ?? call.node;
    if (license) {
      const r = await this.exec(operation, node, installLicenseCommand(license.fileName), {
        stdin: license.content.toString("base64"),
      });
      return this.requireSuccess(operation, node, r);
    }
    const command = COMMANDS[operation];
    if (!command) return super.perform(call);
    const r = await this.exec(operation, node, command());
    // S9/H1, H4: a node may drop the connection while going down: for a reboot that counts as done.
    const reboot = operation === "rebootNode" || operation === "rebootCluster";
    if (!(reboot && r.disconnected)) this.requireSuccess(operation, node, r);
    if (operation === "readHaState")
      return this.errors.parse(operation, node, () => parseHaStatusOutput(r.stdout), r.stderr);
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

  private async exec(
    operation: SystemControlOperation,
    node: string,
    command: string,
    opts: ExecOptions = {},
  ): Promise<ExecResult> {
    const { address, ssh } = this.target(operation, node);
    const deadlineMs = deadlineOf(this.config, operation);
    const where = `${address}:${ssh.port}`;
    const started = Date.now();
    const client = await this.connect(operation, node, address, ssh, deadlineMs);
    try {
      const r = await execSsh(client, command, {
        timeoutMs: Math.max(1, deadlineMs - (Date.now() - started)),
        ...(opts.stdin !== undefined ? { stdin: opts.stdin } : {}),
      });
      if (r.outcome === "timeout") {
        client.destroy();
        throw this.errors.fail(
          operation,
          node,
          "deadline",
          `no result within the operation's deadline of ${formatDuration(deadlineMs)} (${where})`,
          { stderr: r.stderr },
        );
      }
      if (r.outcome === "refused")
        throw this.errors.fail(operation, node, "unreachable", `exec refused: ${r.detail ?? ""}`);
      // A node going down may drop the connection once the command was sent: the caller decides.
      return { exitCode: r.exitCode, stdout: r.stdout, stderr: r.stderr, disconnected: r.exitCode === null };
    } finally {
      client.end();
    }
  }

  /** Opens the connection to the node's core shell, its host key pinned, within the operation's deadline. */
  private async connect(
    operation: SystemControlOperation,
    node: string,
    address: string,
    ssh: SshTargetConfig,
    deadlineMs: number,
  ): Promise<Client> {
    const where = `${address}:${ssh.port}`;
    const readyTimeoutMs = Math.max(1000, Math.min(deadlineMs, 30_000));
    try {
      return await openSshClient(
        {
          host: address,
          port: ssh.port,
          username: ssh.username,
          hostKey: ssh.hostKey,
          hostKeyField: `nodes.${node}.ssh.hostKey`,
          password: ssh.password,
          privateKey: ssh.privateKey,
          passphrase: ssh.passphrase,
          readyTimeoutMs,
        },
        {
          label: `${operation} on node ${node} via ssh (${where})`,
          secrets: secretsOf(this.config),
          describe: (failure, err) =>
            failure === "key"
              ? `nodes.${node}.ssh.privateKey: the private key could not be used (${err.message}); check the key format and its passphrase`
              : failure === "auth"
                ? `authentication as ${ssh.username} failed at ${where}: check nodes.${node}.ssh credentials`
                : failure === "timeout" && readyTimeoutMs >= deadlineMs
                  ? `no result within the operation's deadline of ${formatDuration(deadlineMs)} (${where})`
                  : `cannot reach the core shell at ${where}: ${err.message}`,
        },
      );
    } catch (e) {
      if (!(e instanceof SshConnectionError) || e instanceof HostKeyMismatchError) throw e;
      const failure =
        e.failure === "auth" || e.failure === "key"
          ? "auth"
          : e.failure === "timeout" && readyTimeoutMs >= deadlineMs
            ? "deadline"
            : "unreachable";
      throw this.errors.fail(operation, node, failure, e.detail, { cause: e });
    }
  }
}
