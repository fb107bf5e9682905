/**
 * The firmware downloads a node knows (`GET /api/firmware/fetch`, [doc] 7.0 LTS and 8.0 LTS REST guides,
 * "Install firmware files by providing a URL": a status list with queued | in-progress | finished |
 * failed | cancelled). Read through the client's `readTree` (authenticated, redacted, retried), so no
 * new client call is needed. Which body fields name the URL and the checksum is [unknown]: `url` and
 * `checksum.sha256` are read when present (the emulator's fields), else a resumed run cannot recognise
 * its download and says so.
 */
import { z } from "zod";
import type { ApplianceClient } from "./appliance-client";

/** [doc] 7.0 LTS REST guide: the download collection. */
export const FETCH = "/api/firmware/fetch";

const EntrySchema = z.looseObject({
  key: z.string().min(1),
  body: z
    .looseObject({
      status: z.string().optional(),
      url: z.string().optional(),
      checksum: z.looseObject({ sha256: z.string().optional() }).optional(),
      sha256: z.string().optional(),
      slot: z.string().optional(),
      error: z.string().optional(),
    })
    .optional(),
});

const ListingSchema = z.looseObject({ items: z.array(EntrySchema) });

export interface KnownFetch {
  key: string;
  status: string;
  /** As the node reports it ([unknown] field): compare, never show (it may carry secrets). */
  url?: string;
  sha256?: string;
  slotId?: number;
}

/** The node's download list; [] when it has none (404). Throws on an answer of another shape. */
export async function listFirmwareFetches(reader: Pick<ApplianceClient, "readTree">): Promise<KnownFetch[]> {
  const raw = await reader.readTree(FETCH);
  if (raw === null) return [];
  const parsed = ListingSchema.safeParse(raw);
  if (!parsed.success) {
    const i = parsed.error.issues[0];
    throw new Error(
      `${FETCH}: unexpected answer at ${i?.path.map(String).join(".") || "(root)"}: ${i?.message ?? "invalid"} (expected {items: [{key, body: {status}}]})`,
    );
  }
  return parsed.data.items.map((e) => fetchEntryOf(e));
}

/** The body fields of one download entry, as the list and `GET …/fetch/<key>` give them ([unknown] besides status). */
export interface FetchEntryBody {
  status?: string;
  url?: string;
  checksum?: { sha256?: string };
  sha256?: string;
  slot?: string;
  error?: string;
}

/**
 * One parser for a download entry (the list's items and the single status): status ("unknown" when
 * absent), the slot id from the slot's href, the checksum lowercased, the error text and the URL as the
 * node gives them (the URL to compare, never to show).
 */
export function fetchEntryOf(e: {
  key: string;
  body?: FetchEntryBody | undefined;
}): KnownFetch & { error?: string } {
  const b = e.body ?? {};
  const sha = b.checksum?.sha256 ?? b.sha256;
  const slot = b.slot !== undefined ? /\/slots\/(\d+)$/.exec(b.slot)?.[1] : undefined;
  return {
    key: e.key,
    status: b.status ?? "unknown",
    ...(b.url !== undefined ? { url: b.url } : {}),
    ...(sha !== undefined ? { sha256: sha.toLowerCase() } : {}),
    ...(slot !== undefined ? { slotId: Number(slot) } : {}),
    ...(b.error !== undefined ? { error: b.error } : {}),
  };
}
