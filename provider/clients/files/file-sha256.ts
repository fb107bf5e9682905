/** The SHA-256 of a local file, streamed (constant memory whatever its size), and its size. */
import { createHash } from "node:crypto";
import { createReadStream } from "node:fs";

/** Bytes read at a time when streaming a local file (firmware images are gigabytes). */
export const READ_CHUNK_BYTES = 1024 * 1024;

export async function sha256OfFile(path: string): Promise<{ sha256: string; bytes: number }> {
  const hash = createHash("sha256");
  let bytes = 0;
  for await (const chunk of createReadStream(path, { highWaterMark: READ_CHUNK_BYTES })) {
    bytes += (chunk as Buffer).length;
    hash.update(chunk as Buffer);
  }
  return { sha256: hash.digest("hex"), bytes };
}
