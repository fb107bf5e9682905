/**
 * The reads of a wait for a node to come back (reboot, first boot: rules S10, S12), with a bound on
 * answers nothing documents. "Not answering yet" and the first-boot progress page are documented and
 * waited through until the wait's deadline. An answer over the byte cap, JSON of an impossible shape or
 * a version that is not X.Y.Z is a node in a state this run cannot read: each such answer costs up to
 * the cap, so after `UNREADABLE_ANSWERS_LIMIT` of them in a row the wait stops, naming the node and
 * what was wrong (already made printable and redacted by the REST client), and nothing more is sent.
 *
 * Sources: [doc] the upgrade guides (5.11, 6.0, 6.3, "Upgrading SPS"): while it boots, SPS displays
 * status information on its web interface instead of answering — the page waited through here.
 * [unknown] what a booting SPS answers beyond that page: no guide or REST reference describes an
 * oversized or malformed answer, so the client treats one as a state it cannot read and stops after a
 * few (the limit below is this client's choice, safe under every reading: it never writes to such a node).
 */
import type { PlanStep } from "../../core/plan";
import { readLiveness, type Liveness } from "./node-state";
import { failedStep, type RunContext } from "./run-context";
import type { NodeHandle } from "./step-kit";
import { WaitStopped } from "./types";

/** Unreadable answers in a row that stop a wait: a few, so one odd answer while services start is not a stop. */
export const UNREADABLE_ANSWERS_LIMIT = 3;

export function livenessWatch(ctx: RunContext, node: NodeHandle, step: PlanStep) {
  let inARow = 0;
  return {
    /** One read; throws `WaitStopped` (kind `unreadable-answers`) at the limit. */
    async read(): Promise<Liveness> {
      const l = await readLiveness(node.client);
      if (l.phase !== "unreadable") {
        inARow = 0;
        return l;
      }
      inARow++;
      if (inARow >= UNREADABLE_ANSWERS_LIMIT)
        throw new WaitStopped(
          "unreadable-answers",
          `cluster ${ctx.cluster}, node ${node.name}, step ${step.seq} ${step.action}: ${node.name} answered ${inARow} times in a row while we waited for it to come back, but not as SPS does (last: ${l.error}); it is in a state this run cannot read, so nothing more is sent to it. Check it on its console or in its web interface; once it shows its version again, run again: the run resumes at this step`,
          { step: failedStep(step), rule: "S12" },
        );
      return l;
    },
  };
}
