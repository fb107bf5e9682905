/**
 * [unknown] Answers nothing documents, sent while a node boots when its `bootAnswer` fault is set
 * (emulator/sps/faults.ts): the documented answer then is a progress page [doc: upgrade guides, "SPS
 * displays status information … on the web interface"]. They let a test check that the client's waits
 * stop on a node in a state it cannot read instead of reading it for ever. `count` gets every byte
 * written, so a test can bound the traffic.
 */
import type { ServerResponse } from "node:http";
import type { NodeFaults } from "./faults";

export type BootAnswer = NonNullable<NodeFaults["bootAnswer"]>;

const CHUNK = Buffer.alloc(64 * 1024, 0x61);

function sendJsonCounted(res: ServerResponse, body: unknown, count: (n: number) => void): void {
  const text = Buffer.from(JSON.stringify(body));
  res.writeHead(200, { "Content-Type": "application/json", "Content-Length": text.length });
  count(text.length);
  res.end(text);
}

/** JSON that never ends (no Content-Length), written as fast as the client reads it, until it hangs up. */
function sendEndless(res: ServerResponse, count: (n: number) => void): void {
  res.writeHead(200, { "Content-Type": "application/json" });
  const start = Buffer.from('{"body":{"firmware_version":"');
  count(start.length);
  res.write(start);
  const pump = (): void => {
    while (!res.destroyed && !res.writableEnded) {
      count(CHUNK.length);
      if (!res.write(CHUNK)) return void res.once("drain", pump);
    }
  };
  pump();
}

export function sendBootAnswer(
  res: ServerResponse,
  kind: BootAnswer,
  path: string,
  count: (n: number) => void,
): void {
  if (kind === "oversized") return sendEndless(res, count);
  if (kind === "wrong-shape") return sendJsonCounted(res, { body: ["not", "an", "object"], meta: 7 }, count);
  return sendJsonCounted(
    res,
    path === "/api/info"
      ? { body: { firmware_version: "7.0.\u001b]0;pwned\u0007x", roles: [] }, meta: { href: "/api/info" } }
      : { body: {}, meta: { href: path } },
    count,
  );
}
