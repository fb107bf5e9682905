/**
 * A firmware ISO on local disk and its declared SHA-256 (rule S3: verify the checksum). Verification
 * streams the file (constant memory whatever its size) and happens before any byte is uploaded.
 */
import { SpsError } from "../../../core/errors";
import { sha256OfFile } from "../files/file-sha256";

export interface FirmwareImage {
  path: string;
  /** Declared SHA-256 of the ISO (hex, from the download page or the catalog). */
  sha256: string;
}

export class FirmwareChecksumMismatch extends SpsError {
  static override readonly code: string = "FIRMWARE_CHECKSUM_MISMATCH";
  constructor(
    readonly path: string,
    readonly expected: string,
    readonly actual: string,
  ) {
    super(`firmware image ${path}: SHA-256 is ${actual}, expected ${expected}; refusing to upload it`);
  }
}

export { READ_CHUNK_BYTES } from "../files/file-sha256";

export function normalizeSha256(hex: string): string {
  const h = hex.trim().toLowerCase();
  if (!/^[0-9a-f]{64}$/.test(h)) throw new Error(`"${hex}" is not a SHA-256 checksum (64 hex digits)`);
  return h;
}

/** Streams the file through SHA-256; resolves with its size, or throws FirmwareChecksumMismatch. */
export async function verifyFirmwareImage(image: FirmwareImage): Promise<{ size: number; sha256: string }> {
  const expected = normalizeSha256(image.sha256);
  const { sha256: actual, bytes: size } = await sha256OfFile(image.path);
  if (actual !== expected) throw new FirmwareChecksumMismatch(image.path, expected, actual);
  return { size, sha256: actual };
}
