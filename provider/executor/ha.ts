/**
 * The HA pair behind one plan node, read live (rule H2): which unit is primary now, which is the
 * secondary, their power and firmware. "Activate slave" swaps the roles, so nothing here is cached.
 */
import type { HaNodeState, HaPair, HaState } from "../appliance/system-control/operations";
import type { PlanStep } from "../domain/plan";
import type { RunContext } from "./run-context";
import { stepError, where, type NodeHandle } from "./step-kit";

export interface PairView {
  state: HaState;
  primary: HaNodeState;
  secondary: HaNodeState;
  /** Names for SystemControl pair operations (primary: core shell; secondary: its BMC). */
  pair: HaPair;
}

export async function readPair(ctx: RunContext, node: NodeHandle, step: PlanStep): Promise<PairView> {
  const ha = node.ha;
  if (!ha)
    throw stepError(
      "input-missing",
      step,
      `${where(ctx, step)}: the plan treats ${node.name} as an HA pair but no \`ha\` binding was given`,
    );
  const state = await ctx.inputs.systemControl.readHaState(ha.primary);
  return pairFrom(ctx, node, step, state);
}

export function pairFrom(ctx: RunContext, node: NodeHandle, step: PlanStep, state: HaState): PairView {
  const ha = node.ha!;
  const primary = state.nodes.find((n) => n.role === "primary");
  const secondary = state.nodes.find((n) => n.role === "secondary");
  if (!primary || !secondary) {
    throw stepError(
      "step-failed",
      step,
      `${where(ctx, step)}: ${node.name} does not report an HA pair (status ${state.status}, units ${state.nodes.map((n) => `${n.unit}:${n.role}`).join(", ") || "none"})`,
      { rule: "H2" },
    );
  }
  return {
    state,
    primary,
    secondary,
    pair: { primary: ha.primary, secondary: ha.units[secondary.unit] ?? secondary.unit },
  };
}

/** Both units run `target` as current and active firmware, and the pair is "HA" (H2 final check). */
export function pairConverged(state: HaState, target: string): boolean {
  return (
    state.status === "HA" &&
    state.nodes.length === 2 &&
    state.nodes.every((n) => n.firmware.current === target && n.firmware.active === target)
  );
}
