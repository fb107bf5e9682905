/**
 * What a node's REST API offers, read from its self-describing REST tree — never guessed from its version
 * (docs/appliance-facts.md §3, §4):
 *
 * - `supportBundle`: `GET /api/troubleshooting` lists `support-bundle` ([doc] 8.0 LTS REST guide,
 *   "Generating SPS support bundle using REST"; "previously … possible only from the web interface", so
 *   older nodes have no such child, or no `/api/troubleshooting` at all — the first version is [unknown]).
 * - `firmwareFetch`: `GET /api/firmware` lists `fetch` ([doc] 7.0 LTS and 8.0 LTS REST guides, "Firmware
 *   management" sample answer).
 * - `firmwareUpload`, `firmwareTest`, `firmwareUpgrade`: the same listing (`upload` is under `/api/upload`
 *   in the sample answers, so it is read from `GET /api/upload` [doc 8.0: "Uploading new firmware"]).
 *
 * A listing is `{items: [{key, meta: {href}}], meta: {href, …}}` [doc: "Message format"]; parsed with zod,
 * a 404 means "not offered", any other failure is thrown (the caller decides; nothing is assumed).
 */
import { z } from "zod";
import type { ApplianceClient } from "./appliance-client";

const TreeListingSchema = z.looseObject({
  items: z.array(z.looseObject({ key: z.string() })),
  meta: z.looseObject({}).optional(),
});

export const RestCapabilitiesSchema = z.strictObject({
  supportBundle: z.boolean(),
  firmwareFetch: z.boolean(),
  firmwareUpload: z.boolean(),
  firmwareTest: z.boolean(),
  firmwareUpgrade: z.boolean(),
});
export type RestCapabilities = z.infer<typeof RestCapabilitiesSchema>;

/** What `readCapabilities` needs: `readTree` (SpsRestClient; null for a 404). */
export type TreeReader = Pick<ApplianceClient, "readTree">;

/** Children keys of a REST tree node; [] when the node does not exist (404). */
export async function childrenOf(reader: TreeReader, path: string): Promise<string[]> {
  const raw = await reader.readTree(path);
  if (raw === null) return [];
  const parsed = TreeListingSchema.safeParse(raw);
  if (!parsed.success) {
    const i = parsed.error.issues[0];
    throw new Error(
      `REST tree ${path}: unexpected answer at ${i?.path.map(String).join(".") || "(root)"}: ${i?.message ?? "invalid"} (expected {items: [{key}]})`,
    );
  }
  return parsed.data.items.map((i) => i.key);
}

/** Reads the REST tree of one node (three GETs, no write). */
export async function readCapabilities(reader: TreeReader): Promise<RestCapabilities> {
  const [troubleshooting, firmware, upload] = await Promise.all([
    childrenOf(reader, "/api/troubleshooting"),
    childrenOf(reader, "/api/firmware"),
    childrenOf(reader, "/api/upload"),
  ]);
  return RestCapabilitiesSchema.parse({
    supportBundle: troubleshooting.includes("support-bundle"),
    firmwareFetch: firmware.includes("fetch"),
    firmwareUpload: upload.includes("firmware") || firmware.includes("upload"),
    firmwareTest: firmware.includes("test"),
    firmwareUpgrade: firmware.includes("upgrade"),
  });
}
