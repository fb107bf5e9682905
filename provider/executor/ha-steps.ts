/**
 * The HA-only steps of a hop (rule H2, H3): wait for the firmware to reach the secondary, shut the
 * secondary down, power it on again through IPMI, wait for it to rejoin, "activate slave", verify.
 * Each reads the pair live first (`readHaState`) and skips what is already true.
 */
import { ManualStepRequired } from "../clients/system-control/errors";
import type { PlanStep } from "../../core/plan";
import { expectActivation } from "./boot-watch";
import { rebootMarkOf, rebootStarted } from "./checkpoint";
import {
  pairConverged,
  pairSettledWithoutActivation,
  readPair,
  secondaryRejoined,
  type PairView,
} from "./ha";
import { crossesStorageReorganisation } from "../../core/rules";
import { atOrPast } from "./node-state";
import type { RunContext } from "./run-context";
import {
  channelPhrase,
  done,
  ensureUp,
  hopFrom,
  hopOf,
  hopTarget,
  skipped,
  stepError,
  where,
  type NodeHandle,
  type StepOutcome,
} from "./step-kit";

/** H2: polls the pair's HA state until `until` holds, within the wait's own deadline. */
function waitForPair(
  ctx: RunContext,
  node: NodeHandle,
  step: PlanStep,
  { until, ...wait }: { what: string; deadlineMs: number; hint?: string; until: (p: PairView) => boolean },
): Promise<PairView> {
  return ctx.waitFor({ ...wait, rule: "H2", step }, async () => {
    const p = await readPair(ctx, node, step);
    return until(p) ? p : undefined;
  });
}

/**
 * H2 on resume: the secondary was shut down for a later hop than this step's, so powering it on
 * (or waiting for it) belongs to that hop, after the primary's reboot — not to this earlier hop.
 */
function downForLaterHop(ctx: RunContext, node: NodeHandle, step: PlanStep): number | undefined {
  const down = ctx.checkpoint.secondaryDown[node.name];
  return down !== undefined && down > hopOf(step) ? down : undefined;
}

async function withManual<T>(
  ctx: RunContext,
  step: PlanStep,
  what: string,
  op: () => Promise<T>,
): Promise<T> {
  try {
    return await op();
  } catch (e) {
    if (!(e instanceof ManualStepRequired)) throw e;
    throw stepError(
      "manual-step-required",
      step,
      `${where(ctx, step)}: ${what} by hand, then run again:\n${e.instructions.join("\n")}`,
      { rule: "H2", cause: e },
    );
  }
}

/** H2: the new firmware (after-reboot selection) has reached the secondary (usually within 60 s). */
export async function waitSecondarySync(
  ctx: RunContext,
  node: NodeHandle,
  step: PlanStep,
): Promise<StepOutcome> {
  const target = hopTarget(ctx, step);
  const running = await ensureUp(ctx, node, step);
  if (atOrPast(running, target)) return skipped(`primary already on the hop target (running ${running})`);
  const first = await readPair(ctx, node, step);
  if (first.secondary.power === "off")
    return skipped(`secondary ${first.secondary.unit} already shut down for this hop`);
  const synced = (v: PairView): boolean =>
    v.state.firmwareSynced === true && v.secondary.firmware.active === target;
  if (synced(first)) return skipped(`firmware ${target} already on the secondary ${first.secondary.unit}`);
  const v = await waitForPair(ctx, node, step, {
    what: `firmware ${target} synced to the secondary of ${node.name}`,
    deadlineMs: ctx.deadlines.secondarySyncMs,
    hint: "check the HA link on the High Availability page",
    until: synced,
  });
  return done(`firmware ${target} synced to secondary ${v.secondary.unit}`);
}

