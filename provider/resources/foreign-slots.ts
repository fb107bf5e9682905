/**
 * The preview's view of ../../provider/executor/foreign-state.ts: a firmware slot the run would stop at
 * is named among the planned actions before `up` (the node, the slot, how to clear or adopt it). Not a
 * check failure: the drift job's preview keeps exit 7 for a rollback, which leaves such a slot.
 * A slot (not the running one) that holds a hop target this node's plan uploads, or that is selected
 * for the next boot, and that the stack's own checkpoint does not record (an upload, a download or the
 * hop's upgrade call) was put there by another run, by hand, or by an earlier run of this stack whose
 * checkpoint is gone. The REST slot names a version and no checksum (docs/rest-api.md), so the tool
 * cannot tell a finished copy of the declared image from another run's work in flight: the operator
 * confirms it ("adopt-slot <node> <slot> <version>") or deletes the slot.
 */
import type { FirmwareSlot } from "../clients/sps/appliance-client";
import type { ClusterPlan } from "../../core/plan";
import { fetchMarkOf, rebootMarkOf } from "../executor/checkpoint";
import { adoptConfirmation } from "../executor/foreign-state";
import type { ExecutionCheckpoint } from "../executor/types";

export interface ForeignSlotNode {
  name: string;
  /** The node's firmware slots as read by the preview; absent when not readable. */
  slots?: readonly FirmwareSlot[] | undefined;
}

function recorded(c: ExecutionCheckpoint | null | undefined, node: string, slot: FirmwareSlot): boolean {
  if (!c || slot.version === undefined) return false;
  const v = slot.version;
  if (slot.afterReboot && !rebootMarkOf(c, node, v)) return false;
  if (fetchMarkOf(c, node, v)) return true;
  const mark = c.images?.find((i) => i.node === node && i.toVersion === v);
  return mark !== undefined && (mark.slot === undefined || mark.slot === slot.id);
}

/** Short lines (the preview cuts long ones) per slot `up` would stop at: what, how to adopt, how to clear. */
export function foreignSlotLines(
  nodes: readonly ForeignSlotNode[],
  plan: ClusterPlan,
  confirmed: readonly string[],
  checkpoint: ExecutionCheckpoint | null | undefined,
): string[] {
  return nodes.flatMap((n) => {
    const targets = new Set(
      plan.steps
        .filter((s) => s.node === n.name && (s.action === "upload-firmware" || s.action === "fetch-firmware"))
        .flatMap((s) => (s.hop !== null ? [plan.hops[s.hop - 1]?.to] : []))
        .filter((v): v is string => v !== undefined),
    );
    if (targets.size === 0) return [];
    return (n.slots ?? [])
      .filter((s) => !s.empty && !s.current && s.version !== undefined)
      .filter((s) => targets.has(s.version!) || s.afterReboot)
      .filter((s) => !recorded(checkpoint, n.name, s))
      .filter(
        (s) => !targets.has(s.version!) || !confirmed.includes(adoptConfirmation(n.name, s.id, s.version!)),
      )
      .flatMap((s) => {
        const head = `foreign state (${n.name}) slot ${s.id}`;
        return [
          `${head}: firmware ${s.version}${s.afterReboot ? " selected for the next boot" : ""} not put there by this stack's run; up stops there`,
          ...(targets.has(s.version!)
            ? [
                `${head}: if it is the declared image and nothing else upgrades ${n.name}, add "${adoptConfirmation(n.name, s.id, s.version!)}" to confirmed`,
              ]
            : []),
          `${head}: else let the other run finish, or delete the slot (REST DELETE /api/firmware/slots/${s.id})`,
        ];
      });
  });
}
