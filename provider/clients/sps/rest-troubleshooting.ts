/**
 * REST calls beyond the firmware basics, shared by `SpsRestClient`: reading a node of the REST tree
 * (`GET /api/…` lists its children [doc: "Message format"]), the support-bundle jobs and firmware
 * downloads by URL. Each takes the client's authenticated `call`, so login, re-login after 401, retries
 * and redaction stay in one place.
 */
import { z } from "zod";
import { ApplianceApiError } from "./api-error";
import { SUPPORT_BUNDLE_DEADLINE_MS, SUPPORT_BUNDLE_MAX_BYTES } from "./answer-limits";
import type { FirmwareFetchStatus } from "./appliance-client";
import { FETCH, fetchEntryOf } from "./firmware-fetches";
import { FirmwareFetchSchema, SupportBundleJobSchema } from "./rest-schemas";
import type { TransportRequest, TransportResponse } from "./rest-transport";

export interface RestCaller {
  json<S extends z.ZodType>(req: TransportRequest, schema: S): Promise<z.output<S>>;
  raw(req: TransportRequest): Promise<TransportResponse>;
}

const SUPPORT_BUNDLE = "/api/troubleshooting/support-bundle";
const bundle = (key: string): string => `${SUPPORT_BUNDLE}/${encodeURIComponent(key)}`;
const download = (key: string): string => `${FETCH}/${encodeURIComponent(key)}`;

/** The JSON at `path`, or null when the node has no such resource (HTTP 404). */
export async function readTree(rest: RestCaller, path: string): Promise<unknown> {
  try {
    return await rest.json({ method: "GET", path, idempotent: true }, z.unknown());
  } catch (e) {
    if (e instanceof ApplianceApiError && e.failure === "http" && e.status === 404) return null;
    throw e;
  }
}

/** [doc] `POST /api/troubleshooting/support-bundle` starts a job; its key is in the answer [ps]. */
export async function startSupportBundle(rest: RestCaller): Promise<string> {
  const body = { bytes: Buffer.alloc(0), contentType: "application/json" };
  const r = await rest.json(
    { method: "POST", path: SUPPORT_BUNDLE, body, idempotent: false },
    SupportBundleJobSchema,
  );
  return r.key;
}

/** [doc] `GET …/support-bundle/<key>`: the job status ("finished" when ready [ps]). */
export async function supportBundleStatus(rest: RestCaller, key: string): Promise<string> {
  const r = await rest.json({ method: "GET", path: bundle(key), idempotent: true }, SupportBundleJobSchema);
  return r.body?.status ?? "unknown";
}

/** [doc] `GET …/support-bundle/<key>/download`: the bundle file (buffered, at most `SUPPORT_BUNDLE_MAX_BYTES`). */
export async function downloadSupportBundle(rest: RestCaller, key: string): Promise<Buffer> {
  const res = await rest.raw({
    method: "GET",
    path: `${bundle(key)}/download`,
    idempotent: true,
    headers: { Accept: "application/octet-stream, application/gzip, */*" },
    maxBytes: SUPPORT_BUNDLE_MAX_BYTES,
    deadlineMs: SUPPORT_BUNDLE_DEADLINE_MS,
  });
  return res.body;
}

/** [doc] `DELETE …/support-bundle/<key>` removes the bundle from the node. */
export async function deleteSupportBundle(rest: RestCaller, key: string): Promise<void> {
  await rest.json({ method: "DELETE", path: bundle(key), idempotent: true }, z.unknown());
}

/** [doc] `POST /api/firmware/fetch` `{url, checksum: {sha256}}` → 202, asynchronous. */
export async function startFirmwareFetch(rest: RestCaller, url: string, sha256: string): Promise<string> {
  const r = await rest.json(
    { method: "POST", path: FETCH, body: { json: { url, checksum: { sha256 } } }, idempotent: false },
    FirmwareFetchSchema,
  );
  return r.key;
}

/** [doc] `GET /api/firmware/fetch/<key>`. */
export async function firmwareFetchStatus(rest: RestCaller, key: string): Promise<FirmwareFetchStatus> {
  const r = await rest.json({ method: "GET", path: download(key), idempotent: true }, FirmwareFetchSchema);
  // The status carries no URL (it may hold secrets); the checksum only as `checksum.sha256`.
  return fetchEntryOf({
    key: r.key,
    ...(r.body
      ? { body: { status: r.body.status, slot: r.body.slot, error: r.body.error, checksum: r.body.checksum } }
      : {}),
  });
}

/** [doc] docs/appliance-facts.md §4: `DELETE /api/firmware/fetch/<key>` cancels (removes) the download. */
export async function deleteFirmwareFetch(rest: RestCaller, key: string): Promise<void> {
  await rest.json({ method: "DELETE", path: download(key), idempotent: true }, z.unknown());
}
