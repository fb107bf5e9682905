/**
 * Emulated firmware downloads of one node (`/api/firmware/fetch`, SPS 7.0 LTS and later):
 *
 * - [doc] SPS 7.0 LTS / 8.0 LTS REST guides, "Install firmware files by providing a URL": `POST
 *   /api/firmware/fetch` `{"url": …, "checksum": {"sha256": …}}` answers 202 Accepted and downloads and
 *   verifies asynchronously; `GET /api/firmware/fetch[/<key>]` shows the status (queued, in-progress,
 *   finished, failed, cancelled); `DELETE /api/firmware/fetch/<key>` cancels a queued or in-progress
 *   download, a second DELETE removes the status entry.
 * - [unknown] the body fields of a status entry besides `status` (the emulator adds `url`, `slot`,
 *   `error`) and the error type of a checksum mismatch.
 *
 * The emulator really downloads the URL (tests serve the ISO on 127.0.0.1), hashes what it receives,
 * reads the version from the ISO header and puts the image into an empty slot like an upload.
 */
import { createHash } from "node:crypto";
import { ISO_HEADER_BYTES, versionFromIsoHeader } from "./firmware-iso";

export type FetchStatus = "queued" | "in-progress" | "finished" | "failed" | "cancelled";

export interface FirmwareFetchEntry {
  key: string;
  url: string;
  sha256: string;
  status: FetchStatus;
  /** Slot the image went into (finished). */
  slot?: number;
  /** Why it failed. */
  error?: string;
  bytes: number;
}

export type InstallImage = (image: { version: string; sha256: string; size: number }) => number;

export class FirmwareFetches {
  private readonly entries = new Map<string, FirmwareFetchEntry>();
  private readonly controllers = new Map<string, AbortController>();
  private counter = 0;

  constructor(private readonly install: InstallImage) {}

  list(): FirmwareFetchEntry[] {
    return [...this.entries.values()].map((e) => ({ ...e }));
  }

  get(key: string): FirmwareFetchEntry | undefined {
    const e = this.entries.get(key);
    return e ? { ...e } : undefined;
  }

  start(url: string, sha256: string): FirmwareFetchEntry {
    this.counter += 1;
    const key = String(this.counter);
    const entry: FirmwareFetchEntry = { key, url, sha256: sha256.toLowerCase(), status: "queued", bytes: 0 };
    this.entries.set(key, entry);
    const controller = new AbortController();
    this.controllers.set(key, controller);
    void this.download(entry, controller.signal).finally(() => this.controllers.delete(key));
    return { ...entry };
  }

  /** First DELETE cancels a running download; a DELETE of a settled entry removes it [doc]. */
  delete(key: string): "cancelled" | "removed" | "missing" {
    const e = this.entries.get(key);
    if (!e) return "missing";
    if (e.status === "queued" || e.status === "in-progress") {
      e.status = "cancelled";
      this.controllers.get(key)?.abort();
      return "cancelled";
    }
    this.entries.delete(key);
    return "removed";
  }

  private async download(entry: FirmwareFetchEntry, signal: AbortSignal): Promise<void> {
    const fail = (why: string): void => {
      if (entry.status !== "cancelled") {
        entry.status = "failed";
        entry.error = why;
      }
    };
    try {
      const res = await fetch(entry.url, { signal });
      if (!res.ok || !res.body) return fail(`HTTP ${res.status} from the firmware URL`);
      entry.status = "in-progress";
      const hash = createHash("sha256");
      const header = Buffer.alloc(ISO_HEADER_BYTES);
      for await (const chunk of res.body as unknown as AsyncIterable<Uint8Array>) {
        const buf = Buffer.from(chunk);
        if (entry.bytes < ISO_HEADER_BYTES)
          buf.copy(header, entry.bytes, 0, Math.min(buf.length, ISO_HEADER_BYTES - entry.bytes));
        entry.bytes += buf.length;
        hash.update(buf);
      }
      if ((entry.status as FetchStatus) === "cancelled") return;
      const sha256 = hash.digest("hex");
      if (sha256 !== entry.sha256)
        return fail(`checksum mismatch: the downloaded file has sha256 ${sha256}, expected ${entry.sha256}`);
      const version = versionFromIsoHeader(header);
      if (!version) return fail("the downloaded file is not an SPS firmware image");
      try {
        entry.slot = this.install({ version, sha256, size: entry.bytes });
      } catch (e) {
        return fail(e instanceof Error ? e.message : String(e));
      }
      entry.status = "finished";
    } catch (e) {
      fail(e instanceof Error ? e.message : String(e));
    }
  }
}
