/**
 * The text a subcommand reads: from a file, or from stdin when the source is `-`. Stdin is read as a
 * stream (a pipe from `pulumi preview --json` may deliver its bytes long after the command started,
 * and a synchronous read of a non-blocking pipe fails with EAGAIN), and bounded: more than
 * MAX_INPUT_BYTES is refused with an error naming the cap.
 */
import { readFile } from "node:fs/promises";

/** 64 MiB: far above any `pulumi preview --json` or `pulumi stack export` of an SPS fleet. */
export const MAX_INPUT_BYTES = 64 * 1024 * 1024;

/** Why the input could not be read: a short reason (an errno code, or the cap exceeded). */
export class InputReadError extends Error {}

function tooLarge(max: number): InputReadError {
  return new InputReadError(
    `more than ${max / (1024 * 1024)} MiB (${max} bytes), the most sps-upgrade reads`,
  );
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
      if (size > max) throw tooLarge(max);
      chunks.push(buf);
    }
  } catch (e) {
    if (e instanceof InputReadError) throw e;
    throw new InputReadError((e as NodeJS.ErrnoException).code ?? (e as Error).message);
  }
  return Buffer.concat(chunks).toString("utf8");
}

/** The file's text, or stdin's when `source` is `-`; an InputReadError says why not. */
export async function readInput(
  source: string,
  stdin: NodeJS.ReadableStream = process.stdin,
  max: number = MAX_INPUT_BYTES,
): Promise<string> {
  if (source === "-") return readStream(stdin, max);
  let buf: Buffer;
  try {
    buf = await readFile(source);
  } catch (e) {
    throw new InputReadError((e as NodeJS.ErrnoException).code ?? "unreadable");
  }
  if (buf.length > max) throw tooLarge(max);
  return buf.toString("utf8");
}