/** H2: shut the secondary down before the primary reboots. */
export async function shutdownSecondary(
  ctx: RunContext,
  node: NodeHandle,
  step: PlanStep,
): Promise<StepOutcome> {
  const target = hopTarget(ctx, step);
  const hop = hopOf(step);
  const running = await ensureUp(ctx, node, step);
  if (atOrPast(running, target) || rebootStarted(rebootMarkOf(ctx.checkpoint, node.name, target)))
    return skipped(`primary already rebooted for this hop (running ${running})`);
  const view = await readPair(ctx, node, step);
  const off = view.secondary.power === "off";
  if (!off || ctx.checkpoint.secondaryDown[node.name] === undefined)
    await ctx.save((c) => {
      c.secondaryDown[node.name] = hop;
    });
  if (off) return skipped(`secondary ${view.secondary.unit} already off`);
  await withManual(ctx, step, `shut the secondary (${view.secondary.unit}) down`, () =>
    ctx.inputs.systemControl.shutdownSecondary(view.pair),
  );
  await waitForPair(ctx, node, step, {
    what: `secondary ${view.secondary.unit} of ${node.name} powered off`,
    deadlineMs: ctx.deadlines.secondarySyncMs,
    until: (p) => p.secondary.power === "off",
  });
  return done(`secondary ${view.secondary.unit} shut down`);
}

/** H2: power the secondary on (through IPMI, or the channel configured for it) after the primary runs the hop target. */
export async function powerOnSecondary(
  ctx: RunContext,
  node: NodeHandle,
  step: PlanStep,
): Promise<StepOutcome> {
  await ensureUp(ctx, node, step);
  const later = downForLaterHop(ctx, node, step);
  if (later !== undefined)
    return skipped(`the secondary was shut down for hop ${later}; it is powered on in that hop`);
  const view = await readPair(ctx, node, step);
  const on = view.secondary.power === "on";
  if (!on)
    await withManual(ctx, step, `power the secondary (${view.secondary.unit}) on through its BMC`, () =>
      ctx.inputs.systemControl.powerOnSecondary(view.pair),
    );
  if (ctx.checkpoint.secondaryDown[node.name] !== undefined)
    await ctx.save((c) => {
      delete c.secondaryDown[node.name];
    });
  if (on) return skipped(`secondary ${view.secondary.unit} already powered on`);
  // Name the channel the operation was routed to (IPMI by rule H2, but `command` is allowed too).
  const how = channelPhrase(ctx, "powerOnSecondary", "through system control");
  return done(`secondary ${view.secondary.unit} powered on ${how} (${view.pair.secondary})`);
}

/** H3: the plan activates the secondary in this step's hop (6.0 and later; the 5.11 procedure has no such step). */
function hopActivates(ctx: RunContext, step: PlanStep): boolean {
  return ctx.inputs.plan.steps.some(
    (s) => s.node === step.node && s.hop === step.hop && s.action === "activate-secondary",
  );
}

const READINGS = {
  lower: "boot firmware Current lower than Active, as the upgrade guide shows before Activate Slave",
  "on-target": "boot firmware already on the target",
} as const;

/**
 * H2: the secondary booted (its own first boot into the target — only read here), synced its data and
 * is visible again ("Other node" appears), with its boot firmware Active on the target and Current lower
 * (the documented state before "Activate Slave") or already on the target: `secondaryRejoined`.
 */
