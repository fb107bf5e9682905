/**
 * Shared pieces of the step handlers: what a handler returns, the per-node handle (REST client,
 * SystemControl names), the "node must be up" guard (rule S10: nothing but read-only waits while a
 * node boots) and error helpers that attach the failing step.
 */
import type { ApplianceClient } from "../clients/sps/appliance-client";
import { rebootDeadlineMs } from "../../core/deadlines";
import type { Hop, PlanStep } from "../../core/plan";
import { CHANNEL_PHRASES, type SystemControlOperation } from "../clients/system-control/operations";
import { noteBooting, noteRunning } from "./boot-watch";
import { livenessWatch } from "./liveness-watch";
import type { Liveness } from "./node-state";
import { failedStep, type RunContext } from "./run-context";
import { ExecutionError, type ExecutionFailureKind, type HaBinding, type NodeBinding } from "./types";

export interface StepOutcome {
  status: "done" | "skipped";
  detail: string;
  /**
   * Text the step's progress line adds after `detail` — the run's output, redacted by its consumer —
   * but not the recorded detail (the stack's state): the firmware's Upgrade Notes (./upgrade-notes.ts).
   */
  shown?: string;
}

export const done = (detail: string): StepOutcome => ({ status: "done", detail });
export const skipped = (detail: string): StepOutcome => ({ status: "skipped", detail });

export interface NodeHandle {
  name: string;
  client: ApplianceClient;
  /** SystemControl node name for this-node operations (HA: the pair's core shell, following the primary). */
  controlName: string;
  ha: HaBinding | undefined;
}

export function nodeHandle(name: string, binding: NodeBinding): NodeHandle {
  return {
    name,
    client: binding.client,
    controlName: binding.ha?.primary ?? binding.controlName ?? name,
    ha: binding.ha,
  };
}

export function stepError(
  kind: ExecutionFailureKind,
  step: PlanStep,
  message: string,
  options: { rule?: string; cause?: unknown } = {},
): ExecutionError {
  return new ExecutionError(kind, message, { step: failedStep(step), ...options });
}

/**
 * How a SystemControl operation is carried, for step details: "through IPMI", "through the
 * configured command", … — or `unknown` when the SystemControl cannot tell its route.
 */
export function channelPhrase(ctx: RunContext, operation: SystemControlOperation, unknown: string): string {
  const channel = ctx.inputs.systemControl.channelOf?.(operation);
  return channel ? CHANNEL_PHRASES[channel] : unknown;
}

export function where(ctx: RunContext, step: PlanStep): string {
  return `cluster ${ctx.cluster}, node ${step.node}, step ${step.seq} ${step.action}${step.hop !== null ? ` (hop ${step.hop}${step.version ? ` → ${step.version}` : ""})` : ""}`;
}

/** The 1-based hop index of a step (0 for steps not tied to a hop). */
export function hopOf(step: PlanStep): number {
  return step.hop ?? 0;
}

/** The plan's hop a step belongs to (none for steps not tied to a hop). */
function planHop(ctx: RunContext, step: PlanStep): Hop | undefined {
  return step.hop !== null ? ctx.inputs.plan.hops[step.hop - 1] : undefined;
}

/** The revision the step's hop starts from (cluster hop list), for the P14 deadlines. */
export function hopFrom(ctx: RunContext, step: PlanStep): string | undefined {
  return planHop(ctx, step)?.from;
}

/** The hop target of an appliance step (planner: every hop step carries `version`). */
export function hopTarget(ctx: RunContext, step: PlanStep): string {
  const v = step.version ?? planHop(ctx, step)?.to;
  if (!v) throw stepError("input-missing", step, `${where(ctx, step)}: the plan step has no target version`);
  return v;
}

/**
 * Waits (read-only) until the node's web interface is up and returns its running version. A node
 * that is down or in its first boot gets nothing else (S10); the deadline is S12's (+P14). A node that
 * answers in a way nothing documents stops the wait after a few such answers (./liveness-watch.ts).
 */
export async function ensureUp(
  ctx: RunContext,
  node: NodeHandle,
  step: PlanStep,
  options: { crossesStorageReorganisation?: boolean; what?: string } = {},
): Promise<string> {
  const watch = livenessWatch(ctx, node, step);
  const first = watched(ctx, node, step, await watch.read());
  if (first.phase === "up") return first.version;
  return waitForWebInterface(
    ctx,
    step,
    {
      what: options.what ?? `web interface of ${node.name} back (it is ${first.phase})`,
      deadlineMs: rebootDeadlineMs(ctx.deadlines, options.crossesStorageReorganisation ?? true),
      hint: "console access needed: check the appliance on its console, then run again",
    },
    async () => {
      const l = watched(ctx, node, step, await watch.read());
      return l.phase === "up" ? l.version : undefined;
    },
  );
}

/**
 * A liveness read outside this run's own reboot waits, checked against what the run read before
 * (./boot-watch.ts): a boot or a firmware change this run did not make stops the step.
 */
function watched(ctx: RunContext, node: NodeHandle, step: PlanStep, l: Liveness): Liveness {
  if (l.phase === "up") noteRunning(ctx, node, step, l.version);
  else if (l.phase === "booting") noteBooting(ctx, node, step);
  return l;
}

/**
 * S12: polls (read-only, S10) until `probe` returns the node's running version; past the deadline the
 * step fails with `web-interface-not-back` and the hint (console access needed).
 */
export function waitForWebInterface(
  ctx: RunContext,
  step: PlanStep,
  wait: { what: string; deadlineMs: number; hint: string },
  probe: () => Promise<string | undefined>,
): Promise<string> {
  return ctx.waitFor({ ...wait, kind: "web-interface-not-back", rule: "S12", step }, probe);
}
