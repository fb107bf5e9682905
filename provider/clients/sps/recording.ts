/**
 * Recordings of what an appliance really answered (`sps-upgrade doctor --record DIR`), so a team can
 * hand over their appliance's shapes without access to it: per node one JSON file with, per read-only
 * answer, the method, path, status, the headers that matter (`content-type`) and the body.
 *
 * Removed before anything is written: cookies (no header but content-type is kept; a `session_id`
 * anywhere in a body is replaced), every secret the caller passes (passwords, the Basic header, the
 * session cookie) wherever it appears, `Authorization`/token-like fields, and license texts (in the
 * license answer only short scalar fields are kept — a license file's text never is).
 * Only GET answers are kept (doctor only reads). Pure except `writeRecording`.
 */
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { z } from "zod";
import type { Exchange } from "./rest-transport";
import { printableValue } from "../../../core/printable";
import { REDACTED, redactValue } from "../../../core/redaction";

export const RECORDING_SCHEMA_VERSION = 1;

export const RecordedAnswerSchema = z.strictObject({
  method: z.literal("GET"),
  path: z.string().startsWith("/api/"),
  status: z.number().int().min(100).max(599),
  contentType: z.string().optional(),
  body: z.unknown(),
});
export type RecordedAnswer = z.infer<typeof RecordedAnswerSchema>;

export const RecordingSchema = z.strictObject({
  schemaVersion: z.literal(RECORDING_SCHEMA_VERSION),
  node: z.string().min(1),
  /** Where the answers come from: "doctor --record", or the guide a sample was built from. */
  source: z.string().min(1),
  answers: z.array(RecordedAnswerSchema),
});
export type Recording = z.infer<typeof RecordingSchema>;

const LICENSE_PATH = "/api/configuration/management/license";
const REMOVED = REDACTED;

/** License answer: only short scalars survive (no license text, no certificate). */
function licenseOnly(value: unknown): unknown {
  if (typeof value === "string") return value.length <= 120 && !value.includes("BEGIN") ? value : REMOVED;
  if (typeof value === "number" || typeof value === "boolean" || value === null) return value;
  if (Array.isArray(value)) return REMOVED;
  if (value && typeof value === "object")
    return Object.fromEntries(
      Object.entries(value as Record<string, unknown>).map(([k, v]) => [k, licenseOnly(v)]),
    );
  return REMOVED;
}

/** One received answer as it may be written (undefined: not kept). */
export function recordedAnswer(e: Exchange, secrets: readonly string[]): RecordedAnswer | undefined {
  if (e.method !== "GET" || e.path.startsWith("/api/authentication")) return undefined;
  const text = e.body.toString("utf8");
  let body: unknown = text;
  try {
    body = JSON.parse(text) as unknown;
  } catch {
    // keep the text (e.g. an HTML page during a boot)
  }
  const path = e.path.split("?")[0] ?? e.path;
  let clean = printableValue(redactValue(body, secrets, 1), true);
  if (path === LICENSE_PATH && clean && typeof clean === "object") {
    const c = clean as Record<string, unknown>;
    clean = { ...c, ...(c["body"] !== undefined ? { body: licenseOnly(c["body"]) } : {}) };
  }
  const contentType = e.headers["content-type"];
  return {
    method: "GET",
    path,
    status: e.status,
    ...(typeof contentType === "string" ? { contentType } : {}),
    body: clean,
  };
}

/** The file name of a node's recording: node names are unique only within a cluster. */
export function recordingFileName(cluster: string, node: string): string {
  const safe = (t: string): string => t.replace(/[^A-Za-z0-9._-]/g, "_");
  return `${safe(cluster)}__${safe(node)}.json`;
}

/** Writes `<dir>/<cluster>__<node>.json` (the last answer per path wins). */
export function writeRecording(
  dir: string,
  cluster: string,
  node: string,
  answers: RecordedAnswer[],
): string {
  const byPath = new Map<string, RecordedAnswer>();
  for (const a of answers) byPath.set(a.path, a);
  const recording: Recording = {
    schemaVersion: RECORDING_SCHEMA_VERSION,
    node,
    source: "sps-upgrade doctor --record",
    answers: [...byPath.values()],
  };
  const file = join(dir, recordingFileName(cluster, node));
  writeFileSync(file, `${JSON.stringify(recording, null, 2)}\n`, { mode: 0o600 });
  return file;
}
