/**
 * Runs one `pulumi` command for `npm run bench:fleet` and samples its process tree from /proc (Linux):
 * peak RSS of the CLI, of the program (node running @pulumi/pulumi's cmd/run) and of the provider
 * (node running cmd/dynamic-provider), and the CLI's own CPU time. The kernel's VmHWM is each
 * process's peak; a sample every 100 ms reads it before the process exits.
 */
import { spawn } from "node:child_process";
import { readdirSync, readFileSync } from "node:fs";
import * as path from "node:path";
import { PULUMI_BIN_DIR } from "../test/support/pulumi-engine";

export type Role = "cli" | "program" | "provider";

export interface SampledRun {
  code: number;
  wallMs: number;
  stdout: string;
  stderr: string;
  /** Peak resident set per role (MB), over every process of that role. */
  peakRssMb: Record<Role, number>;
  /** User + system CPU of the CLI process itself (s), as last sampled. */
  cliCpuS: number;
  /** User + system CPU per role (s), as last sampled, summed over the processes of that role. */
  cpuS: Record<Role, number>;
}

const TICKS_PER_S = 100;

function readText(file: string): string | undefined {
  try {
    return readFileSync(file, "utf8");
  } catch {
    return undefined;
  }
}

function parentOf(pid: number): number | undefined {
  const stat = readText(`/proc/${pid}/stat`);
  if (!stat) return undefined;
  // pid (comm) state ppid …: comm may hold spaces and parentheses, so split after the last ")".
  const rest = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
  return Number(rest[1]);
}

function cpuSeconds(pid: number): number | undefined {
  const stat = readText(`/proc/${pid}/stat`);
  if (!stat) return undefined;
  const rest = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
  return (Number(rest[11]) + Number(rest[12])) / TICKS_PER_S;
}

function peakRssMb(pid: number): number {
  const status = readText(`/proc/${pid}/status`) ?? "";
  const kb = /VmHWM:\s+(\d+) kB/.exec(status)?.[1];
  return kb ? Number(kb) / 1024 : 0;
}

function roleOf(pid: number, root: number): Role | undefined {
  if (pid === root) return "cli";
  const cmd = (readText(`/proc/${pid}/cmdline`) ?? "").split("\0").join(" ");
  if (/cmd[/\\]dynamic-provider/.test(cmd)) return "provider";
  if (/cmd[/\\]run\b/.test(cmd)) return "program";
  return undefined;
}

function descendants(root: number): number[] {
  const children = new Map<number, number[]>();
  for (const entry of readdirSync("/proc")) {
    if (!/^\d+$/.test(entry)) continue;
    const pid = Number(entry);
    const parent = parentOf(pid);
    if (parent === undefined) continue;
    children.set(parent, [...(children.get(parent) ?? []), pid]);
  }
  const out: number[] = [];
  const todo = [root];
  while (todo.length > 0) {
    const pid = todo.pop() as number;
    out.push(pid);
    todo.push(...(children.get(pid) ?? []));
  }
  return out;
}

/** Runs `pulumi args…` in `cwd` with `env` over process.env, sampling as described above. */
export function sampledPulumi(args: string[], cwd: string, env: Record<string, string>): Promise<SampledRun> {
  return new Promise((resolve, reject) => {
    const started = process.hrtime.bigint();
    const child = spawn(
      path.join(PULUMI_BIN_DIR, "pulumi"),
      [...args, "--non-interactive", "--color", "never"],
      {
        cwd,
        env: { ...process.env, ...env },
        stdio: ["ignore", "pipe", "pipe"],
      },
    );
    const stdout: Buffer[] = [];
    const stderr: Buffer[] = [];
    child.stdout.on("data", (c: Buffer) => stdout.push(c));
    child.stderr.on("data", (c: Buffer) => stderr.push(c));
    const peak: Record<Role, number> = { cli: 0, program: 0, provider: 0 };
    let cliCpuS = 0;
    const cpuByPid = new Map<number, { role: Role; s: number }>();
    const root = child.pid ?? -1;
    const sample = (): void => {
      for (const pid of descendants(root)) {
        const role = roleOf(pid, root);
        if (!role) continue;
        peak[role] = Math.max(peak[role], peakRssMb(pid));
        const cpu = cpuSeconds(pid);
        if (cpu !== undefined) cpuByPid.set(pid, { role, s: cpu });
        if (role === "cli") cliCpuS = cpu ?? cliCpuS;
      }
    };
    const timer = setInterval(sample, 100);
    child.on("error", (e) => {
      clearInterval(timer);
      reject(e);
    });
    child.on("close", (code) => {
      clearInterval(timer);
      resolve({
        code: code ?? -1,
        wallMs: Number(process.hrtime.bigint() - started) / 1e6,
        stdout: Buffer.concat(stdout).toString("utf8"),
        stderr: Buffer.concat(stderr).toString("utf8"),
        peakRssMb: peak,
        cliCpuS,
        cpuS: [...cpuByPid.values()].reduce<Record<Role, number>>(
          (acc, { role, s }) => ({ ...acc, [role]: acc[role] + s }),
          { cli: 0, program: 0, provider: 0 },
        ),
      });
    });
  });
}
