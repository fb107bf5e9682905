/**
 * Emulated firmware endpoints [doc §4]: /api/firmware, slots, streamed upload, test, upgrade, fetch.
 * The upload discards the image but hashes it (SHA-256) and reads its version from the ISO header. It
 * takes the documented `multipart/form-data` body (field `firmware`) [doc 8.0 LTS REST guide, "Uploading
 * new firmware to SPS"] and the raw ISO that [ps] (`application/x-iso9660-image`) and [dotnet]
 * (`application/octet-stream`) send. A failed test is a `FirmwareTestFailed` error [doc 7.1.1/8.0 REST
 * guides, "Upgrade SPS to a new firmware"]; the `testFailureAs: "summary"` fault answers 2xx instead.
 */
import { createHash } from "node:crypto";
import { SpsApiFault } from "./api-errors";
import {
  notFound,
  readJson,
  requireWrite,
  sendIndex,
  sendItems,
  sendMeta,
  sendObject,
  type ApiContext,
} from "./api-context";
import type { FirmwareImageRecord } from "./appliance-unit";
import type { FirmwareFetchEntry } from "./firmware-fetch";
import { ISO_HEADER_BYTES, versionFromIsoHeader } from "./firmware-iso";
import { FirmwarePartReader, multipartBoundary } from "./multipart-upload";

function slotBody(
  slot: FirmwareImageRecord | null,
  id: number,
  current: number,
  afterReboot: number,
): Record<string, unknown> {
  if (!slot) return {};
  return {
    after_reboot: id === afterReboot,
    current: id === current,
    upgrade_news: slot.upgradeNews,
    upgrade_notes: slot.upgradeNotes,
    version: slot.version,
  };
}

function slotIdFrom(body: Record<string, unknown>): number {
  const raw = body.slot_id;
  if (raw === undefined || raw === null) {
    throw new SpsApiFault("IncompleteRequestBodyError", "The request body is missing slot_id.", {
      missing: ["slot_id"],
    });
  }
  const id = typeof raw === "string" ? Number(raw) : raw;
  if (typeof id !== "number" || !Number.isInteger(id)) {
    throw new SpsApiFault("InvalidRequest", "slot_id must be an integer.", { slot_id: raw });
  }
  return id;
}

/** The answer of `POST /api/firmware/test` and `/upgrade`: the test's summary for the slot. */
function sendTestSummary(ctx: ApiContext, call: "test" | "upgrade", slotId: number, summary: string): void {
  sendObject(ctx, String(slotId), { test_summary: summary }, `/api/firmware/${call}`, "/api/firmware", {
    slot: `/api/firmware/slots/${slotId}`,
  });
}

export async function handleFirmware(ctx: ApiContext): Promise<void> {
  const { method, segments, node } = ctx;
  // segments: ["api", "firmware", ...] or ["api", "upload", "firmware"]
  if (segments[1] === "upload") return uploadFirmware(ctx);
  const rest = segments.slice(2);
  if (rest.length === 0 && method === "GET") {
    // [doc] 7.0+ guides list "fetch"; older nodes have no such child (a client reads the tree).
    const keys = node.hasFirmwareFetchApi()
      ? ["fetch", "slots", "test", "upgrade"]
      : ["slots", "test", "upgrade"];
    const links = Object.fromEntries(keys.map((k) => [k, `/api/firmware/${k}`]));
    return sendIndex(ctx, keys, "/api/firmware", "/api", links);
  }
  if (rest[0] === "fetch" && node.hasFirmwareFetchApi()) return handleFetch(ctx, rest.slice(1));
  if (rest[0] === "slots") {
    const view = node.firmwareSlots();
    if (rest.length === 1 && method === "GET") {
      const items = view.slots.map((s, i) => ({
        key: String(i + 1),
        body: slotBody(s, i + 1, view.current, view.afterReboot),
        meta: { href: `/api/firmware/slots/${i + 1}` },
      }));
      return sendItems(ctx, items, "/api/firmware/slots", "/api/firmware", {
        current_slot: `/api/firmware/slots/${view.current}`,
        slot_after_reboot: `/api/firmware/slots/${view.afterReboot}`,
        number_of_empty_slots: view.slots.filter((s) => s === null).length,
      });
    }
    if (rest.length === 2) {
      const id = Number(rest[1]);
      if (!Number.isInteger(id) || id < 1 || id > view.slots.length) notFound(ctx);
      const href = `/api/firmware/slots/${id}`;
      if (method === "GET") {
        const body = slotBody(view.slots[id - 1], id, view.current, view.afterReboot);
        return sendObject(ctx, String(id), body, href, "/api/firmware/slots");
      }
      if (method === "DELETE") {
        requireWrite(ctx);
        node.deleteFirmwareSlot(id);
        return sendMeta(ctx, href, "/api/firmware/slots");
      }
    }
  }
  if (rest.length === 1 && rest[0] === "test" && method === "POST") {
    requireWrite(ctx);
    const slotId = slotIdFrom(await readJson(ctx));
    const result = node.testFirmware(slotId);
    if (!result.passed && node.faults.testFailureAs !== "summary") {
      throw new SpsApiFault("FirmwareTestFailed", "The upgrade test failed.", {
        test_summary: result.summary,
      });
    }
    return sendTestSummary(ctx, "test", slotId, result.summary);
  }
  if (rest.length === 1 && rest[0] === "upgrade" && method === "POST") {
    requireWrite(ctx);
    const body = await readJson(ctx);
    const slotId = slotIdFrom(body);
    const message = typeof body.message === "string" ? body.message : null;
    const result = node.activateFirmware(slotId, message);
    return sendTestSummary(ctx, "upgrade", slotId, result.summary);
  }
  notFound(ctx);
}

