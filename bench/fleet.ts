/**
 * `npm run bench:fleet`: a fleet of N clusters through the real engine (.tools/pulumi, file backend)
 * against the emulator at a high time scale — preview, up (makespan vs the slowest cluster), the first
 * and second no-op up, refresh, state bytes per cluster, peak RSS of CLI, program and provider, and
 * the CLI's CPU during up. Writes the "Fleet through the engine" section of BENCHMARKS.md.
 *
 *   BENCH_FLEET_N=10,50,200,400   fleet sizes (default 10,50,200,400)
 *   BENCH_FLEET_TIME_SCALE=600    emulator time scale (default 600)
 *   BENCH_FLEET_PARALLEL=P        `pulumi up --parallel P` (default: the engine's own)
 *   BENCH_FLEET_HA_EVERY=10       every k-th cluster is an HA pair (default 10)
 *   BENCH_FLEET_PREVIEW_ONLY_N=…  sizes measured with preview only (no up), e.g. 400 on a busy machine
 *   BENCH_FLEET_NO_WRITE=1        print the table, leave BENCHMARKS.md alone
 *   BENCH_FLEET_DEFAULT_PREVIEW=0 skip the second preview without PULUMI_SKIP_CHECKPOINTS
 *
 * The preview column is measured with PULUMI_SKIP_CHECKPOINTS=true (docs/user-guide.md, "Staged rollout"); the
 * engine's default is measured beside it.
 */
import { readdirSync, statSync, writeFileSync } from "node:fs";
import { loadavg } from "node:os";
import * as path from "node:path";
import { createTestStack, REPO_ROOT, type TestStack } from "../test/support/pulumi-engine";
import { emulatorSystemControlRoutes } from "../test/support/emulator-system-control";
import { startLab, SYSTEM_CONTROL_SCRIPT, type Lab } from "../test/support/sps-lab";
import { sampledPulumi, type SampledRun } from "./fleet-sampler";
import { exitOnFailure, machineLine, updateBenchmarkSection } from "./report";

interface Row {
  n: number;
  ha: number;
  previewS: number;
  upS?: number;
  slowestClusterS?: number;
  noop1S?: number;
  noop2S?: number;
  refreshS?: number;
  stateBytesPerCluster?: number;
  cliCpuUpS?: number;
  previewRss: SampledRun["peakRssMb"];
  previewCliCpuS?: number;
  /** The same preview without PULUMI_SKIP_CHECKPOINTS (the engine's default). */
  previewDefaultS?: number;
  previewDefaultCliCpuS?: number;
  upRss?: SampledRun["peakRssMb"];
  load: string;
}

function envList(name: string, fallback: number[]): number[] {
  const raw = process.env[name];
  if (!raw) return fallback;
  return raw.split(",").map((s) => {
    const n = Number(s.trim());
    if (!Number.isInteger(n) || n <= 0) throw new Error(`${name}: "${s}" is not a positive integer`);
    return n;
  });
}

function envNumber(name: string, fallback: number): number {
  const raw = process.env[name];
  if (raw === undefined || raw === "") return fallback;
  const n = Number(raw);
  if (!Number.isFinite(n) || n <= 0) throw new Error(`${name}: "${raw}" is not a positive number`);
  return n;
}

/** The emulated fleet: N clusters, every `haEvery`-th an HA pair, all on 5.0.0 with a 5.x license. */
function fleetDocument(n: number, haEvery: number): { clusters: Array<{ name: string; nodes: unknown[] }> } {
  const clusters = Array.from({ length: n }, (_, i) => {
    const ha = (i + 1) % haEvery === 0;
    const name = `c${String(i).padStart(4, "0")}`;
    return {
      name,
      nodes: [
        {
          name: `${name}-sps`,
          version: "5.0.0",
          ...(ha ? { ha: true } : { virtual: true }),
          settings: { diskFillupLimitPercent: 90 },
          // HA pairs: the REST call only selects the slot (emulator reading), declared as such in the
          // program, so the run makes the call instead of stopping at the manual activation gate.
          emulator: {
            license: { major: 5, validNotAfter: "2031-12-31" },
            ...(ha ? { upgradeCall: "selects" } : {}),
          },
        },
      ],
    };
  });
  return { clusters };
}

