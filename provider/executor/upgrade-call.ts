/**
 * activate-firmware: `POST /api/firmware/upgrade`, observed — never assumed.
 *
 * [doc] 7.1.1 / 8.0 REST guides: "Upgrade SPS to new firmware", body `{slot_id, message}`, errors
 * `FirmwareTestFailed` / `ResourceNotFound` / `IncompleteRequestBodyError`. [ps] Install-SafeguardSpsUpgrade
 * sleeps 60 s after the call and waits for the version to change (it reads the call as the start of the
 * reboot); [doc] the web-interface procedure separates "activate" from "System Control > This node >
 * Reboot". Which a given SPS does is [unknown] (docs/appliance-facts.md §1). So:
 *
 * 1. the reboot mark is saved *before* the call (route "upgrade-call"): a resumed run never calls again
 *    and never reboots a second time (S9, S13);
 * 2. after the call the node is watched for `upgradeCallObserveMs`: it goes away (the call rebooted it —
 *    the reboot step only waits) or stays up with the slot "after reboot" (the reboot step reboots it
 *    through the configured SystemControl route); the progress line says which;
 * 3. S8: the support bundle is made before the call, because the call may be the reboot.
 *
 * HA pairs (H2: the primary never reboots while the secondary runs): the call is made only when the
 * operator declared `upgradeCall: "selects"`. Otherwise the activation is a manual gate with the exact
 * web-interface steps (documented not to reboot); the next run resumes from the selected slot.
 */
import { ApplianceApiError } from "../clients/sps/api-error";
import type { FirmwareSlot } from "../clients/sps/appliance-client";
import { formatDuration } from "../../core/duration";
import type { PlanStep } from "../../core/plan";
import { firmwareTestFailed, uploadedSlot } from "./appliance-steps";
import { noteRunning } from "./boot-watch";
import { rebootMarkOf } from "./checkpoint";
import { readPair } from "./ha";
import { atOrPast, readLiveness } from "./node-state";
import type { RunContext } from "./run-context";
import {
  done,
  ensureUp,
  hopOf,
  hopTarget,
  skipped,
  stepError,
  where,
  type NodeHandle,
  type StepOutcome,
} from "./step-kit";
import { bundleMadeByHand, ensureSupportBundle, requireBundleByHand } from "./support-bundle";
import type { RebootMark } from "./types";

export type Observation = NonNullable<RebootMark["observed"]>;

/** How an HA pair's firmware is activated: by the REST call (declared "selects") or by hand. */
export function haActivationRoute(declared: "reboots" | "selects" | undefined): "upgrade-call" | "manual" {
  return declared === "selects" ? "upgrade-call" : "manual";
}

/** One line for `plannedActions`: the route a step will take and why (HA steps and the activation). */
export function activationRouteNote(ha: boolean, declared: "reboots" | "selects" | undefined): string {
  if (!ha) return "REST upgrade call, then observed: rebooted by the call, else by the reboot step's route";
  return haActivationRoute(declared) === "upgrade-call"
    ? 'REST upgrade call (declared upgradeCall "selects"), secondary shut down before the reboot (H2)'
    : `by hand in the web interface (upgrade call ${declared === "reboots" ? 'declared "reboots"' : "reading unknown"}: it may reboot the primary while the secondary runs, H2)`;
}

function describe(o: Observation, route: string): string {
  return {
    "went-away": "the upgrade call rebooted the node (it went away after the call)",
    "stayed-up": `the upgrade call only selected the slot (the node stayed up); it is rebooted ${route}`,
    unclear:
      "the node stayed up but no slot is selected for the next boot: it may have rebooted and rolled back (S13); it is not rebooted again",
  }[o];
}

