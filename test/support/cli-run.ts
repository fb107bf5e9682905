/** The `sps-upgrade` CLI run in process with its output captured, for tests. */
import { runCli } from "../../cli/sps-upgrade";

export interface CliRun {
  code: number;
  stdout: string;
  stderr: string;
}

/** Runs `sps-upgrade args…`; `today` is the date the CLI is told (the tests' fixed day by default). */
export async function runCliCaptured(args: string[], today = "2026-12-01"): Promise<CliRun> {
  let stdout = "";
  let stderr = "";
  const io = {
    stdout: (t: string) => (stdout += t),
    stderr: (t: string) => (stderr += t),
    today: () => today,
  };
  const code = await runCli(args, io);
  return { code, stdout, stderr };
}
