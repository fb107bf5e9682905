/**
 * `HostSession` over ssh2: key (file or text), agent or password authentication; the host key is
 * always verified against the declared one; optional jump host; a deadline on every command; sudo
 * through `sudo -n`; uploads over SFTP checked with `sha256sum` on the host.
 */
import { readFileBounded, TEXT_INPUT_MAX_BYTES } from "../domain/bounded-file";
import { CappedOutput } from "./capped-output";
import { createHash } from "node:crypto";
import { createReadStream } from "node:fs";
import type { Readable } from "node:stream";
import { Client, type ClientChannel, type ConnectConfig, type ServerHostKeyAlgorithm } from "ssh2";
import {
  HostKeyMismatchError,
  SshCommandError,
  SshConnectionError,
  SudoRefusedError,
  UploadVerificationError,
  redact,
} from "./host-errors";
import { expectedFingerprint, hostKeyAlgorithmsFor, sha256Fingerprint } from "./host-key";
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
        `jump host could not open a channel to the host: ${errorText(err)}`,
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
      throw new SshCommandError({
        host: this.host,
        command,
        ...raw,
        failure: "exit-code",
        secrets: this.secrets,
      });
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
      throw new SshCommandError({
        host: this.host,
        command,
        exitCode: null,
        stderr: errorText(err),
        failure: this.closedReason !== undefined ? "connection-lost" : "exit-code",
        secrets: this.secrets,
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

  private isRoot(): Promise<boolean> {
    this.rootUser ??= this.exec("id -u", "id -u", this.options.commandTimeoutMs).then(
      (r) => r.stdout.trim() === "0",
    );
    return this.rootUser;
  }

  /** Runs `wire` and collects its output; `command` is what messages show (without the sudo wrapper). */
  private exec(command: string, wire: string, timeoutMs: number): Promise<CommandResult> {
    return new Promise<CommandResult>((resolve, reject) => {
      const stdout = new CappedOutput();
      const stderr = new CappedOutput();
      let channel: ClientChannel | undefined;
      let settled = false;
      const fail = (failure: "timeout" | "connection-lost", detail: string): void => {
        if (settled) return;
        settled = true;
        cleanup();
        reject(
          new SshCommandError({
            host: this.host,
            command,
            exitCode: null,
            stderr: stderr.describe(),
            failure,
            detail,
            secrets: this.secrets,
          }),
        );
      };
      const onLost = (reason: string): void => fail("connection-lost", reason);
      const timer = setTimeout(() => {
        // The remote process may outlive the channel if the server ignores the signal; the caller
        // treats a timed-out command as failed and re-reads the host state before going on.
        try {
          channel?.signal("KILL");
          channel?.close();
        } catch {
          // the channel is already gone
        }
        fail("timeout", `${timeoutMs} ms`);
      }, timeoutMs);
      const cleanup = (): void => {
        clearTimeout(timer);
        this.pending.delete(onLost);
      };
      if (this.closedReason !== undefined) return onLost(this.closedReason);
      this.pending.add(onLost);
      this.client.exec(wire, (err, stream) => {
        if (err) return fail("connection-lost", err.message);
        channel = stream;
        let exitCode: number | null = null;
        let signal: string | undefined;
        stream.on("data", (d: Buffer) => stdout.push(d));
        stream.stderr.on("data", (d: Buffer) => stderr.push(d));
        stream.on("exit", (code: number | null, sig?: string) => {
          exitCode = code;
          signal = sig;
        });
        stream.on("close", () => {
          if (settled) return;
          if (exitCode === null && signal === undefined) {
            return fail("connection-lost", this.closedReason ?? "the channel closed without an exit status");
          }
          settled = true;
          cleanup();
          resolve({
            // Killed by a signal: no exit code; 128+n is what a shell would report, 255 when unknown.
            exitCode: exitCode ?? 255,
            stdout: stdout.text(),
            stderr: stderr.describe() + (signal ? `\n(killed by signal ${signal})` : ""),
          });
        });
      });
    });
  }
}

function secretsOf(e: SshEndpointOptions): string[] {
  if (e.auth.method === "password") return [e.auth.password];
  if (e.auth.method === "privateKey") return [e.auth.passphrase ?? "", e.auth.privateKey ?? ""];
  return [];
}

async function openClient(e: SshEndpointOptions, label: string, sock?: Readable): Promise<Client> {
  const secrets = secretsOf(e);
  const expected = expectedFingerprint(e.hostKey);
  const algorithms = hostKeyAlgorithmsFor(e.hostKey);
  let presented: string | undefined;
  const config: ConnectConfig = {
    host: e.host,
    port: e.port,
    username: e.username,
    readyTimeout: e.connectTimeoutMs,
    keepaliveInterval: 5_000,
    keepaliveCountMax: 3,
    tryKeyboard: false,
    hostVerifier: (key: Buffer): boolean => {
      presented = sha256Fingerprint(key);
      return presented === expected;
    },
  };
  if (algorithms) config.algorithms = { serverHostKey: algorithms as ServerHostKeyAlgorithm[] };
  if (sock) config.sock = sock;
  if (e.auth.method === "password") config.password = e.auth.password;
  if (e.auth.method === "agent") {
    const socket = e.auth.agentSocket ?? process.env["SSH_AUTH_SOCK"];
    if (!socket) {
      throw new SshConnectionError(
        label,
        "auth.agentSocket: no ssh-agent socket; set SSH_AUTH_SOCK or give auth.agentSocket",
      );
    }
    config.agent = socket;
  }
  if (e.auth.method === "privateKey") {
    if (e.auth.privateKeyPath !== undefined) {
      try {
        config.privateKey = readFileBounded(e.auth.privateKeyPath, TEXT_INPUT_MAX_BYTES);
      } catch (err) {
        throw new SshConnectionError(
          label,
          `auth.privateKeyPath: cannot read the key file ${e.auth.privateKeyPath} (${errorCode(err)}); ` +
            "fix the path or the file's permissions",
        );
      }
    } else {
      config.privateKey = e.auth.privateKey;
    }
    if (e.auth.passphrase !== undefined) config.passphrase = e.auth.passphrase;
  }
  const client = new Client();
  return new Promise<Client>((resolve, reject) => {
    client.once("ready", () => resolve(client));
    client.once("error", (err: Error) => {
      client.end();
      if (presented !== undefined && presented !== expected) {
        return reject(new HostKeyMismatchError(label, expected, presented));
      }
      reject(new SshConnectionError(label, describeConnectError(err, e), secrets));
    });
    try {
      client.connect(config);
    } catch (err) {
      // ssh2 throws synchronously on an unparsable private key.
      reject(
        new SshConnectionError(
          label,
          `auth: the private key could not be used (${redact(errorText(err), secrets)}); ` +
            "check the key format and its passphrase",
          secrets,
        ),
      );
    }
  });
}

function describeConnectError(err: Error, e: SshEndpointOptions): string {
  const level = (err as { level?: string }).level;
  if (level === "client-authentication") {
    return (
      `authentication as "${e.username}" with method ${e.auth.method} was refused; ` +
      "check the user name and the credentials in auth"
    );
  }
  if (/timed out/i.test(err.message)) {
    return `no SSH handshake within ${e.connectTimeoutMs} ms (connectTimeoutMs); check host, port and firewalls`;
  }
  return `cannot connect to ${e.host}:${e.port}: ${err.message}`;
}

function errorText(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
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

async function sha256OfFile(path: string): Promise<{ sha256: string; bytes: number }> {
  const hash = createHash("sha256");
  let bytes = 0;
  for await (const chunk of createReadStream(path)) {
    const buf = chunk as Buffer;
    bytes += buf.length;
    hash.update(buf);
  }
  return { sha256: hash.digest("hex"), bytes };
}
