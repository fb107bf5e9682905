/**
 * HA next-hop monitoring (rule H4; seed sps-ha-next-hop-and-upgrade-checklist.txt; REST notes §14).
 *
 * Per interface one IPv4 address for "this node" (pinged by the primary) and one for "other node"
 * (pinged by the secondary), each on the interface's own segment — validated with the domain's
 * `validateNextHops` against the interfaces the appliance reports. A change takes effect only after
 * both nodes restart, and the document says how: "To restart both nodes, click Reboot Cluster" [doc:
 * HA next-hop monitoring text]. So the restart is one `rebootCluster` through the `SystemControl`
 * channel (`NEXT_HOP_RESTART`), issued only while the pair is healthy (both on, the other node
 * synced), then a wait until both are back and the change is in effect. Both nodes are down for the
 * reboot — the document's procedure; no takeover is forced.
 *
 * No REST path or field of next-hop monitoring is documented (real-appliance facts §9; the guide
 * documents only the web interface: Basic Settings > High Availability > Next hop monitoring). So no
 * path is assumed. The route is, in this order (`resolveNextHopRoute`):
 *   1. `path`, when the operator configures one explicitly;
 *   2. a path the node's own REST tree shows: an item whose key names next-hop monitoring under a
 *      high-availability item of `GET /api/configuration` [doc: the REST tree is self-describing,
 *      every index lists its children with their href];
 *   3. otherwise a manual step: the guide's web-interface instructions with the exact addresses, and
 *      the restart both nodes need; the operator confirms it by setting `manualConfirmed` to the
 *      value the instructions give (a digest of the targets — a changed target asks again).
 * The field names of a REST answer (targets, this_node, other_node, restart_required …) are the
 * emulator's [inference] (emulator/sps/api-next-hop-routes.ts); with an operator path they are what the
 * operator vouches for.
 */
import { SpsError } from "../../../core/errors";
import { createHash } from "node:crypto";
import { z } from "zod";
import {
  NEXT_HOP_RESTART,
  isIpv4,
  validateNextHops,
  type InterfaceAddress,
  type NextHopTarget,
} from "../../../core/next-hop";
import { fieldProblems, type FieldProblem } from "../../../core/validation";
import { RestCallError, RestJsonCalls, spsEndpointSchema } from "../sps/rest-json-calls";
import type { HaPair, HaState, SystemControl } from "../system-control/operations";
import type { TrustLogger } from "../sps/tls-trust";

/** Where the guide sets next-hop monitoring [doc: administration guide, "Next hop monitoring"]. */
export const NEXT_HOP_WEB_PAGE = "Basic Settings > High Availability > Next hop monitoring";

const target = z.strictObject({
  interface: z.string().min(1, { error: "must name the SPS interface (e.g. external)" }),
  thisNode: z.string().refine(isIpv4, { error: "must be an IPv4 address (pinged from the current primary)" }),
  otherNode: z
    .string()
    .refine(isIpv4, { error: "must be an IPv4 address (pinged from the current secondary)" }),
});

export const nextHopSpecSchema = z.strictObject({
  sps: spsEndpointSchema,
  /** SystemControl names of the pair (its core shell / its secondary's BMC). */
  pair: z.strictObject({ primary: z.string().min(1), secondary: z.string().min(1) }),
  targets: z.array(target),
  /** The REST path of the setting, when the operator knows one (no path is documented). */
  path: z.string().startsWith("/api/", { error: "must be a REST path under /api/" }).optional(),
  /**
   * The manual route: the value the manual instructions give, set once the operator did them (the
   * setting cannot be read back through REST, so this is the only proof).
   */
  manualConfirmed: z.string().optional(),
  /** Deadline for each wait (secondary back and synced, primary back). */
  waitTimeoutMs: z
    .number()
    .int()
    .positive()
    .default(30 * 60_000),
  pollMs: z.number().int().positive().default(5_000),
  timeoutMs: z.number().int().positive().default(60_000),
});
export type NextHopSpecInput = z.input<typeof nextHopSpecSchema>;
export type NextHopSpec = z.output<typeof nextHopSpecSchema>;

export class NextHopError extends SpsError {
  static override readonly code: string = "NEXT_HOP_FAILED";
  constructor(
    message: string,
    readonly problems: readonly FieldProblem[] = [],
  ) {
    super(message);
  }
}

