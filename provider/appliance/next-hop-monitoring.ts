/**
 * HA next-hop monitoring (rule H4; seed sps-ha-next-hop-and-upgrade-checklist.txt; REST notes §14).
 *
 * Per interface one IPv4 address for "this node" (pinged by the primary) and one for "other node"
 * (pinged by the secondary), each on the interface's own segment — validated with the domain's
 * `validateNextHops` against the interfaces the appliance reports. A change takes effect only after
 * both nodes restart: the restart follows `NEXT_HOP_RESTART_ORDER` — the secondary first (shut
 * down, then powered on through the `SystemControl` channel, as in H2), wait until it is back and
 * synced, then reboot the primary — and never has both nodes down at once: the primary is rebooted
 * only while the secondary runs and is synced.
 *
 * [inference] The REST path and fields are not documented (REST notes §16 item 9); this client
 * uses `GET|PUT /api/configuration/high_availability/next_hop_monitoring` as the emulator serves it
 * (simulator/api-next-hop-routes.ts). On a real SPS the same data is set on the web UI's
 * Basic Settings > High Availability > Next hop monitoring page; point `path` at whatever a given
 * firmware offers, or keep the change manual.
 */
import { z } from "zod";
import {
  NEXT_HOP_RESTART_ORDER,
  isIpv4,
  validateNextHops,
  type InterfaceAddress,
  type NextHopTarget,
} from "../domain/next-hop";
import { fieldProblems, type FieldProblem } from "../domain/validation";
import { RestCallError, RestJsonCalls, spsEndpointSchema } from "./rest-json-calls";
import type { HaPair, HaState, SystemControl } from "./system-control/operations";
import type { TrustLogger } from "./tls-trust";

export const NEXT_HOP_PATH_INFERRED = "/api/configuration/high_availability/next_hop_monitoring";

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
  /** [inference] the REST path of the setting. */
  path: z.string().startsWith("/api/").default(NEXT_HOP_PATH_INFERRED),
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

export class NextHopError extends Error {
  constructor(
    message: string,
    readonly problems: readonly FieldProblem[] = [],
  ) {
    super(message);
    this.name = "NextHopError";
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
  changed: boolean;
  restarted: boolean;
  steps: string[];
  observed: NextHopObserved;
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

/** Reads the configured and effective targets; `drift` lists how they differ from the spec. */
export async function readNextHopMonitoring(
  input: unknown,
  log?: TrustLogger,
): Promise<NextHopObserved & { drift: string[] }> {
  const spec = parse(input);
  const api = new RestJsonCalls(spec.sps, spec.timeoutMs, [], log);
  try {
    const o = await observe(api, spec.path);
    const drift: string[] = [];
    if (canonical(o.configured) !== canonical(spec.targets))
      drift.push("configured targets differ from the spec");
    if (canonical(o.effective) !== canonical(o.configured))
      drift.push("the configured targets are not in effect yet: both nodes must restart (secondary first)");
    return { ...o, drift };
  } catch (e) {
    throw e instanceof RestCallError ? new NextHopError(e.message) : e;
  } finally {
    api.close();
  }
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
 * Makes the appliance's next-hop targets match the spec and, when a change is pending, restarts the
 * pair in the H4 order (secondary first, wait until it is back and synced, then the primary; never
 * both down). Idempotent: nothing to change and nothing pending → no call that changes anything.
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
  try {
    let o = await observe(api, spec.path);
    const problems = validateNextHops(spec.targets, o.interfaces);
    if (problems.length > 0) {
      throw new NextHopError(`H4: ${problems.map((p) => `${p.property}: ${p.reason}`).join("; ")}`, problems);
    }
    let changed = false;
    if (canonical(o.configured) !== canonical(spec.targets)) {
      await api.ok("PUT", spec.path, {
        targets: spec.targets.map((t) => ({
          interface: t.interface,
          this_node: t.thisNode,
          other_node: t.otherNode,
        })),
      });
      changed = true;
      step(`configured ${spec.targets.length} next-hop target(s); they take effect after both nodes restart`);
      o = await observe(api, spec.path);
    }
    if (!o.restartRequired) return { changed, restarted: false, steps, observed: o };

    const before = await control.readHaState(pair.primary);
    if (!pairHealthy(before)) {
      throw new NextHopError(
        `H4: the pair is not healthy (${describe(before)}): restarting now could take both nodes down; bring the secondary back and let it sync, then run again`,
      );
    }
    for (const phase of NEXT_HOP_RESTART_ORDER) {
      if (phase === "restart-secondary") {
        await control.shutdownSecondary(pair);
        step(`shut down the secondary (${pair.secondary})`);
        await control.powerOnSecondary(pair);
        step(`powered the secondary on (${pair.secondary})`);
      } else if (phase === "wait-secondary-rejoin") {
        await waitFor("the secondary coming back and syncing", spec, async () =>
          pairHealthy(await control.readHaState(pair.primary)),
        );
        step("the secondary is back and synced");
      } else {
        const now = await control.readHaState(pair.primary);
        if (!pairHealthy(now)) {
          throw new NextHopError(
            `H4: refusing to restart the primary while the secondary is not running and synced (${describe(now)})`,
          );
        }
        await control.rebootNode(pair.primary);
        step(`rebooted the primary (${pair.primary}); the synced secondary takes over meanwhile`);
        await waitFor("the pair coming back in sync after the primary's reboot", spec, async () =>
          pairHealthy(await control.readHaState(pair.primary)),
        );
        step("both nodes are back and synced");
      }
    }
    o = await observe(api, spec.path);
    if (o.restartRequired) {
      throw new NextHopError(
        "H4: both nodes restarted but the appliance still reports the change as pending; check the HA page",
      );
    }
    return { changed, restarted: true, steps, observed: o };
  } catch (e) {
    throw e instanceof RestCallError ? new NextHopError(e.message) : e;
  } finally {
    api.close();
  }
}
