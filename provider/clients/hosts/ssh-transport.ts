/**
 * The one SSH transport of the project, over ssh2: a connection whose host key is pinned
 * (`host-key.ts`: the server's key must be the declared one, checked before authenticating), and
 * commands with a deadline, output kept up to a cap (`capped-output.ts`) and the exit code. The
 * indexer hosts (`SshHostSession`) and the SPS core shell (`SshChannel` of system-control) are both
 * built on it; each words its own messages from the outcome this module reports.
 */
import { Client, type ClientChannel, type ConnectConfig, type ServerHostKeyAlgorithm } from "ssh2";
import type { Readable } from "node:stream";
import { CappedOutput } from "./capped-output";
import { HostKeyMismatchError, SshConnectionError, type SshConnectFailure } from "./host-errors";
import { expectedFingerprint, hostKeyAlgorithmsFor, sha256Fingerprint, type HostKeyPin } from "./host-key";

export interface SshEndpoint {
  host: string;
  port: number;
  username: string;
  /** The declared host key: the connection is refused when the server presents another. */
  hostKey: HostKeyPin;
  /** The input the user fixes when the host key differs, as written (`hostKey`, `nodes.a.ssh.hostKey`). */
  hostKeyField: string;
  password?: string | undefined;
  privateKey?: string | Buffer | undefined;
  passphrase?: string | undefined;
  agent?: string | undefined;
  /** Time allowed for the TCP connection and the SSH handshake. */
  readyTimeoutMs: number;
  /** Send keepalives (a long session notices a dead peer). */
  keepalive?: boolean;
  /** An already open stream to the host (a jump host's forwarded channel). */
  sock?: Readable;
}

export interface SshConnectOptions {
  /** Names the host in messages (`host:port`, a declared name, `sps-a`). */
  label: string;
  /** Passwords, passphrases and key texts: removed from every message. */
  secrets: readonly string[];
  /** The message for a connection that failed (the label is prefixed by the error). */
  describe: (failure: SshConnectFailure, cause: Error) => string;
}

/**
 * Opens an authenticated connection. Rejects with `HostKeyMismatchError` when the server's key is
 * not the declared one (before any credential is sent), and with `SshConnectionError` (failure
 * `auth`, `timeout`, `unreachable`, or `key` for an unusable private key) otherwise.
 */
export function openSshClient(e: SshEndpoint, o: SshConnectOptions): Promise<Client> {
  const expected = expectedFingerprint(e.hostKey);
  const algorithms = hostKeyAlgorithmsFor(e.hostKey);
  let presented: string | undefined;
  const config: ConnectConfig = {
    host: e.host,
    port: e.port,
    username: e.username,
    readyTimeout: e.readyTimeoutMs,
    tryKeyboard: false,
    hostVerifier: (key: Buffer): boolean => {
      presented = sha256Fingerprint(key);
      return presented === expected;
    },
  };
  if (e.keepalive) Object.assign(config, { keepaliveInterval: 5_000, keepaliveCountMax: 3 });
  if (algorithms) config.algorithms = { serverHostKey: algorithms as ServerHostKeyAlgorithm[] };
  if (e.sock) config.sock = e.sock;
  if (e.password !== undefined) config.password = e.password;
  if (e.agent !== undefined) config.agent = e.agent;
  if (e.privateKey !== undefined) config.privateKey = e.privateKey;
  if (e.passphrase !== undefined) config.passphrase = e.passphrase;
  const client = new Client();
  const failed = (failure: SshConnectFailure, cause: Error): SshConnectionError =>
    new SshConnectionError(o.label, o.describe(failure, cause), o.secrets, failure);
  return new Promise<Client>((resolve, reject) => {
    let settled = false;
    const settle = (fn: () => void): void => {
      if (settled) return;
      settled = true;
      fn();
    };
    client.once("ready", () => settle(() => resolve(client)));
    client.once("error", (err: Error & { level?: string }) =>
      settle(() => {
        client.end();
        if (presented !== undefined && presented !== expected)
          return reject(new HostKeyMismatchError(o.label, expected, presented, e.hostKeyField));
        const failure =
          err.level === "client-authentication"
            ? "auth"
            : /timed out/i.test(err.message)
              ? "timeout"
              : "unreachable";
        reject(failed(failure, err));
      }),
    );
    client.once("close", () =>
      settle(() => reject(failed("unreachable", new Error("the connection closed before it was ready")))),
    );
    try {
      client.connect(config);
    } catch (err) {
      // ssh2 throws synchronously on an unparsable private key.
      settle(() => reject(failed("key", err instanceof Error ? err : new Error(String(err)))));
    }
  });
}