function manualActivation(ctx: RunContext, node: NodeHandle, step: PlanStep, slot: FirmwareSlot): Error {
  const target = hopTarget(ctx, step);
  const why =
    ctx.inputs.upgradeCall === "reboots"
      ? 'upgradeCall is declared "reboots": the REST call would reboot the primary while the secondary runs'
      : "what the REST upgrade call does on this version is unknown: it may reboot the primary while the secondary runs";
  return stepError(
    "manual-step-required",
    step,
    [
      `${where(ctx, step)}: activate the firmware of the HA pair by hand (${why}; rule H2):`,
      `  1. Log in to the web interface of ${node.name} (the primary).`,
      `  2. Basic Settings > System > Firmwares: in the row of ${target} (slot ${slot.id}) select "After reboot" and click Activate.`,
      `  3. Do NOT reboot, do NOT click "Reboot cluster" and do not shut the other node down: the tool does that next.`,
      `  4. Run the upgrade again (pulumi up): it waits until ${target} reached the secondary, shuts the secondary down, makes the support bundle and reboots the primary.`,
      `  (To let the tool make the call instead, declare upgradeCall: "selects" for this cluster — only if your SPS version's upgrade call does not reboot.)`,
    ].join("\n"),
    { rule: "H2" },
  );
}

/** S5–S7 (+S8 first): the upgrade call, observed. See the module comment. */
export async function activateFirmware(
  ctx: RunContext,
  node: NodeHandle,
  step: PlanStep,
): Promise<StepOutcome> {
  const target = hopTarget(ctx, step);
  const existing = rebootMarkOf(ctx.checkpoint, node.name, target);
  if (existing?.route === "upgrade-call") {
    if (existing.observed)
      return skipped(`upgrade call made at ${existing.issuedAt}: ${describe(existing.observed, "next")}`);
    // Interrupted while watching: never call again, finish watching (read-only).
    const seen = await observe(ctx, node, step, existing);
    return done(`upgrade call made at ${existing.issuedAt} (resumed): ${describe(seen, routeOfReboot(ctx))}`);
  }
  if (existing) return skipped(`reboot of this hop already issued at ${existing.issuedAt}`);
  const running = await ensureUp(ctx, node, step);
  if (atOrPast(running, target)) return skipped(`node already on the hop target (running ${running})`);
  const slot = await uploadedSlot(ctx, node, step, target, "the upgrade call");
  if (slot.afterReboot) return skipped(`slot ${slot.id} (${target}) already selected "after reboot"`);
  let unit: string | undefined;
  if (node.ha) {
    // S8: where the tool cannot make the bundle, the operator makes it before anything of the hop is activated.
    await requireBundleByHand(ctx, node, step, target, await bundleMadeByHand(ctx, node));
    if (haActivationRoute(ctx.inputs.upgradeCall) === "manual") throw manualActivation(ctx, node, step, slot);
    unit = (await readPair(ctx, node, step)).primary.unit;
  } else {
    // S8: the call may be the reboot, so the bundle comes first — made by the tool, or by the operator in
    // the web interface and confirmed ([doc] the guides' order: support bundle, then the reboot).
    const made = await ensureSupportBundle(ctx, node, step, "before-reboot");
    if (made.note) await requireBundleByHand(ctx, node, step, target, made.note);
  }
  const mark: RebootMark = {
    node: node.name,
    hop: hopOf(step),
    fromVersion: running,
    toVersion: target,
    ...(unit ? { unit } : {}),
    issuedAt: ctx.nowIso(),
    route: "upgrade-call",
  };
  await ctx.save((c) => {
    c.reboots.push(mark);
  });
  try {
    await node.client.activateFirmware(slot.id, `pulumi-sps: ${target} (hop ${hopOf(step)})`);
  } catch (e) {
    // An error answer means the call did nothing (no reboot): forget the mark. A lost connection is
    // ambiguous: keep the mark and watch, as after a success.
    if (e instanceof ApplianceApiError && e.failure === "http" && (e.status ?? 0) < 500) {
      await ctx.save((c) => {
        c.reboots = c.reboots.filter((r) => !(r.node === node.name && r.toVersion === target));
      });
      if (e.errorType === "FirmwareTestFailed") {
        const d = (e.details ?? {}) as { test_summary?: unknown };
        const summary = typeof d.test_summary === "string" ? d.test_summary : e.message;
        throw firmwareTestFailed(ctx, step, summary, e);
      }
      throw e;
    }
    if (!(e instanceof ApplianceApiError)) throw e;
    ctx.progress(
      step,
      "waiting",
      `the upgrade call of ${node.name} got no answer (${e.message}); watching the node`,
    );
  }
  const seen = await observe(ctx, node, step, mark);
  if (node.ha && seen === "went-away")
    throw stepError(
      "step-failed",
      step,
      `${where(ctx, step)}: upgradeCall is declared "selects", but ${node.name} went away after the upgrade call — the primary rebooted while the secondary ran (rule H2): check the pair on its High Availability page, declare upgradeCall "reboots" (or leave it undeclared) for this version, then run again. The reboot is recorded and not repeated.`,
      { rule: "H2" },
    );
  return done(`slot ${slot.id} (${target}): ${describe(seen, routeOfReboot(ctx))}`);
}

