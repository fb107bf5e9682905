/**
 * Errors of the indexer-host layer. Each carries the context an operator needs (host, command, exit
 * code, stderr tail) and never a password, passphrase or key: messages pass through `redact`.
 */

import { SpsError } from "../domain/errors";
import { redactText } from "../domain/redaction";

const STDERR_TAIL_CHARS = 800;

/** Removes every secret from a text (passwords, passphrases); used on every message we build. */
export function redact(text: string, secrets: readonly string[]): string {
  return redactText(text, secrets);
}

/** The last part of a command's stderr, enough to see why it failed. */
export function stderrTail(stderr: string, max = STDERR_TAIL_CHARS): string {
  const trimmed = stderr.trimEnd();
  return trimmed.length <= max ? trimmed : `…${trimmed.slice(trimmed.length - max)}`;
}

export type SshCommandFailure = "exit-code" | "timeout" | "connection-lost";

/** A remote command that failed: by exit code, by its deadline, or because the connection dropped. */
export class SshCommandError extends SpsError {
  static override readonly code: string = "SSH_COMMAND_FAILED";
  readonly host: string;
  readonly command: string;
  readonly exitCode: number | null;
  readonly stderrTail: string;
  readonly failure: SshCommandFailure;

  constructor(args: {
    host: string;
    command: string;
    exitCode: number | null;
    stderr: string;
    failure: SshCommandFailure;
    detail?: string;
    secrets?: readonly string[];
  }) {
    const secrets = args.secrets ?? [];
    const tail = redact(stderrTail(args.stderr), secrets);
    const command = redact(args.command, secrets);
    const why =
      args.failure === "timeout"
        ? `did not finish within its deadline${args.detail ? ` (${args.detail})` : ""}`
        : args.failure === "connection-lost"
          ? `was cut off: the SSH connection was lost${args.detail ? ` (${args.detail})` : ""}`
          : `failed with exit code ${args.exitCode ?? "?"}`;
    super(`${args.host}: command \`${command}\` ${why}${tail ? `; stderr: ${tail}` : ""}`);
    this.name = "SshCommandError";
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

  constructor(args: {
    host: string;
    user: string;
    command: string;
    exitCode: number | null;
    stderr: string;
  }) {
    super({ ...args, failure: "exit-code" });
    this.name = "SudoRefusedError";
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

/** Could not open (or authenticate) the SSH connection. */
export class SshConnectionError extends SpsError {
  static override readonly code: string = "SSH_CONNECTION_FAILED";
  readonly host: string;

  constructor(host: string, message: string, secrets: readonly string[] = []) {
    super(redact(`${host}: ${message}`, secrets));
    this.name = "SshConnectionError";
    this.host = host;
  }
}

/** The host presented a key other than the one declared: the connection is refused. */
export class HostKeyMismatchError extends SshConnectionError {
  static override readonly code: string = "HOST_KEY_MISMATCH";
  readonly expectedFingerprint: string;
  readonly actualFingerprint: string;

  constructor(host: string, expectedFingerprint: string, actualFingerprint: string) {
    super(
      host,
      `host key verification failed, connection refused: expected ${expectedFingerprint}, ` +
        `the host presented ${actualFingerprint}. If the host was legitimately re-keyed, update its ` +
        `declared hostKey (knownHostsLine or sha256Fingerprint); otherwise do not connect.`,
    );
    this.name = "HostKeyMismatchError";
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
    this.name = "UploadVerificationError";
    this.host = host;
    this.remotePath = remotePath;
  }
}
