/**
 * Emulated SPS plugins: a zip archive with a `MANIFEST` (YAML-style `key: value` lines: name, version,
 * type, api, description). Which SPS firmware a build supports is the emulator's model of rules P6/P7:
 * - a build labelled DEPRECATED (name, version or description) runs on 5.x and 6.0, not from 6.1 [doc: 6.0 upgrade guide];
 * - the new implementation (manifest `api` major >= 2, or `implementation: new`) is needed from 6.1 [inference on how to tell them apart];
 * - any other (legacy) build runs below 6.0 only;
 * - `sps_min` / `sps_max` manifest fields override the range (emulator extension);
 * - Starling two-factor 2.2.0 or later works only on a node joined to Starling (P7).
 */
import { SpsError } from "../../core/errors";
import { crc32, inflateRawSync } from "node:zlib";
import semver from "semver";

export type PluginType = "aa" | "credentialstore" | "signingca" | "configuration_sync";
export const PLUGIN_TYPES: readonly PluginType[] = [
  "aa",
  "configuration_sync",
  "credentialstore",
  "signingca",
];

export interface PluginManifest {
  name: string;
  version: string;
  type: PluginType;
  api: string;
  description: string;
  implementation: "legacy" | "deprecated" | "new";
  spsMin?: string;
  spsMax?: string;
}

export class PluginArchiveError extends SpsError {
  static override readonly code: string = "PLUGIN_ARCHIVE_INVALID";
}

interface ZipEntry {
  name: string;
  data: Buffer;
}

/** Build a zip archive (stored, no compression) — used by tests and demos to make plugin files. */
export function buildZip(entries: ZipEntry[]): Buffer {
  const locals: Buffer[] = [];
  const centrals: Buffer[] = [];
  let offset = 0;
  for (const entry of entries) {
    const name = Buffer.from(entry.name, "utf8");
    // Both headers carry CRC, sizes (stored: equal) and name length, at `at` in each.
    const header = (size: number, signature: number, at: number): Buffer => {
      const b = Buffer.alloc(size);
      b.writeUInt32LE(signature, 0);
      b.writeUInt32LE(crc32(entry.data), at);
      b.writeUInt32LE(entry.data.length, at + 4);
      b.writeUInt32LE(entry.data.length, at + 8);
      b.writeUInt16LE(name.length, at + 12);
      return b;
    };
    const local = header(30, 0x04034b50, 14);
    local.writeUInt16LE(20, 4);
    const central = header(46, 0x02014b50, 16);
    central.writeUInt16LE(20, 4);
    central.writeUInt16LE(20, 6);
    central.writeUInt32LE(offset, 42);
    locals.push(local, name, entry.data);
    centrals.push(central, name);
    offset += local.length + name.length + entry.data.length;
  }
  const centralSize = centrals.reduce((n, b) => n + b.length, 0);
  const end = Buffer.alloc(22);
  end.writeUInt32LE(0x06054b50, 0);
  end.writeUInt16LE(entries.length, 8);
  end.writeUInt16LE(entries.length, 10);
  end.writeUInt32LE(centralSize, 12);
  end.writeUInt32LE(offset, 16);
  return Buffer.concat([...locals, ...centrals, end]);
}

/** Read one file from a zip archive (stored or deflated entries). */
export function readZipEntry(zip: Buffer, wanted: string): Buffer | undefined {
  const endAt = zip.lastIndexOf(Buffer.from([0x50, 0x4b, 0x05, 0x06]));
  if (endAt < 0) throw new PluginArchiveError("not a zip archive");
  const count = zip.readUInt16LE(endAt + 10);
  let at = zip.readUInt32LE(endAt + 16);
  for (let i = 0; i < count; i++) {
    if (zip.readUInt32LE(at) !== 0x02014b50) throw new PluginArchiveError("corrupt zip central directory");
    const method = zip.readUInt16LE(at + 10);
    const compressedSize = zip.readUInt32LE(at + 20);
    const nameLength = zip.readUInt16LE(at + 28);
    const extraLength = zip.readUInt16LE(at + 30);
    const commentLength = zip.readUInt16LE(at + 32);
    const localAt = zip.readUInt32LE(at + 42);
    const name = zip.toString("utf8", at + 46, at + 46 + nameLength);
    if (name === wanted) {
      const dataAt = localAt + 30 + zip.readUInt16LE(localAt + 26) + zip.readUInt16LE(localAt + 28);
      const raw = zip.subarray(dataAt, dataAt + compressedSize);
      if (method === 0) return Buffer.from(raw);
      if (method === 8) return inflateRawSync(raw);
      throw new PluginArchiveError(`unsupported zip compression method ${method}`);
    }
    at += 46 + nameLength + extraLength + commentLength;
  }
  return undefined;
}

