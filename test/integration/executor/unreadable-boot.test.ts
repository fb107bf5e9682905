/**
 * The reboot wait against a node that answers, but not as SPS does, while it boots (the emulator's
 * [unknown] `bootAnswer` fault, emulator/sps/boot-answers.ts): an answer over the byte cap, JSON of an
 * impossible shape, a version that is not a version. Each is a node in a state the run cannot read: the
 * wait stops after UNREADABLE_ANSWERS_LIMIT such answers in a row, naming the node and what was wrong
 * (printable), so requests and bytes are bounded — not one answer of up to the cap per poll until the
 * S12 deadline. Nothing is written after the reboot; a rerun reads, stops the same way and writes nothing.
 * The documented boot (progress page) is still waited through (./resume.test.ts, ./crash-matrix.test.ts).
 */
import assert from "node:assert/strict";
import { JSON_ANSWER_MAX_BYTES } from "../../../provider/clients/sps/answer-limits";
import { UNREADABLE_ANSWERS_LIMIT } from "../../../provider/executor/liveness-watch";
import type { EmulatorEvent } from "../../../emulator/sps/events";
import { EmulatedCluster } from "./emulated-cluster";
import { runFailure } from "./run-failure";

/** The answers of the fault: events whose detail carries the bytes written. */
function faultAnswers(events: EmulatorEvent[], sinceSeq = 0): { requests: number; bytes: number } {
  const hits = events.filter((e) => e.seq > sinceSeq && typeof e.detail?.["bytesSent"] === "number");
  return { requests: hits.length, bytes: hits.reduce((n, e) => n + (e.detail!["bytesSent"] as number), 0) };
}

const CASES = [
  { fault: "oversized", what: /larger than \d+ bytes/ },
  { fault: "wrong-shape", what: /unexpected answer shape/ },
  { fault: "not-a-version", what: /firmware_version/ },
] as const;

describe("executor: a node answering in a way nothing documents while it boots stops the reboot wait (S10, S12)", function () {
  this.timeout(120_000);
  let cluster: EmulatedCluster | undefined;
  afterEach(async () => {
    await cluster?.stop();
    cluster = undefined;
  });

  for (const { fault, what } of CASES) {
    it(`${fault}: stops after ${UNREADABLE_ANSWERS_LIMIT} such answers in a row, naming the node and what was wrong; nothing written after`, async () => {
      cluster = await EmulatedCluster.start({
        target: "6.0",
        // 5.11 shows a boot progress page (5.0.x shows nothing until 6.0 is up [doc]); the fault replaces it.
        nodes: [{ name: "sps1", version: "5.11.0", emulator: { faults: { bootAnswer: fault } } }],
        virtualTime: true,
      });
      const err = await runFailure(cluster.runToEnd(() => cluster!.inputs()));
      assert.equal(err.kind, "unreadable-answers", err.message);
      assert.equal(err.rule, "S12");
      assert.equal(err.step?.action, "reboot");
      assert.match(err.message, /node sps1\b/);
      assert.match(err.message, new RegExp(`answered ${UNREADABLE_ANSWERS_LIMIT} times in a row`));
      assert.match(err.message, what);
      assert.match(err.message, /run again: the run resumes at this step/);
      // Printable: no terminal escape or bell from the answer reaches the message.
      assert.doesNotMatch(err.message, /[\u0000-\u0008\u000b-\u001f\u007f]/);

      const [reboot] = cluster.reboots("sps1");
      assert.ok(reboot, "the node was rebooted once");
      const seen = faultAnswers(cluster.events(), reboot.seq);
      assert.equal(
        seen.requests,
        UNREADABLE_ANSWERS_LIMIT,
        "one request per read, no more reads after the limit",
      );
      // Each answer is read up to the cap at most (plus what sits in socket buffers when it is cut off).
      assert.ok(
        seen.bytes <= UNREADABLE_ANSWERS_LIMIT * (JSON_ANSWER_MAX_BYTES + 1024 * 1024),
        `bytes sent ${seen.bytes}`,
      );
      assert.deepEqual(cluster.writes(reboot.seq), [], "nothing written after the reboot");

      // A rerun waits read-only again and stops the same way: no second reboot, nothing written.
      const seq = cluster.lastSeq();
      const again = await runFailure(cluster.runToEnd(() => cluster!.inputs()));
      assert.equal(again.kind, "unreadable-answers", again.message);
      assert.equal(faultAnswers(cluster.events(), seq).requests, UNREADABLE_ANSWERS_LIMIT);
      assert.deepEqual(cluster.writes(seq), []);
      assert.equal(cluster.reboots().length, 1);
    });
  }
});
