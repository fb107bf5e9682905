/**
 * `sps-upgrade render [--preview PREVIEW.json] [--out FILE]` — `pulumi preview --json` (from the
 * file, or stdin when no file or `-`) as markdown for a pull-request comment (./render.ts).
 * Exit 0: rendered (also a failed preview: its errors are in the markdown); 2: bad input.
 */
import type { CliIo, Command } from "./command";
import { readJsonCommand } from "./read-input";
import { PreviewInputError, readPreview } from "./preview-json";
import { renderPreview } from "./render";

const USAGE = `usage: sps-upgrade render [--preview PREVIEW.json] [--out COMMENT.md]
  pulumi preview --json | sps-upgrade render > comment.md`;

async function run(args: readonly string[], io: CliIo): Promise<number> {
  const input = await readJsonCommand(args, io, USAGE, {
    flag: "preview",
    what: "the preview",
    producer: "pulumi preview --json",
  });
  if (typeof input === "number") return input;
  let markdown: string;
  try {
    markdown = renderPreview(readPreview(input.json));
  } catch (e) {
    if (!(e instanceof PreviewInputError)) throw e;
    io.stderr(`sps-upgrade: ${input.name}: ${e.message}\n`);
    return 2;
  }
  input.write(markdown);
  return 0;
}

export const renderCommand: Command = {
  summary: "turn `pulumi preview --json` into markdown (waves, findings, estimate, Gantt chart)",
  usage: USAGE,
  run,
};
