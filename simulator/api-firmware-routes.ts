/**
 * Emulated firmware endpoints [doc §4]: /api/firmware, slots, streamed upload, test, upgrade.
 * The upload discards the image but hashes it (SHA-256) and reads its version from the ISO header.
 */
import { createHash } from "node:crypto";
import { SpsApiFault } from "./api-errors";
import { meta, notFound, readJson, requireWrite, sendJson, type ApiContext } from "./api-context";
import type { FirmwareImageRecord } from "./appliance-unit";
import { ISO_HEADER_BYTES, versionFromIsoHeader } from "./firmware-iso";

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

export async function handleFirmware(ctx: ApiContext): Promise<void> {
  const { method, segments, node } = ctx;
  // segments: ["api", "firmware", ...] or ["api", "upload", "firmware"]
  if (segments[1] === "upload") return uploadFirmware(ctx);
  const rest = segments.slice(2);
  if (rest.length === 0 && method === "GET") {
    const items = ["fetch", "slots", "test", "upgrade"].map((k) => ({
      key: k,
      meta: { href: `/api/firmware/${k}` },
    }));
    return sendJson(ctx.res, 200, {
      items,
      meta: meta(ctx, "/api/firmware", "/api", {
        fetch: "/api/firmware/fetch",
        slots: "/api/firmware/slots",
        test: "/api/firmware/test",
        upgrade: "/api/firmware/upgrade",
      }),
    });
  }
  if (rest[0] === "slots") {
    const view = node.firmwareSlots();
    if (rest.length === 1 && method === "GET") {
      const items = view.slots.map((s, i) => ({
        key: String(i + 1),
        body: slotBody(s, i + 1, view.current, view.afterReboot),
        meta: { href: `/api/firmware/slots/${i + 1}` },
      }));
      return sendJson(ctx.res, 200, {
        items,
        meta: meta(ctx, "/api/firmware/slots", "/api/firmware", {
          current_slot: `/api/firmware/slots/${view.current}`,
          slot_after_reboot: `/api/firmware/slots/${view.afterReboot}`,
          number_of_empty_slots: view.slots.filter((s) => s === null).length,
        }),
      });
    }
    if (rest.length === 2) {
      const id = Number(rest[1]);
      if (!Number.isInteger(id) || id < 1 || id > view.slots.length) notFound(ctx);
      if (method === "GET") {
        return sendJson(ctx.res, 200, {
          key: String(id),
          body: slotBody(view.slots[id - 1], id, view.current, view.afterReboot),
          meta: meta(ctx, `/api/firmware/slots/${id}`, "/api/firmware/slots"),
        });
      }
      if (method === "DELETE") {
        requireWrite(ctx);
        node.deleteFirmwareSlot(id);
        return sendJson(ctx.res, 200, {
          meta: meta(ctx, `/api/firmware/slots/${id}`, "/api/firmware/slots"),
        });
      }
    }
  }
  if (rest.length === 1 && rest[0] === "test" && method === "POST") {
    requireWrite(ctx);
    const slotId = slotIdFrom(await readJson(ctx));
    const result = node.testFirmware(slotId);
    if (!result.passed && node.faults.testFailureAs === "error") {
      throw new SpsApiFault("FirmwareTestFailed", "The upgrade test failed.", {
        test_summary: result.summary,
      });
    }
    return sendJson(ctx.res, 200, {
      key: String(slotId),
      body: { test_summary: result.summary },
      meta: meta(ctx, "/api/firmware/test", "/api/firmware", { slot: `/api/firmware/slots/${slotId}` }),
    });
  }
  if (rest.length === 1 && rest[0] === "upgrade" && method === "POST") {
    requireWrite(ctx);
    const body = await readJson(ctx);
    const slotId = slotIdFrom(body);
    const message = typeof body.message === "string" ? body.message : null;
    const result = node.activateFirmware(slotId, message);
    return sendJson(ctx.res, 200, {
      key: String(slotId),
      body: { test_summary: result.summary },
      meta: meta(ctx, "/api/firmware/upgrade", "/api/firmware", { slot: `/api/firmware/slots/${slotId}` }),
    });
  }
  notFound(ctx);
}

async function uploadFirmware(ctx: ApiContext): Promise<void> {
  const { req, node } = ctx;
  if (ctx.method !== "POST") notFound(ctx);
  requireWrite(ctx);
  const declared = req.headers["content-length"];
  if (declared === undefined) throw new SpsApiFault("LengthRequired", "Content-Length is required.", {}, 411);
  const contentType = (req.headers["content-type"] ?? "").split(";")[0].trim();
  if (contentType !== "application/x-iso9660-image" && contentType !== "application/octet-stream") {
    // The guide documents multipart/form-data; the emulator implements the raw body used by safeguard-ps [ps].
    throw new SpsApiFault(
      "InvalidRequest",
      `Unsupported Content-Type "${contentType}"; send the raw ISO as application/x-iso9660-image.`,
    );
  }
  const hash = createHash("sha256");
  const header = Buffer.alloc(ISO_HEADER_BYTES);
  let received = 0;
  const resetAfter = node.faults.resetUploadAfterBytes;
  for await (const chunk of req) {
    const buf = chunk as Buffer;
    if (received < ISO_HEADER_BYTES)
      buf.copy(header, received, 0, Math.min(buf.length, ISO_HEADER_BYTES - received));
    received += buf.length;
    hash.update(buf);
    if (resetAfter !== undefined && received >= resetAfter) {
      node.faults = { ...node.faults, resetUploadAfterBytes: undefined };
      node.events.record({
        at: node.clock.now(),
        node: node.name,
        kind: "fault",
        name: "upload-connection-reset",
        detail: { received },
      });
      req.socket.destroy();
      return;
    }
  }
  if (received !== Number(declared)) {
    throw new SpsApiFault("IncompleteRequestBodyError", `Received ${received} of ${declared} bytes.`);
  }
  const version = versionFromIsoHeader(header);
  if (!version) throw new SpsApiFault("InvalidRequest", "The uploaded file is not an SPS firmware image.");
  const sha256 = hash.digest("hex");
  const slotId = node.uploadFirmware({ version, sha256, size: received });
  const view = node.firmwareSlots();
  sendJson(ctx.res, 200, {
    key: String(slotId),
    body: { ...slotBody(view.slots[slotId - 1], slotId, view.current, view.afterReboot), sha256 },
    meta: meta(ctx, "/api/upload/firmware", "/api/upload", {
      slot: `/api/firmware/slots/${slotId}`,
      test: "/api/firmware/test",
      upgrade: "/api/firmware/upgrade",
      number_of_empty_slots: view.slots.filter((s) => s === null).length,
    }),
  });
}
