/**
 * `sps-upgrade render [--preview PREVIEW.json] [--out FILE]` — `pulumi preview --json` (from the
 * file, or stdin when no file or `-`) as markdown for a pull-request comment (./render.ts).
 * Exit 0: rendered (also a failed preview: its errors are in the markdown); 2: bad input.
 */
import { writeFileSync } from "node:fs";
import { type CliIo, type Command, commandArgs } from "./command";
import { readJsonInput } from "./read-input";
import { PreviewInputError, readPreview } from "./preview-json";
import { renderPreview } from "./render";

const USAGE = `usage: sps-upgrade render [--preview PREVIEW.json] [--out COMMENT.md]
  pulumi preview --json | sps-upgrade render > comment.md`;

const OPTIONS = {
  preview: { type: "string" },
  out: { type: "string" },
} as const;

async function run(args: readonly string[], io: CliIo): Promise<number> {
  const parsed = commandArgs(args, OPTIONS, io, USAGE);
  if (typeof parsed === "number") return parsed;
  const input = await readJsonInput(parsed.values.preview ?? "-", "the preview", "pulumi preview --json", io);
  if (typeof input === "number") return input;
  const { name, json: doc } = input;
  let markdown: string;
  try {
    markdown = renderPreview(readPreview(doc));
  } catch (e) {
    if (!(e instanceof PreviewInputError)) throw e;
    io.stderr(`sps-upgrade: ${name}: ${e.message}\n`);
    return 2;
  }
  if (parsed.values.out) writeFileSync(parsed.values.out, markdown);
  else io.stdout(markdown);
  return 0;
}

export const renderCommand: Command = {
  summary: "turn `pulumi preview --json` into markdown (waves, findings, estimate, Gantt chart)",
  usage: USAGE,
  run,
};
