/**
 * RunContext's waits on an injected clock: the progress line of a wait (the sdk prints it as
 * "… waiting: <message>", so the message does not repeat "waiting:") and the deadline texts.
 */
import { strict as assert } from "node:assert";
import type { ClusterPlan, PlanStep } from "../../../core/plan";
import { emptyCheckpoint } from "../../../provider/executor/checkpoint";
import { RunContext } from "../../../provider/executor/run-context";
import { ExecutionError, type ExecutionInputs, type ProgressEvent } from "../../../provider/executor/types";

const step: PlanStep = { seq: 7, wave: 1, hop: 1, node: "sps1", action: "reboot", version: "6.0.7" };

function context(progress: ProgressEvent[]): RunContext {
  let now = Date.parse("2026-01-01T00:00:00Z");
  const plan: ClusterPlan = { name: "c1", target: "6.0.7", hops: [], steps: [step], findings: [] };
  const inputs = {
    plan,
    nodes: {},
    firmware: {},
    deadlines: { pollIntervalMs: 5_000 },
    clock: { now: () => now },
    // The emulated clock advances by exactly what is slept.
    sleep: (ms: number) => {
      now += ms;
      return Promise.resolve();
    },
    progress: (e: ProgressEvent) => progress.push(e),
  } as unknown as ExecutionInputs;
  return new RunContext(inputs, emptyCheckpoint("c1", "6.0.7", new Date(now).toISOString()), undefined);
}

describe("executor: wait progress and deadline messages", () => {
  it("announces a wait once, without repeating the phase, with a readable sub-minute deadline", async () => {
    const progress: ProgressEvent[] = [];
    const ctx = context(progress);
    let polls = 0;
    const v = await ctx.waitFor(
      {
        what: "web interface of sps1 back",
        deadlineMs: 45_000,
        kind: "web-interface-not-back",
        rule: "S12",
        step,
        onWait: (m) => ctx.progress(step, "waiting", m),
      },
      async () => (++polls >= 3 ? "6.0.7" : undefined),
    );
    assert.equal(v, "6.0.7");
    assert.deepEqual(
      progress.map((e) => [e.phase, e.message]),
      [["waiting", "web interface of sps1 back (deadline 45 s, rule S12)"]],
    );
  });

  it("a wait that runs out names its deadline readably, with the probe's last error", async () => {
    const ctx = context([]);
    await assert.rejects(
      ctx.waitFor({ what: "firmware synced", deadlineMs: 90_000, kind: "deadline", rule: "H2", step }, () =>
        Promise.reject(new Error("connection refused")),
      ),
      (e: unknown) => {
        assert.ok(e instanceof ExecutionError);
        assert.equal(e.kind, "deadline");
        assert.match(
          e.message,
          /firmware synced did not happen within 1\.5 min \(rule H2\); last error: connection refused$/,
        );
        return true;
      },
    );
  });

  it("a call that outlives its own deadline names it readably", async () => {
    const ctx = context([]);
    await assert.rejects(
      ctx.withDeadline(
        {
          what: "the firmware upgrade test of 6.0.7",
          deadlineMs: 30_000,
          kind: "deadline",
          rule: "P12",
          step,
        },
        new Promise<never>(() => undefined),
      ),
      /the firmware upgrade test of 6\.0\.7 took longer than 30 s \(rule P12\)/,
    );
  });
});
