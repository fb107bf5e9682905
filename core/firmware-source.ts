/**
 * Where a hop's firmware ISO comes from: uploaded by the tool from a local `path` (the default, and the
 * only way for targets below 7.0), or fetched by the appliance itself from a `url` (SPS 7.0 LTS and later),
 * so a 2 GB ISO never streams through the machine that runs the tool. Pure (no I/O).
 *
 * - [doc] 7.0 LTS / 8.0 LTS REST guides, "Install firmware files by providing a URL":
 *   `POST /api/firmware/fetch` `{"url": "https://…/sps.iso", "checksum": {"sha256": "…"}}` → 202, the
 *   appliance downloads and verifies asynchronously (docs/appliance-facts.md §4). The sample URL is https.
 * - [unknown] whether the appliance accepts `http://`, which CAs it trusts for the download, and whether it
 *   honours userinfo in the URL. Safe under every reading: only `https://` is accepted here (a plain-http
 *   source is refused before anything runs rather than failing, or being read in clear, on the appliance);
 *   userinfo and query strings are allowed (pre-signed links) but never shown: every text names the host only.
 * - S3: the SHA-256 is required either way; for a fetch the appliance verifies it (and the executor checks
 *   what it reports), for an upload the client verifies it by streaming before the first byte is sent.
 */
import { z } from "zod";
import { compareRevisions, parseRevision } from "./version";

/** [doc] `/api/firmware/fetch` exists from 7.0 LTS on. */
export const FIRST_FETCH_REVISION = "7.0.0";

const sha256Field = z
  .string({ error: "is required: the ISO's SHA-256 from the download page (rule S3)" })
  .regex(/^[0-9a-fA-F]{64}$/, "must be a SHA-256 checksum (64 hex digits) (rule S3)");

/** A `url` the appliance may fetch: https, parseable, with a host. */
export const firmwareUrlField = z.string().superRefine((raw, ctx) => {
  let u: URL;
  try {
    u = new URL(raw);
  } catch {
    ctx.addIssue({
      code: "custom",
      message: "is not a URL; give the https:// address the appliance downloads the ISO from",
    });
    return;
  }
  if (u.protocol !== "https:")
    ctx.addIssue({
      code: "custom",
      message: `must be an https:// URL (got ${u.protocol}//${u.host}): the REST guide's /api/firmware/fetch example is https and plain http is [unknown]; serve the ISO over https, or give a local path to upload it`,
    });
  else if (!u.hostname) ctx.addIssue({ code: "custom", message: "has no host" });
});

/**
 * One revision's image: `{path, sha256}` (upload) or `{url, sha256}` (fetch by the appliance). Giving
 * both is refused (which one runs would be a guess).
 */
export const firmwareSourceSchema = z
  .strictObject({
    path: z.string().min(1, "must be the local path of the firmware ISO").optional(),
    url: firmwareUrlField.optional(),
    sha256: sha256Field,
  })
  .superRefine((img, ctx) => {
    if (img.path === undefined && img.url === undefined)
      ctx.addIssue({
        code: "custom",
        message:
          "needs a path (the tool uploads the ISO) or a url (the appliance fetches it, 7.0 and later) to the firmware ISO",
      });
    if (img.path !== undefined && img.url !== undefined)
      ctx.addIssue({
        code: "custom",
        path: ["url"],
        message: "give either path (upload) or url (fetch by the appliance), not both; remove one of them",
      });
  })
  .transform((img): FirmwareSource =>
    img.url !== undefined
      ? { url: img.url, sha256: img.sha256 }
      : { path: img.path ?? "", sha256: img.sha256 },
  );
/** An image as the rest of the code sees it: exactly one of `path` (upload) or `url` (fetch). */
export type FirmwareSource = { path: string; sha256: string } | { url: string; sha256: string };

/** True when the revision's own REST API offers `/api/firmware/fetch` ([doc] 7.0 LTS and later). */
export function revisionCanFetch(revision: string): boolean {
  return compareRevisions(parseRevision(revision), parseRevision(FIRST_FETCH_REVISION)) >= 0;
}

