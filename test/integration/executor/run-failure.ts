/**
 * The executor tests' way to expect a run to stop: the `ExecutionError` it ends with (the test fails
 * when the run succeeds or throws anything else), a run stopped as by Ctrl-C, and a text made safe to
 * put into a RegExp.
 */
import assert from "node:assert/strict";
import {
  ExecutionError,
  executeClusterPlan,
  type ExecutionInputs,
  type ProgressEvent,
} from "../../../provider/executor";

export async function runFailure(p: Promise<unknown>): Promise<ExecutionError> {
  try {
    await p;
  } catch (e) {
    assert.ok(e instanceof ExecutionError, `expected ExecutionError, got ${String(e)}`);
    return e;
  }
  assert.fail("expected the run to fail");
}

/** `s` as a literal inside a RegExp. */
export function escapeRe(s: string): string {
  return s.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
}

/** The run stops with `foreign-state` (work on the node it did not do), at step `action` when given. */
export async function foreignStop(p: Promise<unknown>, action?: string): Promise<ExecutionError> {
  const err = await runFailure(p);
  assert.equal(err.kind, "foreign-state", err.message);
  if (action !== undefined) assert.equal(err.step?.action, action);
  return err;
}

/**
 * A run stopped (as by Ctrl-C) at the first progress event `when` matches: `inputs` gets the signal and
 * the progress sink to put into the run's inputs.
 */
export async function stopAt(
  inputs: (o: Pick<ExecutionInputs, "signal" | "progress">) => ExecutionInputs,
  when: (e: ProgressEvent) => boolean,
): Promise<void> {
  const stop = new AbortController();
  const err = await runFailure(
    executeClusterPlan(
      inputs({
        signal: stop.signal,
        progress: (e) => {
          if (!stop.signal.aborted && when(e)) stop.abort(new Error("stopped by the test"));
        },
      }),
    ),
  );
  assert.equal(err.kind, "aborted");
}
