/**
 * Emulated HA next-hop monitoring (rule H4; seed sps-ha-next-hop-and-upgrade-checklist.txt).
 *
 * Per HA pair: the node's interfaces (name + IPv4 CIDR), the configured targets (per interface an
 * address for "this node" = pinged by the primary, and one for "other node" = pinged by the
 * secondary), and the effective targets. A configuration change becomes effective only after both
 * units have restarted (each unit's boot count passed the one recorded at the change).
 *
 * Reachability of addresses is the emulator's control input (`setNextHopReachability`); each change
 * re-evaluates the takeover rule with the domain's `takeoverDecision`: the secondary reaching more
 * monitored addresses than the primary forces a takeover ("activate slave" in the node model),
 * unless the secondary is not fully synced (HA link not "synced").
 *
 * The REST shape that serves this (emulator/sps/api-next-hop-routes.ts) is [inference]: next-hop
 * monitoring has no documented REST path.
 */
import { takeoverDecision, type NextHopTarget, type TakeoverDecision } from "../../core/next-hop";
import type { EmulatedNode } from "../sps/emulated-node";

export interface NextHopInterface {
  interface: string;
  cidr: string;
}

export interface NextHopDecisionRecord {
  decision: TakeoverDecision;
  primaryReachable: number;
  secondaryReachable: number;
  secondarySynced: boolean;
  /** Unit id of the primary after the decision. */
  primaryUnit: string;
  at: number;
}

export interface NextHopState {
  interfaces: NextHopInterface[];
  configured: NextHopTarget[];
  effective: NextHopTarget[];
  /** Boot counts of the units when the configuration last changed; undefined: nothing pending. */
  changedAtBoots: Record<string, number> | undefined;
  /** Address → reachable from the primary / from the secondary (default: reachable). */
  reachability: Map<string, { fromPrimary: boolean; fromSecondary: boolean }>;
  lastDecision: NextHopDecisionRecord | undefined;
  /**
   * Does this node's REST tree offer the emulator's [inference] next-hop path? (fleet file:
   * `emulator.nextHopRest`, default true). false: as a real SPS is documented — no REST path, the
   * setting lives in the web interface only.
   */
  restOffered: boolean;
}

/** Documentation-range interface addresses of every emulated node (data only, never contacted). */
export const DEFAULT_INTERFACES: NextHopInterface[] = [
  { interface: "external", cidr: "192.0.2.5/24" },
  { interface: "management", cidr: "198.51.100.5/24" },
];

const STATES = new WeakMap<EmulatedNode, NextHopState>();

function bootCounts(node: EmulatedNode): Record<string, number> {
  const ha = node.systemControl().haState();
  return Object.fromEntries(ha.nodes.map((n) => [n.unit, n.bootCount]));
}

/** The next-hop state of a node, with a pending change made effective once both units restarted. */
export function nextHopStateOf(node: EmulatedNode): NextHopState {
  let s = STATES.get(node);
  if (!s) {
    s = {
      interfaces: DEFAULT_INTERFACES.map((i) => ({ ...i })),
      configured: [],
      effective: [],
      changedAtBoots: undefined,
      reachability: new Map(),
      lastDecision: undefined,
      restOffered: true,
    };
    STATES.set(node, s);
  }
  if (s.changedAtBoots) {
    const now = bootCounts(node);
    const at = s.changedAtBoots;
    if (Object.keys(at).every((unit) => (now[unit] ?? 0) > (at[unit] ?? 0))) {
      s.effective = s.configured.map((t) => ({ ...t }));
      s.changedAtBoots = undefined;
      node.record("state", "next-hop-effective", { targets: s.effective.length });
    }
  }
  return s;
}

/** Stores a new configuration; it takes effect after both units restart (H4). */
export function configureNextHops(node: EmulatedNode, targets: readonly NextHopTarget[]): boolean {
  const s = nextHopStateOf(node);
  const same = JSON.stringify(s.configured) === JSON.stringify(targets);
  if (same) return false;
  s.configured = targets.map((t) => ({ ...t }));
  s.changedAtBoots = bootCounts(node);
  node.record("action", "next-hop-configured", { targets: targets.length });
  return true;
}

/** Emulator control: which monitored addresses answer pings; re-evaluates the takeover rule. */
export function setNextHopReachability(
  node: EmulatedNode,
  address: string,
  reach: { fromPrimary?: boolean; fromSecondary?: boolean },
): NextHopDecisionRecord {
  const s = nextHopStateOf(node);
  const was = s.reachability.get(address) ?? { fromPrimary: true, fromSecondary: true };
  s.reachability.set(address, { ...was, ...reach });
  return evaluateNextHops(node);
}

/** Counts reachable monitored addresses per side and applies the H4 takeover rule. */
export function evaluateNextHops(node: EmulatedNode): NextHopDecisionRecord {
  const s = nextHopStateOf(node);
  const control = node.systemControl();
  const ha = control.haState();
  const reach = (a: string) => s.reachability.get(a) ?? { fromPrimary: true, fromSecondary: true };
  const secondaryUp = ha.secondary !== null && ha.secondary.phase === "running";
  const primaryReachable = s.effective.filter((t) => reach(t.thisNode).fromPrimary).length;
  const secondaryReachable = secondaryUp
    ? s.effective.filter((t) => reach(t.otherNode).fromSecondary).length
    : 0;
  const secondarySynced = ha.sync === "synced";
  const decision = takeoverDecision({ primaryReachable, secondaryReachable, secondarySynced });
  if (decision === "takeover") {
    node.record("state", "next-hop-takeover", { primaryReachable, secondaryReachable });
    control.activateSecondary();
  } else if (decision === "refused-not-synced") {
    node.record("state", "next-hop-takeover-refused", { sync: ha.sync });
  }
  const record: NextHopDecisionRecord = {
    decision,
    primaryReachable,
    secondaryReachable,
    secondarySynced,
    primaryUnit: control.haState().primary.unit,
    at: node.clock.now(),
  };
  s.lastDecision = record;
  return record;
}
