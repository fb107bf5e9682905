/**
 * Operator confirmations: prerequisites the tool cannot do or see itself (a VM snapshot, console
 * redirection, a configuration backup and export, a support bundle made in the web interface) stop the
 * run at a manual gate that names a confirmation; the operator does the work, adds the confirmation to
 * the executor's `confirmed` list (sdk: the cluster's `confirmed`) and runs again. A confirmation is
 * specific to what it confirms (the node, the cluster and hop), so each gate is passed once, and a
 * declared confirmation passes its gate before the run reaches it.
 */
import type { PlanStep } from "../../core/plan";
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

/** S8: the support bundle of `node` before the reboot of the hop into `version`, made by hand. */
export function bundleConfirmation(node: string, version: string): string {
  return `support-bundle ${node} ${version}`;
}

/** P1: the configuration backup and export of `cluster` before the hop into `version`. */
export function backupConfirmation(cluster: string, version: string): string {
  return `backup ${cluster} ${version}`;
}

/**
 * P1 for the hop into `version`: what the operator does ([doc] UG 5.11/6.0/6.3, "Prerequisites for
 * upgrading SPS": "Back up your configuration and your data", "Export your configuration"). No REST
 * endpoint and no call of One Identity's public client (safeguard-ps) makes or exports an SPS
 * configuration backup (docs/rest-api.md: configuration export/import not found; `system_backup` only
 * names the scheduled backup policy), so the tool cannot make it: a gate once per cluster and hop.
 */
export function backupPending(cluster: string, hop: number, version: string): PendingConfirmation {
  return {
    rule: "P1",
    what: `back up the configuration and data of every node of cluster ${cluster} and export its configuration before hop ${hop} → ${version}`,
    confirm: backupConfirmation(cluster, version),
    how: [
      'run a configuration and data backup (Administration Guide: "Data and configuration backups"; Basic Settings > Management > System backup)',
      'export the configuration (Administration Guide: "Exporting the configuration of SPS"; Basic Settings > System > Export configuration) and keep the file as sensitive',
    ],
  };
}
