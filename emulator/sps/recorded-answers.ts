/**
 * Seeding an emulated node's read answers from a recording (provider/clients/sps/recording.ts): an
 * authenticated `GET` of a recorded path answers what the real appliance answered (status, content
 * type, body) instead of the emulator's model, so a shape we got wrong fails a test, not an upgrade.
 * Writes and unrecorded paths go to the model as usual.
 */
import type { ServerResponse } from "node:http";
import { RecordingSchema, type RecordedAnswer, type Recording } from "../../provider/clients/sps/recording";
import type { EmulatedNode } from "./emulated-node";

const SEEDED = new WeakMap<EmulatedNode, Map<string, RecordedAnswer>>();

/** Seeds (or replaces) a node's recorded answers; the recording is validated. */
export function seedFromRecording(node: EmulatedNode, recording: unknown): Recording {
  const r = RecordingSchema.parse(recording);
  SEEDED.set(node, new Map(r.answers.map((a) => [a.path, a])));
  return r;
}

/** Answers a GET from the node's recording; false when the path is not recorded. */
export function answerFromRecording(
  node: EmulatedNode,
  method: string,
  path: string,
  res: ServerResponse,
): boolean {
  if (method !== "GET") return false;
  const a = SEEDED.get(node)?.get(path);
  if (!a) return false;
  const text = typeof a.body === "string" ? a.body : JSON.stringify(a.body);
  res.writeHead(a.status, {
    "Content-Type": a.contentType ?? "application/json; charset=utf-8",
    "Content-Length": Buffer.byteLength(text),
  });
  res.end(text);
  return true;
}
