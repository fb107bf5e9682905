/**
 * The HA pair behind one plan node, read live (rule H2): which unit is primary now, which is the
 * secondary, their power and firmware. "Activate slave" swaps the roles, so nothing here is cached.
 */
import type { HaNodeState, HaPair, HaState } from "../clients/system-control/operations";
import type { PlanStep } from "../../core/plan";
import { notePair } from "./boot-watch";
import { atOrPast } from "./node-state";
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
  const view = pairFrom(ctx, node, step, state);
  // A role change this run did not make (a takeover, another run's "Activate slave") stops it: ./boot-watch.ts.
  notePair(ctx, node, step, view);
  return view;
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

/**
 * Both units show `target` as current and active firmware, and the pair is "HA" (H2 final check).
 * [doc] 6.0 / 6.3 upgrade guides, after "Activate Slave": "check the version numbers next to Current
 * and Active on both the primary and the secondary node. These version numbers should all be the same."
 */
export function pairConverged(state: HaState, target: string): boolean {
  return (
    state.status === "HA" &&
    state.nodes.length === 2 &&
    state.nodes.every((n) => n.firmware.current === target && n.firmware.active === target)
  );
}

/** HA statuses that mean there is no pair to activate (sps-rest-api.md §6: one node standalone, different HA UUIDs). */
const NOT_A_PAIR: readonly HaState["status"][] = ["Standalone", "Half", "Broken"];

/**
 * How the secondary's boot firmware reads once it is back: "lower" — Current lower than Active, the state
 * the 6.0 and 6.3 guides document before "Activate Slave"; "on-target" — Current already at the target
 * (what the pair shows after activation, and a reading no guide rules out for a given reporting channel).
 */
export type SecondaryBootReading = "lower" | "on-target";

/**
 * H2 "wait for the secondary to rejoin", by the guides:
 * - [doc] 6.0 / 6.3 upgrade guides, "Upgrading an SPS high-availability cluster", after powering on the
 *   secondary: it "reconnects to the primary node to sync data … This process is finished when the
 *   Basic Settings > High availability & Nodes > Other node appears" — here: the secondary is listed,
 *   powered on and its data sync has finished (`sync` "synced").
 * - [doc] same place: "on the Other node > Boot firmware version, the version number next to Current is
 *   lower than the version number next to Active" — Active is the hop target, Current lower ("lower").
 * - [unknown] What HA status the page shows at this stage, and what a reporting channel (the operator's
 *   wrapper, a command) prints for Current: a status other than Standalone/Half/Broken is accepted when
 *   the sync has finished, and a Current already at the target ("on-target") as well — activation is the
 *   next step under either reading, and the appliance's own rule stands: no takeover while the secondary
 *   is not in sync (HA next-hop monitoring text).
 * Anything else (Active not the target, Current above Active, sync not finished) is not the documented
 * state: keep waiting.
 */
export function secondaryRejoined(state: HaState, target: string): SecondaryBootReading | undefined {
  if (NOT_A_PAIR.includes(state.status) || state.sync !== "synced") return undefined;
  const secondary = state.nodes.find((n) => n.role === "secondary");
  if (!secondary || secondary.power !== "on") return undefined;
  const { current, active } = secondary.firmware;
  if (current === null || active !== target) return undefined;
  if (current === target) return "on-target";
  return atOrPast(current, active) ? undefined : "lower";
}

/**
 * H2 final check of a hop without "Activate Slave" (H3: the 5.11 procedure has none). [unknown] The 5.11
 * guide shows no Current/Active check and says nothing of the secondary's boot firmware after its boot:
 * the pair passes converged, or with the primary on the target (Current = Active) and the secondary's
 * boot firmware Current lower than its Active target — the state the 6.x guides show before activation.
 */
export function pairSettledWithoutActivation(state: HaState, target: string): boolean {
  if (pairConverged(state, target)) return true;
  const primary = state.nodes.find((n) => n.role === "primary");
  return (
    state.status === "HA" &&
    state.nodes.length === 2 &&
    primary !== undefined &&
    primary.firmware.current === target &&
    primary.firmware.active === target &&
    secondaryRejoined(state, target) === "lower"
  );
}
