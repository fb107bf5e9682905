/**
 * `HostSession` over ssh2: key (file or text), agent or password authentication; the host key is
 * always verified against the declared one; optional jump host; a deadline on every command; sudo
 * through `sudo -n`; uploads over SFTP checked with `sha256sum` on the host.
 */
import { messageOf } from "../../../core/errors";
import { readFileBounded, TEXT_INPUT_MAX_BYTES } from "../../../core/bounded-file";
import { sha256OfFile } from "../files/file-sha256";
import type { Readable } from "node:stream";
import type { Client, ClientChannel } from "ssh2";
import {
  SshCommandError,
  SshConnectionError,
  type SshCommandErrorArgs,
  SudoRefusedError,
  UploadVerificationError,
  type SshConnectFailure,
} from "./host-errors";
import { execSsh, openSshClient, type SshEndpoint } from "./ssh-transport";
import type { CommandResult, HostSession, RunOptions, UploadResult } from "./host-session";
import { parseSshHostOptions, type SshEndpointOptions, type SshHostOptions } from "./ssh-options";
import { shellQuote } from "./shell-quote";

const SUDO_REFUSAL =
  /sudo: (a password is required|a terminal is required|.*not in the sudoers|.*may not run sudo|.*not allowed to execute)/i;
const CLOSE_WAIT_MS = 2_000;

export class SshHostSession implements HostSession {
  readonly host: string;
  readonly address: string;
  private readonly client: Client;
  private readonly jump: Client | undefined;
  private readonly options: SshHostOptions;
  private readonly secrets: readonly string[];
  private readonly pending = new Set<(reason: string) => void>();
  private closedReason: string | undefined;
  private rootUser: Promise<boolean> | undefined;

  private constructor(options: SshHostOptions, client: Client, jump: Client | undefined, name: string) {
    this.options = options;
    this.client = client;
    this.jump = jump;
    this.host = name;
    this.address = options.host;
    this.secrets = [...secretsOf(options), ...(options.jumpHost ? secretsOf(options.jumpHost) : [])];
    const lost = (reason: string): void => {
      if (this.closedReason === undefined) this.closedReason = reason;
      for (const abort of [...this.pending]) abort(this.closedReason);
    };
    // A dropped connection emits "error" and then "close"; both end every command still running.
    client.on("error", (err: Error) => lost(err.message));
    client.on("close", () => lost("connection closed"));
    jump?.on("error", (err: Error) => lost(`jump host: ${err.message}`));
    jump?.on("close", () => lost("jump host connection closed"));
  }

  /** Validates the options (zod), opens the connection (through the jump host if any) and verifies host keys. */
  static async connect(input: unknown, name?: string): Promise<SshHostSession> {
    const options = parseSshHostOptions(input);
    const label = name ?? `${options.host}:${options.port}`;
    if (!options.jumpHost)
      return new SshHostSession(options, await openClient(options, label), undefined, label);
    const jumpHost = options.jumpHost;
    const jump = await openClient(jumpHost, `${jumpHost.host}:${jumpHost.port} (jump host)`);
    try {
      const sock = await new Promise<ClientChannel>((resolve, reject) =>
        jump.forwardOut("127.0.0.1", 0, options.host, options.port, (err, stream) =>
          err ? reject(err) : resolve(stream),
        ),
      );
      const client = await openClient(options, label, sock);
      return new SshHostSession(options, client, jump, label);
    } catch (err) {
      jump.end();
      if (err instanceof SshConnectionError) throw err;
      throw new SshConnectionError(
        label,
        `jump host could not open a channel to the host: ${messageOf(err)}`,
      );
    }
  }

  async run(command: string, options: RunOptions = {}): Promise<CommandResult> {
    const timeoutMs = options.timeoutMs ?? this.options.commandTimeoutMs;
    const viaSudo = options.sudo === true && !(await this.isRoot());
    const wire = viaSudo ? `sudo -n -- sh -c ${shellQuote(command)}` : command;
    const raw = await this.exec(command, wire, timeoutMs);
    if (viaSudo && raw.exitCode === 1 && SUDO_REFUSAL.test(raw.stderr)) {
      throw new SudoRefusedError({ host: this.host, user: this.options.username, command, ...raw });
    }
    const accepted = options.acceptExitCodes ?? [0];
    if (accepted !== "any" && !accepted.includes(raw.exitCode)) {
      throw this.commandError({ command, ...raw, failure: "exit-code" });
    }
    return raw;
  }

  async upload(localPath: string, remotePath: string): Promise<UploadResult> {
    const local = await sha256OfFile(localPath);
    const command = `sftp put ${shellQuote(remotePath)}`;
    try {
      await new Promise<void>((resolve, reject) => {
        if (this.closedReason !== undefined) return reject(new Error(this.closedReason));
        this.client.sftp((err, sftp) => {
          if (err) return reject(err);
          sftp.fastPut(localPath, remotePath, (putErr) => {
            sftp.end();
            if (putErr) reject(putErr);
            else resolve();
          });
        });
      });
    } catch (err) {
      throw this.commandError({
        command,
        exitCode: null,
        stderr: messageOf(err),
        failure: this.closedReason !== undefined ? "connection-lost" : "exit-code",
      });
    }
    const check = await this.run(`sha256sum -- ${shellQuote(remotePath)}`);
    const remote = check.stdout.trim().split(/\s+/)[0] ?? "";
    if (remote !== local.sha256)
      throw new UploadVerificationError(this.host, remotePath, local.sha256, remote);
    return { remotePath, bytes: local.bytes, sha256: local.sha256 };
  }