/**
 * The lab's command-channel routes through one small script in the lab's directory (`sps-sysctl <op>
 * <node> …`, what a team's own command route looks like; ssh/ipmi routes are `{ "channel": "ssh" }`),
 * instead of the emulator's long argv (node's and the script's absolute paths and the control URL in
 * every route): the state per cluster then measures the tool, not the lab's paths.
 */
function shortRoutes(lab: Lab): Record<string, unknown> {
  const wrapper = path.join(lab.dir, "sps-sysctl");
  const quoted = [process.execPath, SYSTEM_CONTROL_SCRIPT, lab.config["lab:controlUrl"] ?? ""].map(
    (a) => `'${a.replace(/'/g, "'\\''")}'`,
  );
  writeFileSync(wrapper, `#!/bin/sh\nexec ${quoted.join(" ")} "$@"\n`, { mode: 0o755 });
  const routes = emulatorSystemControlRoutes(lab.config["lab:controlUrl"] ?? "");
  return Object.fromEntries(
    Object.entries(routes).map(([op, r]) => [op, { ...r, argv: [wrapper, ...r.argv.slice(3)] }]),
  );
}

function stateBytes(stack: TestStack): number {
  let largest = 0;
  const walk = (dir: string): void => {
    for (const entry of readdirSync(dir, { withFileTypes: true })) {
      const p = path.join(dir, entry.name);
      if (entry.isDirectory()) {
        if (entry.name === "history" || entry.name === "backups") continue;
        walk(p);
      } else if (entry.name.endsWith(".json") && p.includes(`${path.sep}stacks${path.sep}`)) {
        largest = Math.max(largest, statSync(p).size);
      }
    }
  };
  walk(path.join(stack.workDir, "state"));
  return largest;
}

/**
 * Per cluster: the last elapsed time its firmware run printed (`[sps] firmware/<cluster>: +12.3s #7 …`,
 * measured by the executor from the start of that cluster's run), in seconds.
 */
function clusterRunSeconds(printed: string): number[] {
  const last = new Map<string, number>();
  for (const m of printed.matchAll(/\[sps\] firmware\/(\S+): \+([\d.]+)s /g)) {
    const cluster = m[1] ?? "";
    last.set(cluster, Math.max(last.get(cluster) ?? 0, Number(m[2])));
  }
  return [...last.values()];
}

function must(run: SampledRun, what: string): SampledRun {
  if (run.code !== 0) {
    const tail = (run.stdout + run.stderr).split("\n").slice(-40).join("\n");
    throw new Error(`${what} exited ${run.code}:\n${tail}`);
  }
  return run;
}

function say(text: string): void {
  process.stdout.write(`bench:fleet ${text}\n`);
}