async function uploadFirmware(ctx: ApiContext): Promise<void> {
  const { req, node } = ctx;
  if (ctx.method !== "POST") notFound(ctx);
  requireWrite(ctx);
  const declared = req.headers["content-length"];
  if (declared === undefined) throw new SpsApiFault("LengthRequired", "Content-Length is required.", {}, 411);
  const fullType = req.headers["content-type"] ?? "";
  const contentType = fullType.split(";")[0].trim().toLowerCase();
  let parts: FirmwarePartReader | undefined;
  if (contentType === "multipart/form-data") {
    const boundary = multipartBoundary(fullType);
    if (!boundary) throw new SpsApiFault("InvalidRequest", "multipart/form-data without a boundary.");
    parts = new FirmwarePartReader(boundary);
  } else if (contentType !== "application/x-iso9660-image" && contentType !== "application/octet-stream") {
    throw new SpsApiFault(
      "InvalidRequest",
      `Unsupported Content-Type "${contentType}"; send multipart/form-data with the field "firmware" (or the raw ISO).`,
    );
  }
  const hash = createHash("sha256");
  const header = Buffer.alloc(ISO_HEADER_BYTES);
  let received = 0;
  let imageBytes = 0;
  const resetAfter = node.faults.resetUploadAfterBytes;
  for await (const chunk of req) {
    const buf = chunk as Buffer;
    received += buf.length;
    for (const data of parts ? parts.feed(buf) : [buf]) {
      if (imageBytes < ISO_HEADER_BYTES)
        data.copy(header, imageBytes, 0, Math.min(data.length, ISO_HEADER_BYTES - imageBytes));
      imageBytes += data.length;
      hash.update(data);
    }
    if (resetAfter !== undefined && received >= resetAfter) {
      node.faults = { ...node.faults, resetUploadAfterBytes: undefined };
      node.record("fault", "upload-connection-reset", { received });
      req.socket.destroy();
      return;
    }
  }
  parts?.end();
  if (received !== Number(declared)) {
    throw new SpsApiFault("IncompleteRequestBodyError", `Received ${received} of ${declared} bytes.`);
  }
  const version = versionFromIsoHeader(header);
  if (!version) throw new SpsApiFault("InvalidRequest", "The uploaded file is not an SPS firmware image.");
  const sha256 = hash.digest("hex");
  const slotId = node.uploadFirmware({ version, sha256, size: imageBytes });
  const view = node.firmwareSlots();
  const body = { ...slotBody(view.slots[slotId - 1], slotId, view.current, view.afterReboot), sha256 };
  sendObject(ctx, String(slotId), body, "/api/upload/firmware", "/api/upload", {
    slot: `/api/firmware/slots/${slotId}`,
    test: "/api/firmware/test",
    upgrade: "/api/firmware/upgrade",
    number_of_empty_slots: view.slots.filter((s) => s === null).length,
  });
}

function fetchItem(e: FirmwareFetchEntry) {
  return {
    key: e.key,
    body: {
      url: e.url,
      // [unknown] whether a real node echoes the checksum; the emulator does (a client reads it when present).
      checksum: { sha256: e.sha256 },
      status: e.status,
      ...(e.slot !== undefined ? { slot: `/api/firmware/slots/${e.slot}` } : {}),
      ...(e.error !== undefined ? { error: e.error } : {}),
    },
    meta: { href: `/api/firmware/fetch/${e.key}` },
  };
}

function sendFetch(ctx: ApiContext, e: FirmwareFetchEntry, status = 200): void {
  const href = `/api/firmware/fetch/${e.key}`;
  sendObject(ctx, e.key, fetchItem(e).body, href, "/api/firmware/fetch", undefined, status);
}

/** [doc] 7.0 LTS REST guide, `/api/firmware/fetch`: start (202), list, one status, cancel/remove. */
async function handleFetch(ctx: ApiContext, rest: string[]): Promise<void> {
  const { method, node } = ctx;
  const fetches = node.firmwareFetches;
  if (rest.length === 0 && method === "POST") {
    requireWrite(ctx);
    const body = await readJson(ctx);
    const url = body.url;
    const sha256 = (body.checksum as { sha256?: unknown } | undefined)?.sha256;
    if (typeof url !== "string" || !/^https?:\/\//.test(url))
      throw new SpsApiFault("IncompleteRequestBodyError", "url (http:// or https://) is required.", {
        missing: ["url"],
      });
    if (typeof sha256 !== "string" || !/^[0-9a-fA-F]{64}$/.test(sha256))
      throw new SpsApiFault("IncompleteRequestBodyError", "checksum.sha256 (64 hex digits) is required.", {
        missing: ["checksum.sha256"],
      });
    const entry = fetches.start(url, sha256);
    // The host only: a URL's userinfo or signed query never goes into the event record.
    node.record("action", "fetch-firmware-start", { key: entry.key, host: new URL(url).host });
    return sendFetch(ctx, entry, 202);
  }
  if (rest.length === 0 && method === "GET")
    return sendItems(ctx, fetches.list().map(fetchItem), "/api/firmware/fetch", "/api/firmware");
  if (rest.length === 1 && method === "GET") {
    return sendFetch(ctx, fetches.get(rest[0]) ?? notFound(ctx));
  }
  if (rest.length === 1 && method === "DELETE") {
    requireWrite(ctx);
    if (fetches.delete(rest[0]) === "missing") notFound(ctx);
    return sendMeta(ctx, `/api/firmware/fetch/${rest[0]}`, "/api/firmware/fetch");
  }
  notFound(ctx);
}
