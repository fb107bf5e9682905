/**
 * The documented firmware upload body: `multipart/form-data` with the ISO in the field `firmware`
 * ([doc] 8.0 LTS REST guide, "Uploading new firmware to SPS": `curl … --form firmware=@<sps.iso>`).
 * A streaming reader for one file part: yields the part's bytes without holding the ISO in memory.
 * Further parts (other fields) are [unknown] on a real SPS; the emulator refuses them.
 */
import { SpsApiFault } from "./api-errors";

const HEADER_LIMIT = 16 * 1024;

export function multipartBoundary(contentType: string): string | undefined {
  const m = /;\s*boundary=(?:"([^"]+)"|([^;\s]+))/i.exec(contentType);
  return m ? (m[1] ?? m[2]) : undefined;
}

/** Feeds the request body in; hands out the bytes of the `firmware` part (push-based, streaming). */
export class FirmwarePartReader {
  private readonly opening: Buffer;
  private readonly closing: Buffer;
  private pending = Buffer.alloc(0);
  private state: "header" | "part" | "done" = "header";

  constructor(boundary: string) {
    this.opening = Buffer.from(`--${boundary}\r\n`);
    this.closing = Buffer.from(`\r\n--${boundary}`);
  }

  /** The part bytes this chunk completes (possibly none). */
  feed(chunk: Buffer): Buffer[] {
    if (this.state === "done") return [];
    this.pending = Buffer.concat([this.pending, chunk]);
    if (this.state === "header") {
      const end = this.pending.indexOf("\r\n\r\n");
      if (end < 0) {
        if (this.pending.length > HEADER_LIMIT)
          throw new SpsApiFault("InvalidRequest", "The multipart part header is too long.");
        return [];
      }
      if (!this.pending.subarray(0, this.opening.length).equals(this.opening))
        throw new SpsApiFault("InvalidRequest", "The multipart body does not start with its boundary.");
      const headers = this.pending.subarray(this.opening.length, end).toString("latin1");
      if (!/content-disposition:\s*form-data;[^\r\n]*\bname="firmware"/i.test(headers))
        throw new SpsApiFault("InvalidRequest", 'The multipart body has no "firmware" field first.', {
          field: "firmware",
        });
      this.pending = this.pending.subarray(end + 4);
      this.state = "part";
    }
    const at = this.pending.indexOf(this.closing);
    if (at >= 0) {
      const data = this.pending.subarray(0, at);
      const tail = this.pending.subarray(at + this.closing.length);
      if (tail.length >= 2 && tail.subarray(0, 2).toString("latin1") !== "--")
        throw new SpsApiFault("InvalidRequest", 'Only one multipart field ("firmware") is accepted.');
      this.state = "done";
      this.pending = Buffer.alloc(0);
      return data.length > 0 ? [data] : [];
    }
    // Keep back what could be the start of the closing boundary.
    const keep = this.closing.length;
    if (this.pending.length <= keep) return [];
    const out = this.pending.subarray(0, this.pending.length - keep);
    this.pending = this.pending.subarray(this.pending.length - keep);
    return [out];
  }

  /** Throws unless the closing boundary was seen. */
  end(): void {
    if (this.state !== "done")
      throw new SpsApiFault(
        "IncompleteRequestBodyError",
        "The multipart body ended before its closing boundary.",
      );
  }
}
