/**
 * `sps-upgrade render [--preview PREVIEW.json] [--out FILE]` — `pulumi preview --json` (from the
 * file, or stdin when no file or `-`) as markdown for a pull-request comment (./render.ts).
 * Exit 0: rendered (also a failed preview: its errors are in the markdown); 2: bad input.
 */
import { writeFileSync } from "node:fs";
import { type CliIo, type Command, commandArgs } from "./command";
import { InputReadError, readInput } from "./read-input";
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
  const source = parsed.values.preview ?? "-";
  const name = source === "-" ? "stdin" : source;
  let text: string;
  try {
    text = await readInput(source);
  } catch (e) {
    if (!(e instanceof InputReadError)) throw e;
    io.stderr(`sps-upgrade: ${name}: cannot read the preview (${e.message})\n`);
    return 2;
  }
  let doc: unknown;
  try {
    doc = JSON.parse(text);
  } catch (e) {
    io.stderr(
      `sps-upgrade: ${name}: not JSON (${(e as Error).message}); give it the output of \`pulumi preview --json\`\n`,
    );
    return 2;
  }
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