  async close(): Promise<void> {
    if (this.closedReason !== undefined) {
      this.client.end();
      this.jump?.end();
      return;
    }
    await Promise.all([endClient(this.client), this.jump ? endClient(this.jump) : Promise.resolve()]);
  }

  private commandError(args: Omit<SshCommandErrorArgs, "host" | "secrets">): SshCommandError {
    return new SshCommandError({ host: this.host, ...args, secrets: this.secrets });
  }

  private isRoot(): Promise<boolean> {
    this.rootUser ??= this.exec("id -u", "id -u", this.options.commandTimeoutMs).then(
      (r) => r.stdout.trim() === "0",
    );
    return this.rootUser;
  }

  /** Runs `wire` and collects its output; `command` is what messages show (without the sudo wrapper). */
  private async exec(command: string, wire: string, timeoutMs: number): Promise<CommandResult> {
    const r = await execSsh(this.client, wire, {
      timeoutMs,
      watchLoss: (onLost) => {
        if (this.closedReason !== undefined) {
          onLost(this.closedReason);
          return () => undefined;
        }
        this.pending.add(onLost);
        return () => this.pending.delete(onLost);
      },
    });
    if (r.outcome !== "exited") {
      throw this.commandError({
        command,
        exitCode: null,
        stderr: r.stderr,
        failure: r.outcome === "timeout" ? "timeout" : "connection-lost",
        detail: r.outcome === "timeout" ? `${timeoutMs} ms` : (r.detail ?? this.closedReason ?? ""),
      });
    }
    return {
      // Killed by a signal: no exit code; 128+n is what a shell would report, 255 when unknown.
      exitCode: r.exitCode ?? 255,
      stdout: r.stdout,
      stderr: r.stderr + (r.signal ? `\n(killed by signal ${r.signal})` : ""),
    };
  }
}

function secretsOf(e: SshEndpointOptions): string[] {
  if (e.auth.method === "password") return [e.auth.password];
  if (e.auth.method === "privateKey") return [e.auth.passphrase ?? "", e.auth.privateKey ?? ""];
  return [];
}

async function openClient(e: SshEndpointOptions, label: string, sock?: Readable): Promise<Client> {
  const secrets = secretsOf(e);
  const endpoint: SshEndpoint = {
    host: e.host,
    port: e.port,
    username: e.username,
    hostKey: e.hostKey,
    hostKeyField: label.endsWith("(jump host)") ? "jumpHost.hostKey" : "hostKey",
    readyTimeoutMs: e.connectTimeoutMs,
    keepalive: true,
  };
  if (sock) endpoint.sock = sock;
  if (e.auth.method === "password") endpoint.password = e.auth.password;
  if (e.auth.method === "agent") {
    const socket = e.auth.agentSocket ?? process.env["SSH_AUTH_SOCK"];
    if (!socket) {
      throw new SshConnectionError(
        label,
        "auth.agentSocket: no ssh-agent socket; set SSH_AUTH_SOCK or give auth.agentSocket",
      );
    }
    endpoint.agent = socket;
  }
  if (e.auth.method === "privateKey") {
    if (e.auth.privateKeyPath !== undefined) {
      try {
        endpoint.privateKey = readFileBounded(e.auth.privateKeyPath, TEXT_INPUT_MAX_BYTES);
      } catch (err) {
        throw new SshConnectionError(
          label,
          `auth.privateKeyPath: cannot read the key file ${e.auth.privateKeyPath} (${errorCode(err)}); ` +
            "fix the path or the file's permissions",
        );
      }
    } else {
      endpoint.privateKey = e.auth.privateKey;
    }
    endpoint.passphrase = e.auth.passphrase;
  }
  return openSshClient(endpoint, {
    label,
    secrets,
    describe: (failure, err) => describeConnectError(failure, err, e),
  });
}

function describeConnectError(failure: SshConnectFailure, err: Error, e: SshEndpointOptions): string {
  if (failure === "key")
    return `auth: the private key could not be used (${err.message}); check the key format and its passphrase`;
  if (failure === "auth") {
    return (
      `authentication as "${e.username}" with method ${e.auth.method} was refused; ` +
      "check the user name and the credentials in auth"
    );
  }
  if (failure === "timeout") {
    return `no SSH handshake within ${e.connectTimeoutMs} ms (connectTimeoutMs); check host, port and firewalls`;
  }
  return `cannot connect to ${e.host}:${e.port}: ${err.message}`;
}

function errorCode(err: unknown): string {
  const code = (err as { code?: unknown } | null)?.code;
  return typeof code === "string" ? code : "unreadable";
}

function endClient(client: Client): Promise<void> {
  return new Promise<void>((resolve) => {
    const timer = setTimeout(resolve, CLOSE_WAIT_MS);
    client.once("close", () => {
      clearTimeout(timer);
      resolve();
    });
    client.end();
  });
}
