/**
 * Firmware upload benchmark: the SPS REST client streams a 100 MB and a 2 GB (sparse) ISO to the
 * emulator (which discards the bytes but hashes them), each upload in its own child process whose
 * peak RSS is read from `process.resourceUsage().maxRSS`; `curl` uploads the same files to the same
 * endpoint in the same run, for the throughput reference.
 *
 * Targets: peak RSS grows by less than 50 MB from 100 MB to 2 GB (constant memory), and client
 * throughput >= 0.8 x curl's. Run: `npx ts-node --transpile-only bench/upload.ts [--write]`
 * (or the compiled `node dist/bench/upload.js`); `--write` replaces the "## Firmware upload"
 * section of BENCHMARKS.md.
 */
import { execFile } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { promisify } from "node:util";
import type { FirmwareUpload } from "../provider/clients/sps/appliance-client";
import { SpsRestClient } from "../provider/clients/sps/sps-rest-client";
import { sha256OfFile, writeFakeFirmwareIso } from "../emulator/sps/firmware-iso";
import { startFleet } from "../emulator/lab/fleet";
import { exitOnFailure, machineLine, repoRoot, updateBenchmarkSection } from "./report";

const run = promisify(execFile);
const MB = 1024 * 1024;
const PASSWORD = "Bench-Passw0rd";

export type UploadBenchResult = Awaited<ReturnType<typeof runUploadBench>>;
export type UploadMeasurement = UploadBenchResult["small"];

type ChildAnswer = Pick<FirmwareUpload, "transferMs" | "verifyMs" | "bytes"> & { maxRssKb: number };

/** Child mode: one upload with the real client, then report timings and peak RSS on stdout. */
async function childUpload(args: string[]): Promise<void> {
  const [endpoint, caPem, iso, sha256] = args;
  const client = new SpsRestClient({
    endpoint,
    credentials: { username: "admin", password: PASSWORD },
    tls: { mode: "ca", caPem },
  });
  try {
    // Log in first: curl's login is a separate command too, so both times cover the upload request only.
    await client.login();
    const up = await client.uploadFirmware({ path: iso, sha256 });
    const { transferMs, verifyMs, bytes } = up;
    const answer: ChildAnswer = { transferMs, verifyMs, bytes, maxRssKb: process.resourceUsage().maxRSS };
    process.stdout.write(JSON.stringify(answer));
  } finally {
    client.close();
  }
}

/** childUpload in a child process; `args`: endpoint, CA PEM, ISO path, its SHA-256. */
async function uploadInChild(...args: string[]): Promise<ChildAnswer> {
  const loader = __filename.endsWith(".js") ? [] : ["-r", "ts-node/register/transpile-only"];
  // A child that fails rejects with its exit code and what it wrote to stderr.
  const { stdout } = await run(process.execPath, [...loader, __filename, "--child", ...args], {
    cwd: repoRoot(),
  });
  return JSON.parse(stdout) as ChildAnswer;
}

async function curlUpload(endpoint: string, caPath: string, iso: string): Promise<number> {
  // Both requests verify TLS against the lab's CA and discard the answer's body.
  const curl = async (...args: string[]): Promise<string> =>
    (await run("curl", ["-sS", "--cacert", caPath, "-o", "/dev/null", ...args])).stdout;
  const login = await curl("-u", `admin:${PASSWORD}`, "-D", "-", `${endpoint}/api/authentication`);
  const cookie = /session_id=([0-9a-f]+)/.exec(login)?.[1];
  if (!cookie) throw new Error("curl login failed");
  const seconds = await curl(
    "--fail",
    "-X",
    "POST",
    "-T",
    iso,
    "-H",
    "Content-Type: application/x-iso9660-image",
    "-H",
    "Expect:",
    "-b",
    `session_id=${cookie}`,
    "-w",
    "%{time_total}",
    `${endpoint}/api/upload/firmware`,
  );
  return Number(seconds.trim()) * 1000;
}