export interface NextHopObserved {
  interfaces: InterfaceAddress[];
  configured: NextHopTarget[];
  effective: NextHopTarget[];
  /** A change waits for both nodes to restart. */
  restartRequired: boolean;
  lastDecision: { decision: string; primaryReachable: number; secondaryReachable: number } | undefined;
}

export interface NextHopApplyResult {
  route: NextHopRoute;
  changed: boolean;
  restarted: boolean;
  steps: string[];
  observed: NextHopObserved;
}

export type NextHopRoute =
  { kind: "rest"; path: string; source: "configured" | "rest-tree" } | { kind: "manual" };

/** One line for a preview: which route the change will take. */
export function describeNextHopRoute(route: NextHopRoute): string {
  if (route.kind === "manual")
    return `a manual step in the web interface (${NEXT_HOP_WEB_PAGE}): no REST path for next-hop monitoring is documented or shown by this node`;
  const source =
    route.source === "configured" ? "configured by the operator" : "shown by this node's REST tree";
  return `REST ${route.path} (${source})`;
}

interface IndexItem {
  key?: unknown;
  meta?: { href?: unknown };
}

function childHref(answer: Record<string, unknown>, parent: string, match: RegExp): string | undefined {
  const items = Array.isArray(answer.items) ? (answer.items as IndexItem[]) : [];
  for (const item of items) {
    if (typeof item.key !== "string" || !match.test(item.key)) continue;
    const href = item.meta?.href;
    return typeof href === "string" && href.startsWith("/api/") ? href : `${parent}/${item.key}`;
  }
  return undefined;
}

/** The route: the operator's path, else one the REST tree shows, else manual (see the header). */
export async function resolveNextHopRoute(api: RestJsonCalls, configured?: string): Promise<NextHopRoute> {
  if (configured) return { kind: "rest", path: configured, source: "configured" };
  const root = await api.call("GET", "/api/configuration");
  if (root.status >= 400 || typeof root.body !== "object" || root.body === null) return { kind: "manual" };
  const ha = childHref(root.body as Record<string, unknown>, "/api/configuration", /high.?availability/i);
  if (!ha) return { kind: "manual" };
  const index = await api.call("GET", ha);
  if (index.status >= 400 || typeof index.body !== "object" || index.body === null) return { kind: "manual" };
  const path = childHref(index.body as Record<string, unknown>, ha, /next.?hop/i);
  return path ? { kind: "rest", path, source: "rest-tree" } : { kind: "manual" };
}

/** The value that confirms the manual step for these targets (changes when a target changes). */
export function nextHopConfirmation(targets: readonly NextHopTarget[]): string {
  return `nexthop-${createHash("sha256").update(canonical(targets)).digest("hex").slice(0, 16)}`;
}

/** The guide's web-interface procedure with the exact addresses [doc: "Next hop monitoring"]. */
export function nextHopManualInstructions(node: string, targets: readonly NextHopTarget[]): string[] {
  return [
    `Log in to the web interface of ${node} (the primary) as an administrator.`,
    `Navigate to ${NEXT_HOP_WEB_PAGE}.`,
    ...targets.flatMap((t) => [
      `Select the interface ${t.interface}: enter ${t.thisNode} into This node > Next hop IP, and ${t.otherNode} into Other node > Next hop IP.`,
    ]),
    "Remove the next-hop addresses of any other interface that is not listed above.",
    "Commit the change.",
    'For the change to take effect, restart both nodes: on the same High Availability page click Reboot Cluster ("To restart both nodes, click Reboot Cluster."), and wait until both nodes are back and the other node is synced.',
    `When done, set manualConfirmed: "${nextHopConfirmation(targets)}" on this resource and run again (the setting cannot be read back through REST).`,
  ];
}

/** The manual route was taken and not confirmed yet: what to do, in the guide's words. */
export class NextHopManualStep extends NextHopError {
  static override readonly code: string = "NEXT_HOP_MANUAL_STEP";
  constructor(readonly instructions: string[]) {
    super(
      `H4: next-hop monitoring is a manual step on this node:\n${instructions.map((l, i) => `  ${i + 1}. ${l}`).join("\n")}`,
    );
  }
}