/**
 * S9, S10: a run stopped after an upgrade call (mark saved) before it saw what the call did — the node
 * may go away at any moment ([ps] sleeps 60 s after the call). The steps planned before that activation
 * passed before the mark was saved, so a resumed run skips them instead of reading the node again (the
 * activation step then resumes watching, read-only). Returns the reason to skip, or undefined.
 */
export function beforePendingUpgradeCall(ctx: RunContext, step: PlanStep): string | undefined {
  for (const mark of ctx.checkpoint.reboots) {
    if (mark.node !== step.node || mark.route !== "upgrade-call" || mark.observed !== undefined) continue;
    const activation = ctx.inputs.plan.steps.find(
      (s) => s.node === step.node && s.action === "activate-firmware" && s.version === mark.toVersion,
    );
    if (activation && step.seq < activation.seq)
      return `the upgrade call to ${mark.toVersion} was made at ${mark.issuedAt} and its effect is not yet seen: this step ran before it and is not repeated while ${step.node} may be rebooting (rules S9, S10)`;
  }
  return undefined;
}

function routeOfReboot(ctx: RunContext): string {
  const channel = ctx.inputs.systemControl.channelOf?.("rebootNode");
  return channel === undefined
    ? "through system control"
    : channel === "manual"
      ? "by hand"
      : `through ${channel === "command" ? "the configured command" : channel === "ssh" ? "the core shell" : channel}`;
}

/**
 * Watches the node after the call (read-only, S10) until it goes away, or until `upgradeCallObserveMs`
 * after the call it is still up: with the target slot "after reboot" → stayed-up; without → unclear.
 * Saves what it saw in the mark.
 */
async function observe(
  ctx: RunContext,
  node: NodeHandle,
  step: PlanStep,
  mark: RebootMark,
): Promise<Observation> {
  const windowMs = ctx.deadlines.upgradeCallObserveMs;
  const callAt = Date.parse(mark.issuedAt);
  const seen = await ctx.waitFor<Observation>(
    {
      what: `whether the upgrade call reboots ${node.name} (watching up to ${formatDuration(windowMs)} after the call)`,
      // The probe decides by itself once the window is over; the deadline only bounds a hanging probe.
      deadlineMs: windowMs + 10 * ctx.deadlines.pollIntervalMs,
      rule: "S9",
      step,
    },
    async () => {
      const l = await readLiveness(node.client);
      if (l.phase !== "up") return "went-away";
      noteRunning(ctx, node, step, l.version);
      if (atOrPast(l.version, mark.toVersion)) return "went-away"; // rebooted and already back
      if (ctx.clock.now() - callAt < windowMs) return undefined;
      const selected = (await node.client.listFirmwareSlots()).slots.find((s) => s.afterReboot);
      return selected?.version === mark.toVersion ? "stayed-up" : "unclear";
    },
  );
  await ctx.save((c) => {
    const m = c.reboots.find((r) => r.node === mark.node && r.toVersion === mark.toVersion);
    if (m) m.observed = seen;
  });
  return seen;
}