async function measure(n: number, previewOnly: boolean): Promise<Row> {
  const haEvery = envNumber("BENCH_FLEET_HA_EVERY", 10);
  const timeScale = envNumber("BENCH_FLEET_TIME_SCALE", 600);
  const parallel = process.env["BENCH_FLEET_PARALLEL"];
  const doc = fleetDocument(n, haEvery);
  const lab: Lab = await startLab(doc, { timeScale });
  let stack: TestStack | undefined;
  try {
    const file = path.join(lab.dir, "bench-fleet.json");
    const clusters = doc.clusters.map((c) => ({
      name: c.name,
      nodes: (c.nodes as Array<{ name: string; ha?: boolean }>).map((x) => ({
        name: x.name,
        ha: x.ha === true,
      })),
    }));
    writeFileSync(
      file,
      JSON.stringify({
        clusters,
        lab: {
          nodes: JSON.parse(lab.config["fleet:nodes"] ?? "{}") as unknown,
          firmware: JSON.parse(lab.config["fleet:firmware"] ?? "{}") as unknown,
          // The lab's confirmations of the gates a run asks for (P1, S8, V6 newest revision).
          confirmed: JSON.parse(lab.config["confirmed"] ?? "[]") as unknown,
          systemControl: shortRoutes(lab),
          deadlines: {
            ...(JSON.parse(lab.config["fleet:deadlines"] ?? "{}") as Record<string, number>),
            // The HA pairs' call only selects: the executor watches the node for this long (3 min by
            // default, unscaled in the lab) before it reboots it; on the emulator's clock.
            upgradeCallObserveMs: Math.max(1000, Math.ceil(180_000 / timeScale)),
          },
        },
      }),
    );
    stack = await createTestStack({
      programDir: path.join(REPO_ROOT, "bench", "fleet-program"),
      stackName: `fleet${n}`,
      config: { "bench:file": file, "sps:checkpointDir": lab.config["sps:checkpointDir"] ?? "" },
      secrets: lab.secrets,
    });
    const s = stack;
    const run = (args: string[], env: Record<string, string> = {}): Promise<SampledRun> =>
      sampledPulumi([...args, "--stack", s.name], s.workDir, { ...s.env, ...env });
    const ha = clusters.filter((c) => c.nodes.some((x) => x.ha)).length;
    say(`N=${n} (${ha} HA pairs): preview…`);
    // The user guide's setting for a large fleet's preview: the engine then serialises the snapshot once,
    // not after every step (a preview discards it anyway).
    const preview = must(await run(["preview"], { PULUMI_SKIP_CHECKPOINTS: "true" }), "preview");
    const row: Row = {
      n,
      ha,
      previewS: preview.wallMs / 1000,
      previewRss: preview.peakRssMb,
      load: loadavg()[0]?.toFixed(1) ?? "?",
    };
    say(
      `  preview ${row.previewS.toFixed(1)} s, RSS MB ${JSON.stringify(preview.peakRssMb)}, CPU s ${JSON.stringify(preview.cpuS)}`,
    );
    if (process.env["BENCH_FLEET_DEFAULT_PREVIEW"] !== "0") {
      const plain = must(await run(["preview"]), "preview (engine default)");
      row.previewDefaultS = plain.wallMs / 1000;
      row.previewDefaultCliCpuS = plain.cliCpuS;
      say(
        `  preview without PULUMI_SKIP_CHECKPOINTS ${row.previewDefaultS.toFixed(1)} s, CPU s ${JSON.stringify(plain.cpuS)}`,
      );
    }
    row.previewCliCpuS = preview.cliCpuS;
    if (previewOnly) return row;
    say(`  up…`);
    const up = must(
      await run(["up", "--yes", "--skip-preview", ...(parallel ? ["--parallel", parallel] : [])]),
      "up",
    );
    row.upS = up.wallMs / 1000;
    row.upRss = up.peakRssMb;
    row.cliCpuUpS = up.cliCpuS;
    const durations = clusterRunSeconds(up.stdout);
    row.slowestClusterS = durations.length > 0 ? Math.max(...durations) : undefined;
    say(
      `  up ${row.upS.toFixed(1)} s (slowest cluster ${row.slowestClusterS ?? "?"} s), CLI CPU ${up.cliCpuS.toFixed(1)} s`,
    );
    row.stateBytesPerCluster = Math.round(stateBytes(s) / n);
    row.noop1S = must(await run(["up", "--yes", "--skip-preview"]), "first no-op up").wallMs / 1000;
    row.noop2S = must(await run(["up", "--yes", "--skip-preview"]), "second no-op up").wallMs / 1000;
    row.refreshS = must(await run(["refresh", "--yes", "--skip-preview"]), "refresh").wallMs / 1000;
    row.load = `${row.load}–${loadavg()[0]?.toFixed(1) ?? "?"}`;
    say(
      `  no-op ${row.noop1S.toFixed(1)} / ${row.noop2S.toFixed(1)} s, refresh ${row.refreshS.toFixed(1)} s, state ${row.stateBytesPerCluster} B/cluster`,
    );
    return row;
  } finally {
    await stack?.dispose();
    await lab.stop();
  }
}