function parse(input: unknown): NextHopSpec {
  const r = nextHopSpecSchema.safeParse(input);
  if (!r.success) {
    const problems = fieldProblems(r.error);
    throw new NextHopError(
      `invalid next-hop monitoring: ${problems.map((p) => `${p.property}: ${p.reason}`).join("; ")}`,
      problems,
    );
  }
  return r.data;
}

/** REST failures become `NextHopError` (already redacted). */
const asNextHopError = (e: unknown): unknown =>
  e instanceof RestCallError ? new NextHopError(e.message) : e;

/** What a route that cannot be read observes: nothing. */
const nothingObserved = (): NextHopObserved => ({
  interfaces: [],
  configured: [],
  effective: [],
  restartRequired: false,
  lastDecision: undefined,
});

interface WireTarget {
  interface?: unknown;
  this_node?: unknown;
  other_node?: unknown;
}

const fromWire = (list: unknown): NextHopTarget[] =>
  (Array.isArray(list) ? (list as WireTarget[]) : []).map((t) => ({
    interface: String(t.interface),
    thisNode: String(t.this_node),
    otherNode: String(t.other_node),
  }));

async function observe(api: RestJsonCalls, path: string): Promise<NextHopObserved> {
  const answer = await api.ok("GET", path);
  const b = (answer.body ?? {}) as Record<string, unknown>;
  const d = b.last_decision as {
    decision?: unknown;
    primary_reachable?: unknown;
    secondary_reachable?: unknown;
  } | null;
  return {
    interfaces: (Array.isArray(b.interfaces) ? (b.interfaces as InterfaceAddress[]) : []).map((i) => ({
      interface: String(i.interface),
      cidr: String(i.cidr),
    })),
    configured: fromWire(b.targets),
    effective: fromWire(b.effective_targets),
    restartRequired: b.restart_required === true,
    lastDecision: d
      ? {
          decision: String(d.decision),
          primaryReachable: Number(d.primary_reachable),
          secondaryReachable: Number(d.secondary_reachable),
        }
      : undefined,
  };
}

const canonical = (ts: readonly NextHopTarget[]): string =>
  JSON.stringify(
    [...ts]
      .sort((a, b) => a.interface.localeCompare(b.interface))
      .map((t) => [t.interface, t.thisNode, t.otherNode]),
  );

/**
 * Reads the configured and effective targets; `drift` lists how they differ from the spec. On the
 * manual route nothing can be read: the declared targets are reported with `verifiable: false`, and
 * drift says the manual step is pending until it is confirmed.
 */
export async function readNextHopMonitoring(
  input: unknown,
  log?: TrustLogger,
): Promise<NextHopObserved & { drift: string[]; route: NextHopRoute; verifiable: boolean }> {
  const spec = parse(input);
  const api = new RestJsonCalls(spec.sps, spec.timeoutMs, [], log);
  return api.use(async () => {
    const route = await resolveNextHopRoute(api, spec.path);
    if (route.kind === "manual") {
      const confirmed = spec.manualConfirmed === nextHopConfirmation(spec.targets);
      return {
        ...nothingObserved(),
        route,
        verifiable: false,
        drift: confirmed
          ? []
          : [`next-hop monitoring is a manual step that is not confirmed yet (${NEXT_HOP_WEB_PAGE})`],
      };
    }
    const o = await observe(api, route.path);
    const drift: string[] = [];
    if (canonical(o.configured) !== canonical(spec.targets))
      drift.push("configured targets differ from the spec");
    if (canonical(o.effective) !== canonical(o.configured))
      drift.push("the configured targets are not in effect yet: both nodes must restart (Reboot Cluster)");
    return { ...o, drift, route, verifiable: true };
  }, asNextHopError);
}

const pause = (ms: number) => new Promise((r) => setTimeout(r, ms));

function describe(ha: HaState): string {
  return `HA ${ha.status}, sync ${ha.sync}, ${ha.nodes.map((n) => `${n.unit}:${n.role}/${n.power}`).join(" ")}`;
}

/** Secondary present, powered on and synced: the only state in which the primary may restart. */
function pairHealthy(ha: HaState): boolean {
  const secondary = ha.nodes.find((n) => n.role === "secondary");
  return ha.sync === "synced" && secondary?.power === "on" && ha.nodes.every((n) => n.power === "on");
}

