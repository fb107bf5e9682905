/**
 * What every point of the crash matrix (./crash-matrix.test.ts) must show once the rerun has ended, read
 * from the emulator's event record and model — never from the executor's own account (docs/design-notes.md#the-crash-matrix):
 *
 * - converged: every unit of every node powered on, running (not booting), on the target, current =
 *   active; an HA pair is HA again (synced);
 * - per node and per hop of the plan, in hop order: exactly one firmware upload (or fetch — the emulator
 *   records both as `upload-firmware`), exactly one activation (the upgrade call, or the operator's
 *   web-interface activation at the HA gate) and exactly one reboot into that hop's version (S9, S13);
 * - H2: no unit of an HA pair rebooted while its other unit was powered on (replayed from the power
 *   actions in the record), and no takeover;
 * - who rebooted: the upgrade call itself (reading "reboots", non-HA) or the executor through system
 *   control (reading "selects", and every HA primary — its secondary is shut down first);
 * - the operator passed each HA pair's manual gate once per hop where the run has a gate, never elsewhere;
 * - the operator confirmed each node's support bundle made by hand once per hop, before its activation
 *   (S8: no support-bundle API, or no evidence directory, in these cases), and the configuration backup
 *   and export once per cluster and hop (P1).
 */
import assert from "node:assert/strict";
import type { EmulatorEvent } from "../../../emulator/sps/events";
import type { EmulatedCluster, NodeDecl } from "./emulated-cluster";

/** The hop targets node `name` is planned to reboot into, in order (one `reboot` step per hop). */
export function plannedHops(cluster: EmulatedCluster, name: string): string[] {
  return cluster.plan.steps
    .filter((s) => s.node === name && s.action === "reboot" && s.hop !== null)
    .map((s) => cluster.plan.hops[s.hop! - 1].to);
}

/** H2 replayed from the record: every reboot of a unit of `node` while another unit of it was on. */
export function h2Violations(
  events: readonly EmulatorEvent[],
  node: string,
  units: readonly string[],
): string[] {
  const on = new Map(units.map((u) => [u, true]));
  const out: string[] = [];
  for (const e of events) {
    if (e.node !== node || e.kind !== "action" || e.unit === undefined) continue;
    if (e.name === "shutdown-secondary" || e.name === "power-off") on.set(e.unit, false);
    else if (e.name === "power-on") on.set(e.unit, true);
    else if (e.name === "reboot") {
      const running = units.filter((u) => u !== e.unit && on.get(u));
      if (running.length > 0)
        out.push(
          `event #${e.seq}: unit ${e.unit} rebooted (${String(e.detail?.via)}) while unit ${running.join(", ")} was on`,
        );
    }
  }
  return out;
}

export interface ConvergedExpectation {
  /** Where (for messages): "crash point 17 (#12 sps1 reboot 6.0.7 waiting)". */
  where: string;
  /** What the emulated upgrade call does: "reboots" — the call is the reboot of a non-HA node. */
  reading: "reboots" | "selects";
  /** HA pairs are activated by the operator at the manual gate (one gate per pair per hop). */
  haGate: boolean;
}

export function assertConverged(
  cluster: EmulatedCluster,
  nodes: readonly NodeDecl[],
  x: ConvergedExpectation,
): void {
  const { where } = x;
  const events = cluster.events();
  const target = cluster.plan.hops.at(-1)?.to;
  assert.ok(target, `${where}: the plan has hops`);
  assert.deepEqual(
    events.filter((e) => e.name === "takeover").map((e) => `#${e.seq} ${e.node}`),
    [],
    `${where}: no takeover — the primary never rebooted while its secondary ran (H2)`,
  );
  const expectedGates: string[] = [];
  for (const n of nodes) {
    const hops = plannedHops(cluster, n.name);
    assert.ok(hops.length > 0, `${where}: ${n.name} has hops in the plan`);
    const mine = events.filter((e) => e.node === n.name && e.kind === "action");
    const versions = (name: string, key: string): string[] =>
      mine.filter((e) => e.name === name).map((e) => String(e.detail?.[key]));
    assert.deepEqual(
      versions("upload-firmware", "version"),
      hops,
      `${where}: ${n.name}: exactly one upload (or fetch) per hop`,
    );
    assert.deepEqual(
      versions("activate-firmware", "version"),
      hops,
      `${where}: ${n.name}: exactly one activation per hop`,
    );
    assert.deepEqual(
      versions("reboot", "afterReboot"),
      hops,
      `${where}: ${n.name}: exactly one reboot per hop, into the hop's version (S9, S13)`,
    );
    const gated = n.ha === true && x.haGate;
    assert.deepEqual(
      versions("activate-firmware", "via"),
      hops.map(() => (gated ? "web-interface" : "upgrade-call")),
      `${where}: ${n.name}: activated ${gated ? "by the operator at the HA gate" : "by the upgrade call"}`,
    );
    // Who rebooted: the call itself ("reboots", non-HA), else the executor through system control.
    const via = !n.ha && x.reading === "reboots" ? "upgrade-call" : "system-control";
    assert.deepEqual(
      versions("reboot", "via"),
      hops.map(() => via),
      `${where}: ${n.name}: rebooted by ${via === "upgrade-call" ? "the upgrade call (never a second reboot by the executor)" : "the executor through system control"}`,
    );
    if (gated) for (const h of hops) expectedGates.push(`${n.name} activate-firmware ${h}`);
    for (const h of hops) expectedGates.push(`confirm support-bundle ${n.name} ${h}`);
    const model = cluster.fleet.node(n.name).node;
    const ha = model.haState();
    const units = ha.nodes.map((u) => u.unit);
    assert.deepEqual(h2Violations(events, n.name, units), [], `${where}: ${n.name}: H2`);
    for (const u of ha.nodes)
      assert.ok(
        u.power === "on" &&
          u.phase === "running" &&
          u.firmware.current === target &&
          u.firmware.active === target,
        `${where}: ${n.name}: unit ${u.unit} on, running and on ${target}, nothing left stopped: ${JSON.stringify(u)}`,
      );
    if (n.ha)
      assert.deepEqual([ha.status, ha.sync], ["HA", "synced"], `${where}: ${n.name}: the pair is HA again`);
  }
  // P1: the configuration backup and export confirmed once per cluster and hop.
  for (const h of cluster.plan.hops) expectedGates.push(`confirm backup ${cluster.plan.name} ${h.to}`);
  assert.deepEqual(
    [...cluster.gates].sort(),
    expectedGates.sort(),
    `${where}: the operator passed each gate exactly once per hop (HA activation, S8 bundle by hand, P1 backup)`,
  );
}