const s1 = (v: number | undefined): string => (v === undefined ? "–" : `${v.toFixed(1)} s`);
const mb = (v: number | undefined): string => (v === undefined ? "–" : `${Math.round(v)}`);

export function fleetMarkdown(rows: Row[]): string {
  const head =
    "| N (HA) | preview | per cluster | preview, engine default (CLI CPU) | up | slowest cluster | up / slowest | 1st no-op up | 2nd no-op up | refresh | state / cluster | CLI CPU in up | peak RSS MB preview: CLI / program / provider | peak RSS MB up: CLI / program / provider | load avg |";
  const sep = "|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|";
  const lines = rows.map((r) =>
    [
      `${r.n} (${r.ha})`,
      s1(r.previewS),
      `${Math.round((r.previewS * 1000) / r.n)} ms`,
      r.previewDefaultS === undefined
        ? "–"
        : `${r.previewDefaultS.toFixed(1)} s (${r.previewDefaultCliCpuS?.toFixed(1) ?? "?"} s)`,
      s1(r.upS),
      r.slowestClusterS === undefined ? "–" : `${r.slowestClusterS} s`,
      r.upS !== undefined && r.slowestClusterS ? `×${(r.upS / r.slowestClusterS).toFixed(1)}` : "–",
      s1(r.noop1S),
      s1(r.noop2S),
      s1(r.refreshS),
      r.stateBytesPerCluster === undefined ? "–" : `${(r.stateBytesPerCluster / 1024).toFixed(1)} KB`,
      s1(r.cliCpuUpS),
      `${mb(r.previewRss.cli)} / ${mb(r.previewRss.program)} / ${mb(r.previewRss.provider)}`,
      r.upRss ? `${mb(r.upRss.cli)} / ${mb(r.upRss.program)} / ${mb(r.upRss.provider)}` : "–",
      r.load,
    ].join(" | "),
  );
  return [head, sep, ...lines.map((l) => `| ${l} |`)].join("\n");
}

async function main(): Promise<void> {
  const sizes = envList("BENCH_FLEET_N", [10, 50, 200, 400]);
  const previewOnly = new Set(envList("BENCH_FLEET_PREVIEW_ONLY_N", []));
  const rows: Row[] = [];
  for (const n of sizes) rows.push(await measure(n, previewOnly.has(n)));
  const table = fleetMarkdown(rows);
  process.stdout.write(`${table}\n`);
  if (process.env["BENCH_FLEET_NO_WRITE"]) return;
  const parallel = process.env["BENCH_FLEET_PARALLEL"];
  const body = [
    machineLine(),
    "",
    `\`npm run bench:fleet\` (bench/fleet.ts): one \`SpsCluster\` per emulated cluster (bench/fleet-program), every`,
    `${envNumber("BENCH_FLEET_HA_EVERY", 10)}th an HA pair, each 5.0.0 → 6.0.12 → 6.3.0 (2 hops, license on the hop into 6.0), emulator time scale`,
    `${envNumber("BENCH_FLEET_TIME_SCALE", 600)}, the real engine with its file backend, \`up --skip-preview\`${parallel ? ` with \`--parallel ${parallel}\`` : " with the engine's default parallelism"}.`,
    "Wall times of each CLI command (start-up included); peak RSS from /proc (VmHWM); CLI CPU = user + system",
    "of the `pulumi` process during `up`; slowest cluster = the longest firmware run a cluster printed (the executor's own elapsed time).",
    "",
    table,
  ].join("\n");
  updateBenchmarkSection("Fleet through the engine", body);
}

if (require.main === module) exitOnFailure("bench:fleet", main());
