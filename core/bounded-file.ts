/**
 * Reading an input file the user names (fleet, inventory, catalog, credentials, CA, plugin, key) with
 * a size cap: a wrong path such as `/dev/zero`, a FIFO or a multi-gigabyte file is refused with a
 * message naming the file and the cap, instead of being read until the process is killed. The file is
 * read in chunks up to the cap (a device reports no size), never whole first.
 */
import { SpsError } from "./errors";
import { closeSync, fstatSync, openSync, readSync } from "node:fs";

/** A JSON or PEM input (fleet, inventory, catalog, credentials, license text, CA): 16 MiB. */
export const TEXT_INPUT_MAX_BYTES = 16 * 1024 * 1024;

/** A binary input read into memory (plugin zip, indexer RPM): 512 MiB. */
export const BINARY_INPUT_MAX_BYTES = 512 * 1024 * 1024;

export class InputFileTooLargeError extends SpsError {
  static override readonly code: string = "EFILETOOLARGE";
  constructor(
    readonly file: string,
    readonly maxBytes: number,
  ) {
    super(
      `${file} is larger than ${maxBytes} bytes (or not a regular file); give the path of the input file`,
    );
  }
}

/** The file's bytes; throws `InputFileTooLargeError` past `maxBytes`, fs errors (ENOENT, …) as they are. */
export function readFileBounded(file: string, maxBytes: number): Buffer {
  const fd = openSync(file, "r");
  try {
    const st = fstatSync(fd);
    if (st.isFile() && st.size > maxBytes) throw new InputFileTooLargeError(file, maxBytes);
    const chunks: Buffer[] = [];
    let total = 0;
    const chunk = Buffer.alloc(Math.min(1024 * 1024, maxBytes + 1));
    for (;;) {
      const n = readSync(fd, chunk, 0, chunk.length, null);
      if (n === 0) break;
      total += n;
      if (total > maxBytes) throw new InputFileTooLargeError(file, maxBytes);
      chunks.push(Buffer.from(chunk.subarray(0, n)));
    }
    return Buffer.concat(chunks);
  } finally {
    closeSync(fd);
  }
}

/** The file's text (UTF-8), at most `maxBytes` (default `TEXT_INPUT_MAX_BYTES`). */
export function readTextFileBounded(file: string, maxBytes = TEXT_INPUT_MAX_BYTES): string {
  return readFileBounded(file, maxBytes).toString("utf8");
}