/** Make a plugin zip for tests and demos. */
export function buildPluginZip(manifest: {
  name: string;
  version: string;
  type?: PluginType;
  api?: string;
  description?: string;
  implementation?: PluginManifest["implementation"];
}): Buffer {
  const lines = [
    `name: ${manifest.name}`,
    `version: ${manifest.version}`,
    `type: ${manifest.type ?? "aa"}`,
    `api: ${manifest.api ?? "1.0"}`,
    `description: ${manifest.description ?? manifest.name}`,
  ];
  if (manifest.implementation) lines.push(`implementation: ${manifest.implementation}`);
  return buildZip([
    { name: "MANIFEST", data: Buffer.from(lines.join("\n") + "\n") },
    { name: "main.py", data: Buffer.from("# emulated plugin\n") },
  ]);
}

export function parsePluginManifest(zip: Buffer): PluginManifest {
  const raw = readZipEntry(zip, "MANIFEST");
  if (!raw) throw new PluginArchiveError("the archive has no MANIFEST");
  const fields = new Map<string, string>();
  for (const line of raw.toString("utf8").split(/\r?\n/)) {
    const m = /^([A-Za-z_]+):\s*(.*?)\s*$/.exec(line);
    if (m) fields.set(m[1].toLowerCase(), m[2]);
  }
  return pluginManifest({
    name: fields.get("name") ?? "",
    version: fields.get("version") ?? "",
    type: fields.get("type") ?? "",
    api: fields.get("api"),
    description: fields.get("description"),
    implementation: fields.get("implementation"),
    spsMin: fields.get("sps_min"),
    spsMax: fields.get("sps_max"),
  });
}

/** A plugin manifest from declared fields (MANIFEST or a fleet file), with the implementation derived as described above. */
export function pluginManifest(fields: {
  name: string;
  version: string;
  type?: string;
  api?: string;
  description?: string;
  implementation?: string;
  spsMin?: string;
  spsMax?: string;
}): PluginManifest {
  const { name, version } = fields;
  const type = (fields.type ?? "aa") as PluginType;
  if (!name) throw new PluginArchiveError("MANIFEST has no name");
  if (!version) throw new PluginArchiveError("MANIFEST has no version");
  if (!PLUGIN_TYPES.includes(type))
    throw new PluginArchiveError(`MANIFEST type "${type}" is not a plugin type`);
  const api = fields.api ?? "1.0";
  const description = fields.description ?? "";
  const label = `${name} ${version} ${description}`;
  const declared = fields.implementation;
  const implementation: PluginManifest["implementation"] =
    declared === "legacy" || declared === "deprecated" || declared === "new"
      ? declared
      : /DEPRECATED/i.test(label)
        ? "deprecated"
        : Number.parseInt(api, 10) >= 2
          ? "new"
          : "legacy";
  const manifest: PluginManifest = { name, version, type, api, description, implementation };
  if (fields.spsMin) manifest.spsMin = fields.spsMin;
  if (fields.spsMax) manifest.spsMax = fields.spsMax;
  return manifest;
}

/** Whether a plugin build runs on an SPS firmware version (rule P6). */
export function pluginSupportsFirmware(plugin: PluginManifest, firmware: string): boolean {
  if (plugin.spsMin && semver.lt(firmware, plugin.spsMin)) return false;
  if (plugin.spsMax && semver.gt(firmware, plugin.spsMax)) return false;
  if (plugin.spsMin || plugin.spsMax) return true;
  switch (plugin.implementation) {
    case "legacy":
      return semver.lt(firmware, "6.0.0");
    case "deprecated":
      return semver.lt(firmware, "6.1.0");
    case "new":
      return semver.gte(firmware, "6.1.0");
  }
}

/** Rule P7: Starling two-factor plugin 2.2.0 or later needs a Starling-joined SPS. */
export function pluginNeedsStarlingJoin(plugin: Pick<PluginManifest, "name" | "version">): boolean {
  if (!/starling/i.test(plugin.name)) return false;
  const v = semver.coerce(plugin.version);
  return v !== null && semver.gte(v, "2.2.0");
}
