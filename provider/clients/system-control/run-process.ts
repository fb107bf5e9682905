/**
 * Runs a local program without a shell (argv as given), with a hard deadline: on expiry the child
 * gets SIGTERM, then SIGKILL one second later. Used by the ipmi and command channels.
 */
import { SpsError } from "../../../core/errors";
import { spawn } from "node:child_process";

const OUTPUT_CAP = 256 * 1024;
const KILL_GRACE_MS = 1000;

export interface ProcessResult {
  exitCode: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
  /** The deadline passed and the process was killed. */
  timedOut: boolean;
  durationMs: number;
}

export interface RunProcessOptions {
  deadlineMs: number;
  /** Added to the inherited environment (e.g. IPMI_PASSWORD for `ipmitool -E`). */
  env?: Record<string, string>;
  stdin?: Buffer | string;
}

/** Spawn failure (program missing, not executable): carries the errno code (`errno`). */
export class SpawnError extends SpsError {
  static override readonly code: string = "SPAWN_FAILED";
  readonly errno: string;
  constructor(program: string, errno: string, message: string) {
    super(`cannot run ${program}: ${message}`);
    this.errno = errno;
  }
}

function append(buf: string, chunk: Buffer): string {
  if (buf.length >= OUTPUT_CAP) return buf;
  return buf + chunk.toString("utf8");
}

export function runProcess(argv: readonly string[], options: RunProcessOptions): Promise<ProcessResult> {
  const [program, ...args] = argv;
  if (program === undefined) return Promise.reject(new SpawnError("(none)", "EINVAL", "empty argv"));
  const started = Date.now();
  return new Promise<ProcessResult>((resolve, reject) => {
    const child = spawn(program, args, {
      shell: false,
      stdio: ["pipe", "pipe", "pipe"],
      env: { ...process.env, ...(options.env ?? {}) },
    });
    let stdout = "";
    let stderr = "";
    let timedOut = false;
    let killTimer: NodeJS.Timeout | undefined;
    const deadline = setTimeout(() => {
      timedOut = true;
      child.kill("SIGTERM");
      killTimer = setTimeout(() => child.kill("SIGKILL"), KILL_GRACE_MS);
    }, options.deadlineMs);
    child.stdout.on("data", (c: Buffer) => (stdout = append(stdout, c)));
    child.stderr.on("data", (c: Buffer) => (stderr = append(stderr, c)));
    child.stdin.on("error", () => undefined); // the child may exit without reading stdin
    child.on("error", (err: NodeJS.ErrnoException) => {
      clearTimeout(deadline);
      if (killTimer) clearTimeout(killTimer);
      reject(new SpawnError(program, err.code ?? "EUNKNOWN", err.message));
    });
    child.on("close", (exitCode, signal) => {
      clearTimeout(deadline);
      if (killTimer) clearTimeout(killTimer);
      resolve({ exitCode, signal, stdout, stderr, timedOut, durationMs: Date.now() - started });
    });
    child.stdin.end(options.stdin ?? "");
  });
}
