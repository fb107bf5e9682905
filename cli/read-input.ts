/**
 * The text a subcommand reads: from a file, or from stdin when the source is `-`. Stdin is read as a
 * stream (a pipe from `pulumi preview --json` may deliver its bytes long after the command started,
 * and a synchronous read of a non-blocking pipe fails with EAGAIN), and bounded: more than
 * MAX_INPUT_BYTES is refused with an error naming the cap.
 */
import { SpsError } from "../core/errors";
import { createReadStream, writeFileSync } from "node:fs";
import { type CliIo, commandArgs } from "./command";

/** 64 MiB: far above any `pulumi preview --json` or `pulumi stack export` of an SPS fleet. */
export const MAX_INPUT_BYTES = 64 * 1024 * 1024;

/** Why the input could not be read: a short reason (an errno code, or the cap exceeded). */
export class InputReadError extends SpsError {
  static override readonly code: string = "INPUT_READ_FAILED";
}

/** All of `stream` as UTF-8, or an InputReadError once it has given more than `max` bytes. */
export async function readStream(
  stream: NodeJS.ReadableStream,
  max: number = MAX_INPUT_BYTES,
): Promise<string> {
  const chunks: Buffer[] = [];
  let size = 0;
  try {
    for await (const chunk of stream) {
      const buf = typeof chunk === "string" ? Buffer.from(chunk, "utf8") : chunk;
      size += buf.length;
      if (size > max)
        throw new InputReadError(
          `more than ${max / (1024 * 1024)} MiB (${max} bytes), the most sps-upgrade reads`,
        );
      chunks.push(buf);
    }
  } catch (e) {
    if (e instanceof InputReadError) throw e;
    throw new InputReadError((e as NodeJS.ErrnoException).code ?? (e as Error).message);
  }
  return Buffer.concat(chunks).toString("utf8");
}

/** The file's text, or stdin's when `source` is `-`, both read as a bounded stream; an InputReadError says why not. */
export async function readInput(
  source: string,
  stdin: NodeJS.ReadableStream = process.stdin,
  max: number = MAX_INPUT_BYTES,
): Promise<string> {
  return readStream(source === "-" ? stdin : createReadStream(source), max);
}

/**
 * The start of `render` and `migrate-state`: their flags parsed (`--<input> FILE`, "-" or none for
 * stdin; `--out FILE`, none for stdout) and the JSON input read with `readInput` and parsed. A read or
 * parse failure is printed as `sps-upgrade: <file>: …` naming what the input should be (`what`, e.g.
 * "the preview"; `producer`, the command whose output it takes) and gives exit code 2. The input's
 * name, its JSON and the writer of the command's output; or the exit code.
 */
export async function readJsonCommand(
  args: readonly string[],
  io: CliIo,
  usage: string,
  input: { flag: string; what: string; producer: string },
): Promise<{ name: string; json: unknown; write: (text: string) => void } | number> {
  const options = { [input.flag]: { type: "string" }, out: { type: "string" } } as const;
  const values = commandArgs(args, options, io, usage);
  if (typeof values === "number") return values;
  const source = values[input.flag] ?? "-";
  const name = source === "-" ? "stdin" : source;
  let text: string;
  try {
    text = await readInput(source);
  } catch (e) {
    if (!(e instanceof InputReadError)) throw e;
    io.stderr(`sps-upgrade: ${name}: cannot read ${input.what} (${e.message})\n`);
    return 2;
  }
  const write = (t: string): void => (values.out ? writeFileSync(values.out, t) : io.stdout(t));
  try {
    return { name, json: JSON.parse(text) as unknown, write };
  } catch (e) {
    io.stderr(
      `sps-upgrade: ${name}: not JSON (${(e as Error).message}); give it the output of \`${input.producer}\`\n`,
    );
    return 2;
  }
}
