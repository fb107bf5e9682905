/**
 * Operator confirmations: prerequisites the tool cannot do or see itself (a VM snapshot, console
 * redirection, a configuration backup and export, a support bundle made in the web interface) stop the
 * run at a manual gate that names a confirmation; the operator does the work, adds the confirmation to
 * the executor's `confirmed` list (sdk: the cluster's `confirmed`) and runs again. A confirmation is
 * specific to what it confirms (the node, the cluster and hop), so each gate is passed once, and a
 * declared confirmation passes its gate before the run reaches it.
 */
import type { PlanStep } from "../domain/plan";
import type { RunContext } from "./run-context";
import { stepError, where } from "./step-kit";

export interface PendingConfirmation {
  rule: string;
  /** What is to be done ("take a VM snapshot of sps1"). */
  what: string;
  /** The confirmation to add once it is done ("vm-snapshot sps1"). */
  confirm: string;
  /** How to do it, when the tool knows (web-interface steps). */
  how?: readonly string[];
}

export function isConfirmed(ctx: RunContext, confirm: string): boolean {
  return (ctx.inputs.confirmed ?? []).includes(confirm);
}

/** The line a gate prints for each confirmation (scripts and tests look for it). */
export function confirmLine(confirm: string): string {
  return `when done, add "${confirm}" to confirmed and run again`;
}

/** Stops the step at a manual gate when any of `items` is not confirmed yet. */
export function requireConfirmations(
  ctx: RunContext,
  step: PlanStep,
  items: readonly PendingConfirmation[],
): void {
  const pending = items.filter((i) => !isConfirmed(ctx, i.confirm));
  if (pending.length === 0) return;
  const lines = pending.flatMap((p) => [
    `- ${p.what} (rule ${p.rule})`,
    ...(p.how ?? []).map((h, i) => `    ${i + 1}. ${h}`),
    `    ${confirmLine(p.confirm)}`,
  ]);
  throw stepError(
    "manual-step-required",
    step,
    `${where(ctx, step)}: ${pending.length === 1 ? "a prerequisite" : `${pending.length} prerequisites`} the tool cannot do or see must be done and confirmed first; nothing was changed by this step:\n${lines.join("\n")}`,
    { rule: pending[0].rule },
  );
}
