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
 * reads the version from the ISO header and puts the image into an empty slot like an upload. An
 * https source must present a certificate that the system CAs or the emulated fleet's own CA vouch for
 * (the emulator's choice: which CAs a real appliance trusts for the download is [unknown]); userinfo in
 * the URL is sent as HTTP basic authentication.
 */
import { createHash } from "node:crypto";
import * as http from "node:http";
import * as https from "node:https";
import { rootCertificates } from "node:tls";
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

  /** `trustedCaPem`: extra CA certificates (PEM) an https source may chain to, besides the system CAs. */
  constructor(
    private readonly install: InstallImage,
    private readonly trustedCaPem: () => string | undefined = () => undefined,
  ) {}

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
      const res = await this.request(entry.url, signal);
      if ((res.statusCode ?? 0) < 200 || (res.statusCode ?? 0) >= 300) {
        res.resume();
        // The text names the requested path and query, as a node's log line might ([unknown] what a real
        // node says): the worst case for the client's redaction.
        const asked = new URL(entry.url);
        return fail(
          `HTTP ${res.statusCode ?? "?"} from the firmware URL (GET ${asked.pathname}${asked.search})`,
        );
      }
      entry.status = "in-progress";
      const hash = createHash("sha256");
      const header = Buffer.alloc(ISO_HEADER_BYTES);
      for await (const chunk of res as AsyncIterable<Buffer>) {
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

  /** One GET of the source (https with the system CAs plus the fleet CA); userinfo becomes basic auth. */
  private request(url: string, signal: AbortSignal): Promise<http.IncomingMessage> {
    return new Promise((resolve, reject) => {
      const u = new URL(url);
      const extra = this.trustedCaPem();
      const req =
        u.protocol === "https:"
          ? https.get(
              u,
              { signal, ca: extra ? [...rootCertificates, extra] : [...rootCertificates] },
              resolve,
            )
          : u.protocol === "http:"
            ? http.get(u, { signal }, resolve)
            : undefined;
      if (!req) return reject(new Error(`unsupported URL scheme ${u.protocol}`));
      req.on("error", reject);
    });
  }
}
