/**
 * Errors of the indexer-host layer. Each carries the context an operator needs (host, command, exit
 * code, stderr tail) and never a password, passphrase or key: messages pass through `redact`.
 */

import { SpsError } from "../../../core/errors";
import { redactText as redact } from "../../../core/redaction";
import { stderrTailOf } from "./capped-output";

export type SshCommandFailure = "exit-code" | "timeout" | "connection-lost";

export interface SshCommandErrorArgs {
  host: string;
  command: string;
  exitCode: number | null;
  stderr: string;
  failure: SshCommandFailure;
  detail?: string;
  secrets?: readonly string[];
}

/** A remote command that failed: by exit code, by its deadline, or because the connection dropped. */
export class SshCommandError extends SpsError {
  static override readonly code: string = "SSH_COMMAND_FAILED";
  readonly host: string;
  readonly command: string;
  readonly exitCode: number | null;
  readonly stderrTail: string;
  readonly failure: SshCommandFailure;

  constructor(args: SshCommandErrorArgs) {
    const secrets = args.secrets ?? [];
    const tail = stderrTailOf(args.stderr, secrets);
    const command = redact(args.command, secrets);
    const why =
      args.failure === "timeout"
        ? `did not finish within its deadline${args.detail ? ` (${args.detail})` : ""}`
        : args.failure === "connection-lost"
          ? `was cut off: the SSH connection was lost${args.detail ? ` (${args.detail})` : ""}`
          : `failed with exit code ${args.exitCode ?? "?"}`;
    super(`${args.host}: command \`${command}\` ${why}${tail ? `; stderr: ${tail}` : ""}`);
    this.host = args.host;
    this.command = command;
    this.exitCode = args.exitCode;
    this.stderrTail = tail;
    this.failure = args.failure;
  }
}

/** `sudo -n` refused: the login user needs a password for sudo (or may not use sudo at all). */
export class SudoRefusedError extends SshCommandError {
  static override readonly code: string = "SUDO_REFUSED";
  readonly user: string;

  constructor(args: Omit<SshCommandErrorArgs, "failure" | "detail" | "secrets"> & { user: string }) {
    super({ ...args, failure: "exit-code" });
    this.user = args.user;
    const needsPassword = /password is required|terminal is required|askpass/i.test(args.stderr);
    this.message = needsPassword
      ? `${args.host}: user "${args.user}" needs a password for sudo, and the indexer upgrade runs sudo ` +
        `non-interactively (sudo -n). Fix: allow this user NOPASSWD sudo for the indexer commands ` +
        `(rpm, yum, systemctl/service, cp, sha256sum, cat) or connect as root.`
      : `${args.host}: user "${args.user}" may not run \`${this.command}\` through sudo: ${this.stderrTail}. ` +
        `Fix: grant this user sudo for the indexer commands, or connect as root.`;
  }
}

/**
 * Why a connection could not be opened: `auth` (credentials refused), `timeout` (no handshake in
 * time), `unreachable` (refused, reset, closed), `key` (the private key could not be used),
 * `host-key` (the server's key is not the declared one: `HostKeyMismatchError`).
 */
export type SshConnectFailure = "auth" | "timeout" | "unreachable" | "key" | "host-key";

/** Could not open (or authenticate) the SSH connection. */
export class SshConnectionError extends SpsError {
  static override readonly code: string = "SSH_CONNECTION_FAILED";
  readonly host: string;
  /** The message without the host in front of it. */
  readonly detail: string;

  constructor(
    host: string,
    message: string,
    secrets: readonly string[] = [],
    readonly failure: SshConnectFailure = "unreachable",
    details: { field?: string; hint?: string } = {},
  ) {
    super(redact(`${host}: ${message}`, secrets), details);
    this.host = host;
    this.detail = redact(message, secrets);
  }
}

/**
 * The host presented a key other than the one declared: the connection is refused before any
 * credential is sent. `field` is the declared key's input (`hostKey`, `nodes.sps-a.ssh.hostKey`).
 */
export class HostKeyMismatchError extends SshConnectionError {
  static override readonly code: string = "HOST_KEY_MISMATCH";
  readonly expectedFingerprint: string;
  readonly actualFingerprint: string;

  constructor(host: string, expectedFingerprint: string, actualFingerprint: string, field = "hostKey") {
    const hint = `if the host was legitimately re-keyed (reinstalled), verify its new key out of band and update ${field}; otherwise do not connect`;
    super(
      host,
      `host key verification failed, connection refused before authenticating: expected ${expectedFingerprint}, ` +
        `the host presented ${actualFingerprint}. Fix: ${hint}.`,
      [],
      "host-key",
      { field, hint },
    );
    this.expectedFingerprint = expectedFingerprint;
    this.actualFingerprint = actualFingerprint;
  }
}

/** The uploaded file's checksum on the host differs from the local file's. */
export class UploadVerificationError extends SpsError {
  static override readonly code: string = "UPLOAD_VERIFICATION_FAILED";
  readonly host: string;
  readonly remotePath: string;

  constructor(host: string, remotePath: string, localSha256: string, remoteSha256: string) {
    super(
      `${host}: upload of ${remotePath} is corrupt: local sha256 ${localSha256}, remote sha256 ` +
        `${remoteSha256 || "(none)"}`,
    );
    this.host = host;
    this.remotePath = remotePath;
  }
}
