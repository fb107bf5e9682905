/**
 * The `ssh` channel: runs the (inferred) core-shell vocabulary of `core-shell-commands.ts` on the
 * node's core shell over the project's one SSH transport (`hosts/ssh-transport.ts`). The host key
 * is verified before authenticating; a mismatch is refused with both fingerprints
 * (`HostKeyMismatchError`, naming `nodes.<node>.ssh.hostKey`). The exit code decides; stderr alone
 * is not a failure.
 */
import { HostKeyMismatchError, SshConnectionError } from "../hosts/host-errors";
import { execSsh, openSshClient, type SshExecOutcome } from "../hosts/ssh-transport";
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
import { deadlineOf, secretsOf, type SystemControlConfig } from "./config";
import type { SystemControlOperation } from "./operations";
import { formatDuration } from "../../../core/duration";

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
    const command = license ? installLicenseCommand(license.fileName) : COMMANDS[operation]?.();
    if (command === undefined) return super.perform(call);
    const r = await this.exec(operation, node, command, license?.content.toString("base64"));
    // S9/H1, H4: a node may drop the connection while going down: for a reboot that counts as done.
    const disconnected = r.exitCode === null;
    if (disconnected && (operation === "rebootNode" || operation === "rebootCluster")) return;
    if (r.exitCode !== 0)
      throw this.errors.fail(
        operation,
        node,
        disconnected ? "unreachable" : "exit-code",
        disconnected
          ? "the connection closed before the command reported its exit status"
          : "the core-shell command failed",
        { exitCode: r.exitCode, stderr: r.stderr || r.stdout },
      );
    if (operation === "readHaState")
      return this.errors.parse(operation, node, () => parseHaStatusOutput(r.stdout), r.stderr);
  }

  /** Runs one command on the node's core shell within the operation's deadline (connecting included). */
  private async exec(
    operation: SystemControlOperation,
    node: string,
    command: string,
    stdin?: string,
  ): Promise<SshExecOutcome> {
    const n = this.config.nodes[node];
    if (!n?.ssh)
      throw this.errors.unsupported(
        operation,
        node,
        `no ssh settings for node ${node}: add nodes.${node}.ssh to the system-control config`,
      );
    const ssh = n.ssh;
    const deadlineMs = deadlineOf(this.config, operation);
    const where = `${n.address}:${ssh.port}`;
    const missedDeadline = `no result within the operation's deadline of ${formatDuration(deadlineMs)} (${where})`;
    const started = Date.now();
    const readyTimeoutMs = Math.max(1000, Math.min(deadlineMs, 30_000));
    const handshakeIsDeadline = readyTimeoutMs >= deadlineMs;
    const client = await openSshClient(
      {
        host: n.address,
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
              : failure === "timeout" && handshakeIsDeadline
                ? missedDeadline
                : `cannot reach the core shell at ${where}: ${err.message}`,
      },
    ).catch((e: unknown) => {
      if (!(e instanceof SshConnectionError) || e instanceof HostKeyMismatchError) throw e;
      const failure =
        e.failure === "auth" || e.failure === "key"
          ? "auth"
          : e.failure === "timeout" && handshakeIsDeadline
            ? "deadline"
            : "unreachable";
      throw this.errors.fail(operation, node, failure, e.detail, { cause: e });
    });
    try {
      const timeoutMs = Math.max(1, deadlineMs - (Date.now() - started));
      const r = await execSsh(client, command, { timeoutMs, ...(stdin !== undefined ? { stdin } : {}) });
      if (r.outcome === "timeout") {
        client.destroy();
        throw this.errors.fail(operation, node, "deadline", missedDeadline, { stderr: r.stderr });
      }
      if (r.outcome === "refused")
        throw this.errors.fail(operation, node, "unreachable", `exec refused: ${r.detail ?? ""}`);
      return r;
    } finally {
      client.end();
    }
  }
}
