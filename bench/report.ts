/** Writes one "## Heading" section of BENCHMARKS.md, leaving the other sections as they are. */
import { existsSync, readFileSync, writeFileSync } from "node:fs";
import { cpus, totalmem } from "node:os";
import { dirname, join } from "node:path";

/** The repository root, found from compiled dist/bench or from bench/. */
export function repoRoot(): string {
  let dir = __dirname;
  while (!existsSync(join(dir, "package.json")) && dirname(dir) !== dir) dir = dirname(dir);
  return dir;
}

export const BENCHMARKS_FILE = join(repoRoot(), "BENCHMARKS.md");

/** The middle of `xs` (the upper one of an even count); 0 when empty. */
export function median(xs: readonly number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)] ?? 0;
}

/** Runs a benchmark's `main`: a failure is printed as `<prefix>: <stack>` and exits 1. */
export function exitOnFailure(prefix: string, main: Promise<unknown>): void {
  main.catch((e: unknown) => {
    process.stderr.write(`${prefix}: ${e instanceof Error ? (e.stack ?? e.message) : String(e)}\n`);
    process.exit(1);
  });
}

export function machineLine(): string {
  const cpu = cpus()[0]?.model ?? "unknown CPU";
  return `Measured ${new Date().toISOString().slice(0, 10)} on ${cpus().length} × ${cpu}, ${Math.round(totalmem() / 2 ** 30)} GiB, Node.js ${process.version}.`;
}

export function updateBenchmarkSection(heading: string, body: string, file = BENCHMARKS_FILE): void {
  const title = `## ${heading}`;
  const text = existsSync(file)
    ? readFileSync(file, "utf8")
    : "# Benchmarks\n\nWritten by `npm run bench`; each section is replaced by its own benchmark.\n";
  const lines = text.split("\n");
  const start = lines.findIndex((l) => l.trim() === title);
  const section = [title, "", body.trim(), ""];
  if (start < 0) {
    writeFileSync(file, `${text.trimEnd()}\n\n${section.join("\n")}`);
    return;
  }
  let end = lines.findIndex((l, i) => i > start && l.startsWith("## "));
  if (end < 0) end = lines.length;
  const out = [...lines.slice(0, start), ...section, ...lines.slice(end)];
  writeFileSync(file, `${out.join("\n").trimEnd()}\n`);
}
