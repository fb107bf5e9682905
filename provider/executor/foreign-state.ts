/**
 * One run per appliance, read from the appliance itself (./README.md, "Another run on the same
 * appliance"): checkpoints are per stack and cluster, so two stacks (or runners) declaring one SPS share
 * only the appliance. Before each write of a hop (upload, test, upgrade call, reboot) a slot holding the
 * hop target that this run did not fill, or a slot selected for the next boot without a reboot mark of
 * this run, stops the node with kind `foreign-state` (`foreignState`) instead of a second test, upgrade
 * call or reboot. The marks are saved before each write, so a resumed run recognises its own work.
 *
 * A test leaves nothing the REST API shows ([unknown]: no documented field records a test), so a
 * foreign test cannot be seen; it is excluded by never testing an image this run did not upload.
 * An HA pair activated by hand (the manual gate, H2) has no reboot mark: its selected slot counts as
 * this run's when it holds the image this run uploaded.
 */
import type { FirmwareSlot } from "../clients/sps/appliance-client";
import type { PlanStep } from "../../core/plan";
import { fetchMarkOf, rebootMarkOf } from "./checkpoint";
import { confirmLine, isConfirmed } from "./confirmations";
import type { RunContext } from "./run-context";
import { hopOf, stepError, where, type NodeHandle } from "./step-kit";
import { haActivationRoute } from "./upgrade-call";
import type { ImageMark } from "./types";

/** The upload recorded for a node's hop, matched on the target revision. */
export function imageMarkOf(ctx: RunContext, node: string, toVersion: string): ImageMark | undefined {
  return ctx.checkpoint.images?.find((i) => i.node === node && i.toVersion === toVersion);
}

/** Saves the upload mark before the upload is sent (the slot is added once the appliance names it). */
export async function markUpload(
  ctx: RunContext,
  node: NodeHandle,
  step: PlanStep,
  target: string,
): Promise<void> {
  await ctx.save((c) => {
    const others = (c.images ?? []).filter((i) => !(i.node === node.name && i.toVersion === target));
    c.images = [...others, { node: node.name, hop: hopOf(step), toVersion: target, startedAt: ctx.nowIso() }];
  });
}

export async function recordUploadSlot(
  ctx: RunContext,
  node: NodeHandle,
  target: string,
  slot: number,
): Promise<void> {
  await ctx.save((c) => {
    const m = c.images?.find((i) => i.node === node.name && i.toVersion === target);
    if (m) m.slot = slot;
  });
}

/**
 * The confirmation that adopts a finished image left in a slot (by a run whose checkpoint is gone — a
 * converged stack rolled back out of band — or by hand): the operator checks that nothing else is
 * upgrading the node and that the slot holds the declared image (the REST slot shows its version, no
 * checksum: docs/rest-api.md), and the run then takes the slot as its own. Specific to node, slot and
 * version, so it adopts no other slot and no later upload into another one.
 */
export function adoptConfirmation(node: string, slot: number, version: string): string {
  return `adopt-slot ${node} ${slot} ${version}`;
}

function adopted(ctx: RunContext, node: NodeHandle, slot: FirmwareSlot): boolean {
  return slot.version !== undefined && isConfirmed(ctx, adoptConfirmation(node.name, slot.id, slot.version));
}

/** Whether a slot holding the target is this run's: uploaded (the recorded slot), fetched by the node or adopted. */
function ours(
  ctx: RunContext,
  node: NodeHandle,
  target: string,
  slot: FirmwareSlot,
  holding: number,
): boolean {
  if (fetchMarkOf(ctx.checkpoint, node.name, target)) return true;
  if (adopted(ctx, node, slot)) return true;
  const mark = imageMarkOf(ctx, node.name, target);
  if (!mark) return false;
  // Stopped between the upload and recording its slot: the one slot holding the target is ours.
  return mark.slot === undefined ? holding === 1 : mark.slot === slot.id;
}