/**
 * Map-level check: a `url` only for revisions 7.0 and later (the fetch API starts with 7.0 LTS). The zod issue
 * names the revision's field and says to use `path`.
 */
export function checkFirmwareSources(images: Record<string, object>, ctx: z.RefinementCtx): void {
  for (const [revision, image] of Object.entries(images)) {
    if (!isFetched(image) || !/^\d+\.\d+\.\d+$/.test(revision)) continue;
    if (!revisionCanFetch(revision))
      ctx.addIssue({
        code: "custom",
        path: [revision, "url"],
        message: `firmware ${revision} cannot be fetched by URL: POST /api/firmware/fetch exists from SPS 7.0 LTS on [doc]; give firmware["${revision}"].path (the tool uploads the ISO)`,
      });
  }
}

/** A map of images per revision, with the 7.0 rule. */
export const firmwareSourcesSchema = z
  .record(z.string(), firmwareSourceSchema)
  .superRefine((m, ctx) => checkFirmwareSources(m, ctx));

/** Whether the image is fetched by the appliance (else uploaded). */
export function isFetched<T extends object>(image: T | undefined): image is T & { url: string } {
  return image !== undefined && "url" in image && typeof image.url === "string";
}

/**
 * The host a URL names (`downloads.example.com:8443`), for plans, logs and errors: never its userinfo,
 * path or query (a pre-signed link carries its token there). "(invalid URL)" when it does not parse.
 */
export function urlHost(url: string): string {
  try {
    return new URL(url).host || "(no host)";
  } catch {
    return "(invalid URL)";
  }
}

/**
 * `text` with every secret part of `url` removed, so an appliance or library message that echoes the URL
 * (or a part of it) leaks nothing:
 * - every URL in the text (any URL, not only this one) is printed as `scheme://host[:port]/…`: its
 *   userinfo, path and query never appear (the host is all anyone needs);
 * - the parts of `url` that may be secret are replaced by `***`: userinfo and query values wherever they
 *   appear on their own (between non-alphanumeric characters), whatever their length, and anywhere (also
 *   inside a word) from 8 characters on; path segments of 8 characters or more (a path token) anywhere.
 */
export function redactUrl(text: string, url: string): string {
  let u: URL | undefined;
  try {
    u = new URL(url);
  } catch {
    u = undefined;
  }
  let out = text.split(url).join(u ? `${u.protocol}//${u.host}/…` : "(firmware URL)");
  out = out.replace(URL_IN_TEXT, (m) => {
    const tail = /[.,;:!?]+$/.exec(m)?.[0] ?? "";
    try {
      const x = new URL(m.slice(0, m.length - tail.length));
      return `${x.protocol}//${x.host}/…${tail}`;
    } catch {
      return `(URL)${tail}`;
    }
  });
  if (!u) return out;
  const parts = [
    u.username,
    u.password,
    u.search.slice(1),
    ...u.pathname.split("/").filter((p) => p.length >= 8),
  ];
  for (const [, v] of u.searchParams) parts.push(v);
  const all = new Set<string>();
  for (const p of parts)
    if (p) for (const q of [p, decodeURIComponentSafe(p), encodeURIComponent(p)]) if (q) all.add(q);
  for (const p of [...all].sort((a, b) => b.length - a.length)) {
    if (p.length >= 8) out = out.split(p).join("***");
    else out = out.replace(new RegExp(`(?<![A-Za-z0-9])${escapeRegExp(p)}(?![A-Za-z0-9])`, "g"), "***");
  }
  return out;
}

/** A URL with a scheme inside a message (up to the next blank, quote or bracket). */
const URL_IN_TEXT = /\b[a-zA-Z][a-zA-Z0-9+.-]*:\/\/[^\s"'<>()]+/g;

function escapeRegExp(s: string): string {
  return s.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
}

function decodeURIComponentSafe(s: string): string {
  try {
    return decodeURIComponent(s);
  } catch {
    return s;
  }
}
