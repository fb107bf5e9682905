/**
 * The side-effect boundary of the indexer-host layer: one session to one host. `SshHostSession`
 * implements it over ssh2; the executor and `IndexerHost` only see this interface.
 */

export interface RunOptions {
  /** Deadline for this command; the session's default applies when absent. */
  timeoutMs?: number;
  /** Run as root: `sudo -n` for a non-root login user, nothing for root. */
  sudo?: boolean;
  /**
   * Exit codes that count as success. Default `[0]`; `"any"` returns every exit code to the caller
   * (for queries such as `systemctl is-active`, where 3 means "inactive", not "failed").
   */
  acceptExitCodes?: readonly number[] | "any";
}

export interface CommandResult {
  exitCode: number;
  stdout: string;
  stderr: string;
}

export interface UploadResult {
  remotePath: string;
  bytes: number;
  sha256: string;
}

export interface HostSession {
  /** Name used in messages and results (host[:port], or the declared name). */
  readonly host: string;
  /** The network address connected to (host name or IP), when it differs from the name. */
  readonly address?: string;
  /**
   * Runs one shell command. Success is decided by the exit code alone (stderr output is not a
   * failure); an exit code outside `acceptExitCodes` throws `SshCommandError`, a sudo that wants a
   * password throws `SudoRefusedError`, a missed deadline or a lost connection throws
   * `SshCommandError` with `failure` "timeout" / "connection-lost".
   */
  run(command: string, options?: RunOptions): Promise<CommandResult>;
  /** Copies a local file to the host, then verifies it with `sha256sum` on the host. */
  upload(localPath: string, remotePath: string): Promise<UploadResult>;
  close(): Promise<void>;
}