/** What on the node this run did not make (the text, and the slot an operator may adopt), or undefined. */
export function foreignState(
  ctx: RunContext,
  node: NodeHandle,
  target: string,
  slots: readonly FirmwareSlot[],
): { found: string; slot: FirmwareSlot } | undefined {
  const holding = slots.filter((s) => !s.empty && !s.current && s.version === target);
  const theirs = holding.find((s) => !ours(ctx, node, target, s, holding.length));
  if (theirs) {
    const mark = imageMarkOf(ctx, node.name, target);
    return {
      found: `firmware ${target} in slot ${theirs.id} was not uploaded by this run (${mark?.slot !== undefined ? `its own upload is slot ${mark.slot}` : "its checkpoint records no upload of it"})`,
      slot: theirs,
    };
  }
  const selected = slots.find((s) => !s.empty && s.afterReboot && !s.current);
  if (selected && !rebootMarkOf(ctx.checkpoint, node.name, target)) {
    const byHand =
      node.ha !== undefined &&
      haActivationRoute(ctx.inputs.upgradeCall) === "manual" &&
      selected.version === target &&
      ours(ctx, node, target, selected, holding.length);
    // An activation the operator adopted (made in the web interface, not booted: S7, S9) is the hop's.
    if (!byHand && !(selected.version === target && adopted(ctx, node, selected)))
      return {
        found: `slot ${selected.id} (${selected.version ?? "unknown version"}) is selected for the next boot, by an upgrade call or activation this run did not make`,
        slot: selected,
      };
  }
  return undefined;
}

/** A download of the declared image on the node that this run did not start (no fetch mark). */
export function foreignDownload(
  ctx: RunContext,
  node: NodeHandle,
  step: PlanStep,
  target: string,
  key: string,
  status: string,
): Error {
  return foreignStateError(
    ctx,
    node,
    step,
    target,
    `a download of firmware ${target} (download ${key}, ${status}) was not started by this run`,
    "a second download",
    `delete that download (REST: DELETE /api/firmware/fetch/${key})`,
  );
}

/**
 * Throws `foreign-state` naming the appliance when the node shows work this run did not do (see the
 * module comment); `before` names the write that is not made ("the upload", "the upgrade test", …).
 */
export function refuseForeignState(
  ctx: RunContext,
  node: NodeHandle,
  step: PlanStep,
  target: string,
  slots: readonly FirmwareSlot[],
  before: string,
): void {
  const foreign = foreignState(ctx, node, target, slots);
  if (!foreign) return;
  const { found, slot } = foreign;
  // Only the declared image can be adopted; the REST slot shows no checksum, so the operator vouches for it.
  const adopt =
    slot.version === target
      ? [
          `  - Or, if nothing else is upgrading it and slot ${slot.id} holds the declared image (firmware["${target}"], the sha256 this stack declares; the REST slot shows only the version), adopt it: ${confirmLine(adoptConfirmation(node.name, slot.id, target))} — this run then tests, activates and boots that slot as its own.`,
        ]
      : [];
  throw foreignStateError(
    ctx,
    node,
    step,
    target,
    found,
    before,
    `in its web interface, Basic Settings > System > Firmwares, delete that firmware slot (REST: DELETE /api/firmware/slots/${slot.id}; a slot selected for the next boot: select the running firmware "After reboot" again first)`,
    adopt,
  );
}

/** The `foreign-state` stop: names the appliance, what was found, the write not made and how to clear it. */
export function foreignStateError(
  ctx: RunContext,
  node: NodeHandle,
  step: PlanStep,
  target: string,
  found: string,
  before: string,
  clear: string,
  more: readonly string[] = [],
): Error {
  const appliance = ctx.inputs.nodes[node.name]?.address ?? node.name;
  return stepError(
    "foreign-state",
    step,
    [
      `${where(ctx, step)}: the appliance ${appliance} is in a state this run did not make: ${found}. Another run (another stack or runner declaring this appliance) may be upgrading it; this run stops before ${before} and writes nothing more to it.`,
      `  - If another run is upgrading ${appliance}, let it finish: this run then finds the node on ${target} and has nothing to do. Declare each appliance in one stack only.`,
      `  - If nothing else is upgrading it (done by hand, or by a run whose checkpoint is gone): ${clear}, then run again — this run then makes and checks its own.`,
      ...more,
    ].join("\n"),
  );
}