export interface SshExecOptions {
  /** The command's deadline: past it the channel gets KILL and is closed. */
  timeoutMs: number;
  /** Written to the command's stdin, which is then closed. */
  stdin?: string | Buffer;
  /**
   * Subscribes to the loss of the connection (returns the unsubscribe); by default the client's own
   * `error` and `close` events.
   */
  watchLoss?: (onLost: (reason: string) => void) => () => void;
}

/**
 * How a command ended: `exited` (an exit status or a signal came back), `timeout` (its deadline
 * passed), `lost` (the connection dropped after it was sent), `refused` (the server would not start
 * it). `stderr` is capped and says when it was cut.
 */
export interface SshExecOutcome {
  outcome: "exited" | "timeout" | "lost" | "refused";
  exitCode: number | null;
  signal?: string;
  stdout: string;
  stderr: string;
  /** Why the command did not exit (the connection's or server's reason). */
  detail?: string;
}

/** Runs one command on an open connection; never rejects (the outcome says what happened). */
export function execSsh(client: Client, command: string, o: SshExecOptions): Promise<SshExecOutcome> {
  const watch = o.watchLoss ?? ((onLost) => watchClient(client, onLost));
  return new Promise<SshExecOutcome>((resolve) => {
    const stdout = new CappedOutput();
    const stderr = new CappedOutput();
    let channel: ClientChannel | undefined;
    let exitCode: number | null = null;
    let signal: string | undefined;
    let settled = false;
    let unwatch = (): void => undefined;
    const end = (outcome: SshExecOutcome["outcome"], detail?: string): void => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      unwatch();
      resolve({
        outcome,
        exitCode,
        ...(signal !== undefined ? { signal } : {}),
        stdout: stdout.text(),
        stderr: stderr.describe(),
        ...(detail !== undefined ? { detail } : {}),
      });
    };
    const timer = setTimeout(() => {
      // The remote process may outlive the channel if the server ignores the signal; callers treat
      // a timed-out command as failed and re-read the state before going on.
      try {
        channel?.signal("KILL");
        channel?.close();
      } catch {
        // the channel is already gone
      }
      end("timeout");
    }, o.timeoutMs);
    unwatch = watch((reason) => end(channel ? "lost" : "refused", reason));
    if (settled) {
      // Lost before the subscription was in place: `end` ran with the no-op unsubscribe.
      unwatch();
      return;
    }
    client.exec(command, (err, stream) => {
      if (err) return end("refused", err.message);
      channel = stream;
      stream.on("data", (d: Buffer) => stdout.push(d));
      stream.stderr.on("data", (d: Buffer) => stderr.push(d));
      stream.on("exit", (code: number | null, sig?: string) => {
        exitCode = code;
        signal = sig;
      });
      stream.on("close", () =>
        exitCode === null && signal === undefined
          ? end("lost", "the channel closed without an exit status")
          : end("exited"),
      );
      stream.end(o.stdin);
    });
  });
}

/** Calls `onLost` when the client reports an error or closes; returns the unsubscribe. */
function watchClient(client: Client, onLost: (reason: string) => void): () => void {
  const onError = (err: Error): void => onLost(err.message);
  const onClose = (): void => onLost("connection closed");
  client.on("error", onError);
  client.on("close", onClose);
  return () => {
    client.off("error", onError);
    client.off("close", onClose);
  };
}
