/**
 * A reboot, a boot-firmware change or an HA role change this run did not make, seen while it reads or
 * waits on a node: a stop, never a reason to go on (./foreign-state.ts looks only before a write). Every
 * liveness and HA read is compared with what the same run read before (`RunContext.seen`, in memory: a
 * resumed run starts from its first read) and with its checkpoint's reboot marks:
 *
 * - the running firmware changed (`GET /api/info` `firmware_version` [doc]) and no started reboot mark of
 *   this node explains it (from the one version to the other, or back: a rollback, S13);
 * - the node is booting (its web interface answers without the REST API, as during a firmware boot
 *   [doc] upgrade guides, docs/appliance-facts.md §10) while no reboot of this run may be under way;
 * - the pair's primary unit changed and this run made no "Activate slave" (H2) since it read it.
 *
 * [unknown] No public REST field shows an uptime, a boot time or a boot id (docs/rest-api.md: `/api/info`,
 * `/api/health_status`), so a reboot the run sees only as "unreachable" (indistinguishable from a network
 * fault) is waited out; the checks before each write still apply after it.
 */
import type { PlanStep } from "../../core/plan";
import { rebootStarted } from "./checkpoint";
import type { PairView } from "./ha";
import { atOrPast } from "./node-state";
import type { RunContext } from "./run-context";
import { stepError, where, type NodeHandle } from "./step-kit";

/** What this run read of a node last (in memory, for the run). */
export interface SeenNode {
  /** Running firmware, from the last read that found the node up. */
  version?: string;
  /** The pair's primary unit, from the last HA read. */
  primaryUnit?: string;
  /** The unit this run's own "Activate slave" makes primary (set before the call). */
  activating?: string;
}

function seenOf(ctx: RunContext, node: string): SeenNode {
  const s = ctx.seen.get(node) ?? {};
  ctx.seen.set(node, s);
  return s;
}

/**
 * A reboot of this run may be under way on the node: a started reboot mark whose target this run has
 * not yet seen the node run (with nothing read yet in this run — a resumed run — any started mark).
 */
export function ownBootPossible(ctx: RunContext, node: string): boolean {
  const seen = ctx.seen.get(node)?.version;
  return ctx.checkpoint.reboots.some(
    (m) => m.node === node && rebootStarted(m) && (seen === undefined || !atOrPast(seen, m.toVersion)),
  );
}

/** A started reboot mark of this node explains the change from `before` to `now` (a boot into its target, or a rollback). */
function recordedChange(ctx: RunContext, node: string, before: string, now: string): boolean {
  return ctx.checkpoint.reboots.some((m) => {
    const ends = [m.fromVersion, m.toVersion];
    return m.node === node && rebootStarted(m) && ends.includes(before) && ends.includes(now);
  });
}

/** The node answered up on `version`: stops when its firmware changed in a way this run did not make. */
export function noteRunning(ctx: RunContext, node: NodeHandle, step: PlanStep, version: string): void {
  const seen = seenOf(ctx, node.name);
  const before = seen.version;
  if (before !== undefined && before !== version && !recordedChange(ctx, node.name, before, version))
    throw unrecordedChange(
      ctx,
      node,
      step,
      `it ran ${before} when this run read it last and runs ${version} now, and this run's checkpoint records no reboot of it from ${before} to ${version}`,
    );
  seen.version = version;
}

/** The node is booting (web interface up, REST API not): stops unless a reboot of this run may be under way. */
export function noteBooting(ctx: RunContext, node: NodeHandle, step: PlanStep): void {
  if (ownBootPossible(ctx, node.name)) return;
  throw unrecordedChange(
    ctx,
    node,
    step,
    `it is booting (its web interface answers without the REST API, as during a firmware boot), and this run's checkpoint records no reboot of it${ctx.seen.get(node.name)?.version ? ` (it ran ${ctx.seen.get(node.name)?.version} when this run read it last)` : ""}`,
  );
}

/** Called before this run's own "Activate slave": the unit it makes primary is expected next. */
export function expectActivation(ctx: RunContext, node: string, newPrimary: string): void {
  seenOf(ctx, node).activating = newPrimary;
}

/** The pair was read: stops when its primary changed without this run's "Activate slave". */
export function notePair(ctx: RunContext, node: NodeHandle, step: PlanStep, view: PairView): void {
  const seen = seenOf(ctx, node.name);
  const now = view.primary.unit;
  if (seen.primaryUnit !== undefined && seen.primaryUnit !== now) {
    if (seen.activating !== now)
      throw unrecordedChange(
        ctx,
        node,
        step,
        `unit ${seen.primaryUnit} was the primary of the HA pair when this run read it last and unit ${now} is now; this run made no "Activate slave" since (a takeover, or an activation by another run or by hand)`,
      );
    delete seen.activating;
  }
  seen.primaryUnit = now;
}

function unrecordedChange(ctx: RunContext, node: NodeHandle, step: PlanStep, saw: string): Error {
  const appliance = ctx.inputs.nodes[node.name]?.address ?? node.name;
  return stepError(
    "foreign-state",
    step,
    [
      `${where(ctx, step)}: the appliance ${appliance} changed in a way this run did not make: ${saw}. Another run (another stack or runner declaring this appliance) or a person may be working on it; this run stops here and writes nothing more to it.`,
      `  - If another run is upgrading ${appliance}, let it finish: this run then finds the node on its target and has nothing to do. Declare each appliance in one stack only.`,
      `  - If a person did it, or nothing else is working on it: check the node (Basic Settings > System > Firmwares; for a pair, the High Availability page), then run again — the next run reads the node afresh and goes on from what it finds.`,
    ].join("\n"),
  );
}