export async function waitSecondaryRejoin(
  ctx: RunContext,
  node: NodeHandle,
  step: PlanStep,
): Promise<StepOutcome> {
  const target = hopTarget(ctx, step);
  await ensureUp(ctx, node, step);
  const later = downForLaterHop(ctx, node, step);
  if (later !== undefined)
    return skipped(`the secondary was shut down for hop ${later}; it rejoins in that hop`);
  const first = await readPair(ctx, node, step);
  const already = secondaryRejoined(first.state, target);
  if (already)
    return skipped(
      `secondary ${first.secondary.unit} already synced and visible on ${target} (${READINGS[already]})`,
    );
  // A pair already past this hop (a resumed run of a later hop) counts as rejoined for this one.
  if (pairBootedPast(first, target))
    return skipped(`both units of ${node.name} already run ${target} or later (HA ${first.state.status})`);
  const beyond = primaryBeyond(first, target);
  if (beyond) return skipped(beyond);
  const from = hopFrom(ctx, step) ?? first.secondary.firmware.current ?? target;
  const deadline =
    ctx.deadlines.secondaryRejoinMs +
    (crossesStorageReorganisation(from, target) ? ctx.deadlines.storageReorganisationMs : 0);
  const v = await waitForPair(ctx, node, step, {
    what: `secondary of ${node.name} booted into ${target}, synced and visible again (boot firmware Active ${target})`,
    deadlineMs: deadline,
    hint: "check the secondary on its console and the HA page (Other node)",
    until: (p) => secondaryRejoined(p.state, target) !== undefined || pairBootedPast(p, target),
  });
  const reading = secondaryRejoined(v.state, target) ?? "on-target";
  const b = v.secondary.firmware;
  return done(rejoinedText(v.secondary.unit, v.state.status, v.state.sync, b, READINGS[reading]));
}

/** The rejoin step's outcome line: `secondary b rejoined (HA status "HA", synced; boot firmware …)`. */
export function rejoinedText(
  unit: string,
  status: string,
  sync: string,
  firmware: { current: string | null; active: string | null },
  reading: string,
): string {
  return `secondary ${unit} rejoined (HA status "${status}", ${sync}; boot firmware current ${firmware.current}, active ${firmware.active}: ${reading})`;
}

/**
 * H2 "Activate slave" (H3: only planned for 6.0 and later). Due only while the unit we rebooted for
 * this hop is still the primary: afterwards the roles have swapped and it is skipped.
 */
export async function activateSecondary(
  ctx: RunContext,
  node: NodeHandle,
  step: PlanStep,
): Promise<StepOutcome> {
  await ensureUp(ctx, node, step);
  const mark = rebootMarkOf(ctx.checkpoint, node.name, hopTarget(ctx, step));
  const view = await readPair(ctx, node, step);
  if (!mark?.unit)
    return skipped(`no reboot of this hop was issued by this tool; unit ${view.primary.unit} stays primary`);
  if (view.primary.unit !== mark.unit)
    return skipped(
      `already activated: unit ${view.primary.unit} is primary (unit ${mark.unit} was rebooted)`,
    );
  const target = hopTarget(ctx, step);
  // A resumed run re-checks earlier hops: two hops swap the roles back, so the unit rebooted for this
  // hop can be primary again — with the pair already at (or on its way to) a later hop's firmware.
  const moved = pairMovedPast(view, target);
  if (moved) return skipped(moved);
  if (secondaryRejoined(view.state, target) === undefined) {
    const f = view.secondary.firmware;
    throw stepError(
      "step-failed",
      step,
      `${where(ctx, step)}: the secondary ${view.secondary.unit} is not back as the upgrade guide describes before "Activate Slave" (HA ${view.state.status}, ${view.state.sync}, power ${view.secondary.power}, boot firmware current ${f.current ?? "unknown"}, active ${f.active ?? "unknown"}; expected synced with Active ${target}); refusing to activate it (rule H2)`,
      { rule: "H2" },
    );
  }
  expectActivation(ctx, node.name, view.secondary.unit);
  await withManual(ctx, step, `activate the secondary (${view.secondary.unit}) ("Activate slave")`, () =>
    ctx.inputs.systemControl.activateSecondary(view.pair),
  );
  const after = await waitForPair(ctx, node, step, {
    what: `unit ${view.secondary.unit} of ${node.name} primary after "Activate slave"`,
    deadlineMs: ctx.deadlines.secondarySyncMs,
    until: (p) => p.primary.unit !== mark.unit,
  });
  return done(`unit ${after.primary.unit} is primary now (was ${mark.unit})`);
}