async function waitFor(what: string, spec: NextHopSpec, check: () => Promise<boolean>): Promise<void> {
  const deadline = Date.now() + spec.waitTimeoutMs;
  let lastError = "";
  for (;;) {
    try {
      if (await check()) return;
    } catch (e) {
      lastError = (e as Error).message; // e.g. the core shell does not answer while the node boots
    }
    if (Date.now() >= deadline) {
      throw new NextHopError(
        `H4: ${what} did not happen within ${spec.waitTimeoutMs} ms${lastError ? ` (last error: ${lastError})` : ""}; check the pair, then run again`,
      );
    }
    await pause(spec.pollMs);
  }
}

/**
 * Makes the appliance's next-hop targets match the spec and, when a change is pending, restarts both
 * nodes with "Reboot Cluster" as the document says (H4). Idempotent: nothing to change and nothing
 * pending → no call that changes anything.
 */
export async function applyNextHopMonitoring(
  input: unknown,
  control: SystemControl,
  options: { log?: TrustLogger; onStep?: (s: string) => void } = {},
): Promise<NextHopApplyResult> {
  const spec = parse(input);
  const api = new RestJsonCalls(spec.sps, spec.timeoutMs, [], options.log);
  const steps: string[] = [];
  const step = (s: string): void => {
    steps.push(s);
    options.onStep?.(s);
  };
  const pair: HaPair = spec.pair;
  return api.use(async () => {
    const route = await resolveNextHopRoute(api, spec.path);
    if (route.kind === "manual") {
      if (spec.manualConfirmed !== nextHopConfirmation(spec.targets))
        throw new NextHopManualStep(nextHopManualInstructions(pair.primary, spec.targets));
      step("next-hop monitoring: the manual step is confirmed by the operator");
      return { route, changed: false, restarted: false, steps, observed: nothingObserved() };
    }
    const path = route.path;
    let o = await observe(api, path);
    const problems = validateNextHops(spec.targets, o.interfaces);
    if (problems.length > 0) {
      throw new NextHopError(`H4: ${problems.map((p) => `${p.property}: ${p.reason}`).join("; ")}`, problems);
    }
    let changed = false;
    if (canonical(o.configured) !== canonical(spec.targets)) {
      await api.ok("PUT", path, {
        targets: spec.targets.map((t) => ({
          interface: t.interface,
          this_node: t.thisNode,
          other_node: t.otherNode,
        })),
      });
      changed = true;
      step(`configured ${spec.targets.length} next-hop target(s); they take effect after both nodes restart`);
      o = await observe(api, path);
    }
    if (!o.restartRequired) return { route, changed, restarted: false, steps, observed: o };

    const before = await control.readHaState(pair.primary);
    if (!pairHealthy(before)) {
      throw new NextHopError(
        `H4: the pair is not healthy (${describe(before)}): restart both nodes only once the other node is back and synced; then run again`,
      );
    }
    // [doc] "To restart both nodes, click Reboot Cluster." — NEXT_HOP_RESTART.
    await control.rebootCluster(pair);
    step(`Reboot Cluster on ${pair.primary}: both nodes restart (${NEXT_HOP_RESTART.webInterface})`);
    // [unknown] Whether the nodes go down together or one after the other, and how soon: wait until the
    // pair is healthy again AND the appliance reports the change in effect (a pair that has not gone
    // down yet still reports it pending).
    await waitFor("both nodes back, the other node synced and the change in effect", spec, async () => {
      if (!pairHealthy(await control.readHaState(pair.primary))) return false;
      return !(await observe(api, path)).restartRequired;
    });
    step("both nodes are back and synced; the change is in effect");
    o = await observe(api, path);
    if (o.restartRequired) {
      throw new NextHopError(
        "H4: both nodes restarted but the appliance still reports the change as pending; check the HA page",
      );
    }
    return { route, changed, restarted: true, steps, observed: o };
  }, asNextHopError);
}

/** Which route a change would take on this node (read-only; for previews and `doctor`). */
export async function nextHopRouteOf(input: unknown, log?: TrustLogger): Promise<NextHopRoute> {
  const spec = parse(input);
  const api = new RestJsonCalls(spec.sps, spec.timeoutMs, [], log);
  return api.use(() => resolveNextHopRoute(api, spec.path), asNextHopError);
}
