/**
 * Emulated firmware images. The emulator learns an uploaded ISO's version from the ISO 9660 primary
 * volume descriptor (sector 16: "\x01CD001", volume identifier at byte 40, 32 chars) — the
 * identifier is written as "SPS <version>" by `writeFakeFirmwareIso`. Real SPS ISOs carry their
 * version elsewhere; this convention is the emulator's [inference].
 */
import { createHash } from "node:crypto";
import { promises as fs } from "node:fs";

export const PVD_OFFSET = 16 * 2048;
const VOLUME_ID_OFFSET = PVD_OFFSET + 40;
const VOLUME_ID_LENGTH = 32;
/** Bytes of the image the emulator must see to know the version. */
export const ISO_HEADER_BYTES = PVD_OFFSET + 2048;

function primaryVolumeDescriptor(version: string): Buffer {
  const pvd = Buffer.alloc(2048, 0);
  pvd[0] = 1;
  pvd.write("CD001", 1, "ascii");
  pvd[6] = 1;
  pvd.write(" ".repeat(32), 8, "ascii");
  pvd.write(`SPS ${version}`.padEnd(VOLUME_ID_LENGTH, " "), 40, "ascii");
  return pvd;
}

/**
 * Write a fake SPS firmware ISO of `sizeBytes` (sparse beyond the header; at least the header size).
 * `fill` adds deterministic non-zero content after the header so checksums differ per version.
 */
export async function writeFakeFirmwareIso(
  path: string,
  version: string,
  sizeBytes = 1024 * 1024,
): Promise<void> {
  const size = Math.max(sizeBytes, ISO_HEADER_BYTES);
  const handle = await fs.open(path, "w");
  try {
    await handle.write(primaryVolumeDescriptor(version), 0, 2048, PVD_OFFSET);
    const tag = Buffer.from(`sps-firmware ${version}\n`);
    await handle.write(tag, 0, tag.length, ISO_HEADER_BYTES);
    await handle.truncate(size);
  } finally {
    await handle.close();
  }
}

/** Version from the header bytes of an image, or undefined when it is not an emulated SPS ISO. */
export function versionFromIsoHeader(header: Buffer): string | undefined {
  if (header.length < ISO_HEADER_BYTES) return undefined;
  if (header[PVD_OFFSET] !== 1 || header.toString("ascii", PVD_OFFSET + 1, PVD_OFFSET + 6) !== "CD001") {
    return undefined;
  }
  const id = header.toString("ascii", VOLUME_ID_OFFSET, VOLUME_ID_OFFSET + VOLUME_ID_LENGTH).trim();
  const match = /^SPS (\d+\.\d+\.\d+)$/.exec(id);
  return match?.[1];
}

/** SHA-256 (hex) of a file, by streaming. */
export async function sha256OfFile(path: string): Promise<string> {
  const hash = createHash("sha256");
  const handle = await fs.open(path, "r");
  try {
    for await (const chunk of handle.createReadStream({ highWaterMark: 1024 * 1024 }))
      hash.update(chunk as Buffer);
  } finally {
    await handle.close();
  }
  return hash.digest("hex");
}