/**
 * A resumed run re-checks earlier hops: when the primary already runs a later hop's firmware, this
 * hop's rejoin and verification are over (the later hop waits for and verifies the pair).
 */
function primaryBeyond(p: PairView, target: string): string | undefined {
  const current = p.primary.firmware.current;
  if (current === null || !atOrPast(current, target) || current === target) return undefined;
  return `the primary (${p.primary.unit}) already runs ${current}, past this hop's ${target}: the pair is waited for and verified in the later hop`;
}

/** A unit of the pair shows a firmware (Current or Active) past this hop's target: the pair has left this hop. */
function pairMovedPast(p: PairView, target: string): string | undefined {
  const past = p.state.nodes.filter((n) =>
    [n.firmware.current, n.firmware.active].some((v) => v !== null && v !== target && atOrPast(v, target)),
  );
  if (past.length === 0) return undefined;
  return `the pair is past this hop's ${target} (${past.map((n) => `${n.unit}: ${n.firmware.current ?? "?"}/${n.firmware.active ?? "?"}`).join(", ")}); a later hop activates it`;
}

/** Synced "HA" pair whose units all show a boot firmware Current at or past `target` (past this hop's rejoin). */
function pairBootedPast(p: PairView, target: string): boolean {
  return (
    p.state.status === "HA" &&
    p.state.sync === "synced" &&
    p.state.nodes.every((n) => n.firmware.current !== null && atOrPast(n.firmware.current, target))
  );
}

/**
 * A resumed run re-verifies earlier hops: a pair already on its way to a later hop (both units run this
 * hop's target or later, and a later firmware is selected on both — e.g. activated by hand at the next
 * hop's gate) has passed this hop.
 */
function pairPastHop(p: PairView, target: string): boolean {
  const units = p.state.nodes;
  return (
    p.state.status === "HA" &&
    units.length === 2 &&
    units.every(
      (n) =>
        n.firmware.current !== null &&
        n.firmware.active !== null &&
        atOrPast(n.firmware.current, target) &&
        atOrPast(n.firmware.active, n.firmware.current),
    ) &&
    units.some((n) => n.firmware.active !== target || n.firmware.current !== target)
  );
}

/** H2: current and active firmware equal the hop target on both units. */
export async function verifyHa(ctx: RunContext, node: NodeHandle, step: PlanStep): Promise<StepOutcome> {
  const target = hopTarget(ctx, step);
  await ensureUp(ctx, node, step);
  const later = downForLaterHop(ctx, node, step);
  if (later !== undefined)
    return skipped(`the secondary was shut down for hop ${later}; the pair is verified in that hop`);
  const now = await readPair(ctx, node, step);
  const beyond = pairConverged(now.state, target) ? undefined : primaryBeyond(now, target);
  if (beyond) return skipped(beyond);
  // [doc] after "Activate Slave" every Current and Active is the same (6.0 / 6.3 guides); a hop without
  // activation (5.11) is checked as `pairSettledWithoutActivation` says ([unknown] there).
  const activates = hopActivates(ctx, step);
  const settled = (p: PairView): boolean =>
    activates ? pairConverged(p.state, target) : pairSettledWithoutActivation(p.state, target);
  const v = await waitForPair(ctx, node, step, {
    what: activates
      ? `both units of ${node.name} on ${target} (boot firmware Current = Active on both) with HA status "HA"`
      : `the primary of ${node.name} on ${target} and its secondary synced with Active ${target}, HA status "HA"`,
    deadlineMs: ctx.deadlines.secondarySyncMs,
    until: (p) => settled(p) || pairPastHop(p, target),
  });
  return done(
    `HA ${v.state.status}: ${v.state.nodes.map((n) => `${n.unit}=${n.firmware.current}/${n.firmware.active} (${n.role})`).join(", ")}`,
  );
}
