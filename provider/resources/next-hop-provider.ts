/**
 * The NextHopMonitoring resource (H4) through provider/clients/next-hop/next-hop-monitoring.ts.
 */
import type { CheckResult, DiffResult, ReadResult } from "@pulumi/pulumi/dynamic";
import {
  applyNextHopMonitoring,
  describeNextHopRoute,
  nextHopRouteOf,
  readNextHopMonitoring,
} from "../clients/next-hop/next-hop-monitoring";
import { validateNextHops } from "../../core/next-hop";
import { fieldProblems } from "../../core/validation";
import { nextHopInputSchema, type NextHopInputs } from "../../sdk/inputs";
import { applianceLogin } from "../../sdk/credentials";
import { trustOfDeclared } from "../clients/sps/tls-trust";
import { declaredIn, flatInputs } from "../../sdk/wiring";
import { credentials, hasDrift, inputsChanged, systemControlFor, unitControlName } from "./context";
import { engineLog, fail, INTEGRATION_STATE_VERSION, redacted, say } from "./integration-common";

type Props = Record<string, unknown>;

function nextHopInputs(props: Props): NextHopInputs {
  return nextHopInputSchema.parse(declaredIn(props, nextHopInputSchema));
}

function nextHopSpec(f: NextHopInputs, secondary: string): unknown {
  return {
    sps: {
      endpoint: f.node.address,
      credentials: applianceLogin(credentials(), f.node.name),
      tls: trustOfDeclared(f.node.tls),
    },
    pair: { primary: f.node.name, secondary },
    targets: f.targets,
    ...(f.waitTimeoutMs ? { waitTimeoutMs: f.waitTimeoutMs } : {}),
    ...(f.pollMs ? { pollMs: f.pollMs } : {}),
    ...(f.path ? { path: f.path } : {}),
    ...(f.manualConfirmed ? { manualConfirmed: f.manualConfirmed } : {}),
  };
}

function targetsKey(targets: unknown): string {
  const list = Array.isArray(targets) ? (targets as Array<Record<string, unknown>>) : [];
  return JSON.stringify(list.map((t) => [t["interface"], t["thisNode"], t["otherNode"]]));
}

/** Preview: the route the change takes on this node (read-only), or why it is not known yet. */
async function routeLine(f: NextHopInputs): Promise<string> {
  try {
    const route = await nextHopRouteOf(nextHopSpec(f, f.node.name), engineLog);
    if (route.kind === "manual")
      return `${describeNextHopRoute(route)}; up prints the steps and stops until manualConfirmed is set`;
    return describeNextHopRoute(route);
  } catch (e) {
    // plannedActions is kept in the state: no secret in it.
    return `route not known yet (${redacted(e instanceof Error ? e.message : String(e))})`;
  }
}

export const nextHopMonitoring = {
  async check(_olds: Props, news: Props): Promise<CheckResult> {
    const parsed = nextHopInputSchema.safeParse(declaredIn(news, nextHopInputSchema));
    if (!parsed.success) return { inputs: news, failures: fieldProblems(parsed.error) };
    if (!parsed.data.node.ha) {
      const reason = "next-hop monitoring is an HA setting (H4): the node must be an HA pair (ha: true)";
      return { inputs: news, failures: [{ property: "node.ha", reason }] };
    }
    const problems = validateNextHops(parsed.data.targets);
    if (problems.length > 0) return { inputs: news, failures: problems };
    // Compared by value (the stored inputs keep their own key order).
    const unchanged =
      targetsKey(_olds["targets"]) === targetsKey(parsed.data.targets) &&
      _olds["manualConfirmed"] === parsed.data.manualConfirmed;
    const plannedActions = unchanged
      ? []
      : [
          `set next-hop targets on ${parsed.data.node.name}: both nodes restart with Reboot Cluster, as the HA next-hop monitoring text says (H4)`,
          `next-hop route: ${await routeLine(parsed.data)}`,
        ];
    return { inputs: { ...news, plannedActions } };
  },

  async diff(_id: string, olds: Props, news: Props): Promise<DiffResult> {
    const keys = ["node", "targets", "systemControl", "path", "manualConfirmed"];
    return { changes: inputsChanged(olds, news, keys) || hasDrift(olds) };
  },

  async create(inputs: Props): Promise<{ id: string; outs: Props }> {
    const f = nextHopInputs(inputs);
    const control = systemControlFor([f.node], f.systemControl);
    try {
      // The route first: the manual route (the default, no REST path known) prints the web-interface
      // steps and needs no HA state — on the default manual channel reading it would itself stop the run.
      const route = await nextHopRouteOf(nextHopSpec(f, f.node.name), engineLog);
      let secondary = f.node.name;
      if (route.kind !== "manual") {
        const ha = await control.readHaState(f.node.name);
        const secondaryUnit = ha.nodes.find((n) => n.role === "secondary")?.unit;
        if (!secondaryUnit)
          throw new Error(
            `${f.node.name}: no secondary in the HA state (${ha.status}); H4 needs a working pair`,
          );
        secondary = unitControlName(f.node.name, secondaryUnit);
      }
      const r = await applyNextHopMonitoring(nextHopSpec(f, secondary), control, {
        onStep: (s) => say(`nextHopMonitoring/${f.node.name}`, s),
        log: engineLog,
      });
      return {
        id: f.node.name,
        outs: {
          ...inputs,
          plannedActions: [],
          effectiveTargets: r.observed.effective,
          restartRequired: r.observed.restartRequired,
          route: describeNextHopRoute(r.route),
          lastRun: r.steps,
          drift: [],
          stateVersion: INTEGRATION_STATE_VERSION,
        },
      };
    } catch (e) {
      fail(e);
    }
  },

  async update(_id: string, _olds: Props, news: Props): Promise<{ outs: Props }> {
    return { outs: (await nextHopMonitoring.create(news)).outs };
  },

  async read(id: string, props: Props): Promise<ReadResult> {
    const f = nextHopInputs(props);
    try {
      const r = await readNextHopMonitoring(nextHopSpec(f, f.node.name), engineLog);
      return {
        id,
        props: {
          ...props,
          effectiveTargets: r.verifiable ? r.effective : props["effectiveTargets"],
          restartRequired: r.restartRequired,
          route: describeNextHopRoute(r.route),
          drift: r.drift,
        },
      };
    } catch (e) {
      fail(e);
    }
  },

  async remove(_id: string, props: Props): Promise<void> {
    const node = (flatInputs(props)["node"] as { name?: string } | undefined)?.name ?? "sps";
    say(
      `nextHopMonitoring/${node}`,
      "removed from the stack only: the next-hop targets stay configured on the appliance (clearing them needs both nodes restarted)",
    );
  },
};