export async function runUploadBench() {
  const dir = mkdtempSync(join(tmpdir(), "sps-upload-bench-"));
  const fleet = await startFleet(
    { clusters: [{ name: "bench", nodes: [{ name: "sps1", version: "6.0.5" }] }] },
    { users: [{ username: "admin", password: PASSWORD, access: "admin" }], controlPort: false },
  );
  try {
    const handle = fleet.node("sps1");
    const caPem = fleet.ca.caCertPem;
    const freeSlots = (): void => {
      const view = handle.node.firmwareSlots();
      view.slots.forEach((s, i) => {
        if (s && i + 1 !== view.current && i + 1 !== view.afterReboot) handle.node.deleteFirmwareSlot(i + 1);
      });
    };
    const measure = async (size: number, rounds: number) => {
      const iso = join(dir, `sps-${size}.iso`);
      await writeFakeFirmwareIso(iso, "6.0.7", size);
      const sha256 = await sha256OfFile(iso);
      let best: ChildAnswer | undefined;
      let bestCurl = Number.POSITIVE_INFINITY;
      let peakRss = 0;
      for (let r = 0; r < rounds; r++) {
        const answer = await uploadInChild(handle.url, caPem, iso, sha256);
        if (answer.bytes !== size) throw new Error(`uploaded ${answer.bytes} of ${size} bytes`);
        peakRss = Math.max(peakRss, answer.maxRssKb);
        if (!best || answer.transferMs < best.transferMs) best = answer;
        freeSlots();
        bestCurl = Math.min(bestCurl, await curlUpload(handle.url, fleet.caCertPath, iso));
        freeSlots();
      }
      rmSync(iso, { force: true });
      const clientMBps = size / MB / (best!.transferMs / 1000);
      const curlMBps = size / MB / (bestCurl / 1000);
      const round1 = (n: number): number => Math.round(n * 10) / 10;
      return {
        sizeBytes: size,
        /** Client: transfer phase only (after the local checksum pass). */
        clientTransferMs: Math.round(best!.transferMs),
        /** Client: local SHA-256 verification pass before the upload. */
        clientVerifyMs: Math.round(best!.verifyMs),
        clientMBps: round1(clientMBps),
        clientPeakRssMb: round1(peakRss / 1024),
        curlMs: Math.round(bestCurl),
        curlMBps: round1(curlMBps),
        ratioToCurl: Math.round((clientMBps / curlMBps) * 100) / 100,
      };
    };
    const small = await measure(100 * MB, 5);
    const large = await measure(2048 * MB, 3);
    const rssGrowthMb = Math.round((large.clientPeakRssMb - small.clientPeakRssMb) * 10) / 10;
    const worstRatioToCurl = Math.min(small.ratioToCurl, large.ratioToCurl);
    return {
      small,
      large,
      rssGrowthMb,
      worstRatioToCurl,
      passed: rssGrowthMb < 50 && worstRatioToCurl >= 0.8,
    };
  } finally {
    await fleet.stop();
    rmSync(dir, { recursive: true, force: true });
  }
}

/** A right-aligned markdown table, padded the way prettier formats it (so format checks stay green). */
function table(header: string[], rows: string[][]): string {
  const widths = header.map((h, i) => Math.max(h.length, 3, ...rows.map((r) => r[i].length)));
  const line = (cells: string[]): string => `| ${cells.map((c, i) => c.padStart(widths[i])).join(" | ")} |`;
  return [
    line(header),
    `| ${widths.map((w) => `${"-".repeat(w - 1)}:`).join(" | ")} |`,
    ...rows.map(line),
  ].join("\n");
}

export function uploadBenchMarkdown(r: UploadBenchResult): string {
  const row = (m: UploadMeasurement): string[] => [
    `${(m.sizeBytes / MB).toLocaleString("en-US")} MB`,
    `${m.clientTransferMs} ms`,
    `${m.clientMBps} MB/s`,
    `${m.curlMs} ms`,
    `${m.curlMBps} MB/s`,
    `×${m.ratioToCurl}`,
    `${m.clientPeakRssMb} MB`,
    `${m.clientVerifyMs} ms`,
  ];
  return [
    machineLine(),
    "",
    "`SpsRestClient.uploadFirmware` streams a fake ISO (sparse beyond its header) over HTTPS (TLS verified",
    "against the emulator's CA) to `POST /api/upload/firmware` of the emulator, which discards the bytes but",
    "hashes them. Each client upload runs in its own child process (peak RSS = `process.resourceUsage().maxRSS`,",
    "including Node and ts-node); `curl -T` uploads the same file to the same endpoint in the same run.",
    "Best of 5 rounds (100 MB) and 3 rounds (2 GB), client and curl interleaved. Client time = transfer only",
    "(after login, like curl's separate login); the local SHA-256 check before the upload is listed apart.",
    "",
    table(
      "ISO|client|client rate|curl|curl rate|client / curl|client peak RSS|local SHA-256 check".split("|"),
      [row(r.small), row(r.large)],
    ),
    "",
    `Peak RSS growth from ${(r.small.sizeBytes / MB).toLocaleString("en-US")} MB to ${(r.large.sizeBytes / MB).toLocaleString("en-US")} MB: ` +
      `${r.rssGrowthMb} MB (target < 50 MB). Worst client/curl throughput ratio: ×${r.worstRatioToCurl} (target ≥ ×0.8). ` +
      (r.passed ? "Both targets met." : "TARGET MISSED."),
  ].join("\n");
}

async function main(argv: string[]): Promise<void> {
  if (argv[0] === "--child") return childUpload(argv.slice(1));
  process.stdout.write("bench: firmware upload (100 MB and 2 GB ISO, client vs curl)…\n");
  const result = await runUploadBench();
  const markdown = uploadBenchMarkdown(result);
  process.stdout.write(`${markdown}\n`);
  if (argv.includes("--write")) updateBenchmarkSection("Firmware upload", markdown);
  if (!result.passed) process.exitCode = 1;
}

if (require.main === module) exitOnFailure("bench", main(process.argv.slice(2)));
