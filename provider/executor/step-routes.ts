/**
 * The route each routed step of a plan takes, and why — one short line per node and action, for
 * `pulumi preview`: a reviewer sees how each HA step will run, and why, before anything runs
 * (docs/design-notes.md#the-preview-shows-each-steps-route-and-why).
 *
 * Nothing is decided here that the step handlers do not decide themselves: the system-control
 * operations go where the executor's `SystemControl` sends them (`channelOf`, the router of
 * ../clients/system-control/composite.ts: as configured, the manual channel when not), the HA
 * activation follows `haActivationRoute` (./upgrade-call.ts), the support bundle follows the node's
 * REST tree (`readCapabilities`, ../clients/sps/rest-capabilities.ts) and `evidenceDir` by
 * `bundleRoute` (./support-bundle.ts).
 */
import type { RestCapabilities } from "../clients/sps/rest-capabilities";
import {
  CHANNEL_PHRASES,
  type ChannelKind,
  type SystemControlOperation,
} from "../clients/system-control/operations";
import type { PlanStep } from "../../core/plan";
import { bundleRoute, type BundleRoute } from "./support-bundle";
import { activationRouteNote, haActivationRoute } from "./upgrade-call";
import type { OperationRoute, RouteKind } from "../../core/readiness";

export interface RouteFacts {
  ha: boolean;
  /** The cluster's declared reading of the upgrade call (undefined: unknown). */
  upgradeCall: "reboots" | "selects" | undefined;
  /** The executor's SystemControl router: the channel an operation goes to. */
  channelOf: (operation: SystemControlOperation) => ChannelKind;
  /** Whether an operation's channel is declared (false: the manual default). */
  declared: (operation: SystemControlOperation) => boolean;
  /** The node's REST tree as read now (undefined: not readable). */
  capabilities: RestCapabilities | undefined;
  evidenceDir: string | undefined;
  /** A supportBundle hook is set (executor inputs; the SDK sets none). */
  hook?: boolean;
}

/** The system-control operation a step's handler calls, and what it does (for the line). */
const OPERATIONS: Partial<Record<string, { op: SystemControlOperation; what: string; ha?: true }>> = {
  preflight: { op: "readPowerState", what: "secondary's power read", ha: true },
  "wait-secondary-sync": { op: "readHaState", what: "HA state read" },
  "shutdown-secondary": { op: "shutdownSecondary", what: "secondary shut down" },
  "power-on-secondary": { op: "powerOnSecondary", what: "secondary powered on" },
  "wait-secondary-rejoin": { op: "readHaState", what: "HA state read" },
  "activate-secondary": { op: "activateSecondary", what: 'takeover ("Activate slave")' },
  "verify-ha": { op: "readHaState", what: "HA state read" },
  "upload-license": { op: "uploadLicense", what: "license uploaded" },
};

function channelText(facts: RouteFacts, op: SystemControlOperation): string {
  const channel = facts.channelOf(op);
  const how =
    channel === "manual"
      ? "by hand: the run stops with the steps"
      : channel === "ssh"
        ? `${CHANNEL_PHRASES.ssh}: pulumi-sps-wrapper, operator-installed, not an SPS command`
        : CHANNEL_PHRASES[channel];
  return `${how} (${facts.declared(op) ? `routed: ${op} → ${channel}` : `no route declared for ${op}`})`;
}

/** How the node's support bundle is made (undefined: its REST tree is not readable now). */
function bundleOf({ capabilities: caps, hook, evidenceDir }: RouteFacts): BundleRoute | undefined {
  return caps && bundleRoute({ hook: hook === true, supportBundleApi: caps.supportBundle, evidenceDir });
}

const BUNDLE_HOW: Record<BundleRoute, string> = {
  hook: "by the configured hook",
  rest: "REST support-bundle API into evidenceDir",
  "no-api": "by hand in the web interface (no support-bundle in the node's REST tree)",
  "no-evidence-dir": "by hand in the web interface (REST API offered, but no evidenceDir is set)",
};

function bundleLine(facts: RouteFacts): string {
  const before = facts.ha ? "" : ", before the upgrade call (may be the reboot, S8)";
  const route = bundleOf(facts);
  if (route === undefined)
    return `REST if the node's REST tree lists support-bundle when the step runs, else by hand${before}`;
  return `${BUNDLE_HOW[route]}${before}`;
}

/** The route of one action on one node; undefined for actions with nothing to route (REST only). */
export function stepRoute(action: string, facts: RouteFacts): string | undefined {
  switch (action) {
    case "activate-firmware":
      return activationRouteNote(facts.ha, facts.upgradeCall);
    case "support-bundle":
      return bundleLine(facts);
    case "fetch-firmware":
      // The node that makes the call decides (fetch-firmware.ts reads the same tree before the call, S3).
      if (facts.capabilities === undefined)
        return "POST /api/firmware/fetch if the node's REST tree lists fetch when the step runs, else the step stops before any write (give path)";
      return facts.capabilities.firmwareFetch
        ? "POST /api/firmware/fetch: the node downloads and verifies the ISO itself (S3)"
        : "the node's REST tree lists no /api/firmware/fetch: the step will stop before any write — give the image's path";
    case "reboot":
      return facts.ha
        ? `the primary only, ${channelText(facts, "rebootNode")}, once the secondary is off (H2)`
        : `by the upgrade call if the node goes away; else ${channelText(facts, "rebootNode")}`;
  }
  const o = OPERATIONS[action];
  if (!o || (o.ha && !facts.ha)) return undefined;
  return `${o.what} ${channelText(facts, o.op)}`;
}

/** `route <node> <action>: …` once per node and action, in plan order. */
export function routeLines(
  steps: readonly PlanStep[],
  factsOf: (node: string) => RouteFacts | undefined,
): string[] {
  const seen = new Set<string>();
  const out: string[] = [];
  for (const s of steps) {
    const key = `${s.node} ${s.action}`;
    if (seen.has(key)) continue;
    seen.add(key);
    const facts = factsOf(s.node);
    const route = facts ? stepRoute(s.action, facts) : undefined;
    if (route) out.push(`route ${key}: ${route}`);
  }
  return out;
}

const ROUTE_KIND: Record<ChannelKind, RouteKind> = {
  ssh: "wrapper",
  ipmi: "IPMI",
  command: "command",
  manual: "manual gate",
};

/**
 * Every action of an `up` on one node with its route, for `sps-upgrade doctor` (no plan at hand): the
 * same decision and the same text as the preview's route lines (`stepRoute`), classified for doctor's
 * table (REST, IPMI, command, wrapper, manual gate). Firmware upload and test are REST only, where the
 * node's REST tree lists them.
 */
export function nodeRoutes(facts: RouteFacts): OperationRoute[] {
  const caps = facts.capabilities;
  const rest = (
    action: string,
    offered: boolean | undefined,
    path: string,
    otherwise: string,
  ): OperationRoute =>
    offered === false
      ? { action, route: "manual gate", detail: otherwise }
      : { action, route: "REST", detail: caps === undefined ? `${path} (REST tree not readable now)` : path };
  const out: OperationRoute[] = [
    rest(
      "upload-firmware",
      caps?.firmwareUpload,
      "POST /api/upload/firmware",
      "the REST tree lists no firmware upload: upload the ISO in the web interface",
    ),
    rest(
      "test-firmware",
      caps?.firmwareTest,
      "POST /api/firmware/test",
      "the REST tree lists no firmware test",
    ),
  ];
  const activation = activationRouteNote(facts.ha, facts.upgradeCall);
  const activationKind: RouteKind = facts.ha
    ? haActivationRoute(facts.upgradeCall) === "upgrade-call"
      ? "REST"
      : "manual gate"
    : caps?.firmwareUpgrade === false
      ? "manual gate"
      : "REST";
  out.push({ action: "activate-firmware", route: activationKind, detail: activation });
  const bundle = bundleOf(facts);
  out.push({
    action: "support-bundle",
    route: bundle === "rest" ? "REST" : bundle === "hook" ? "command" : "manual gate",
    detail: stepRoute("support-bundle", facts) ?? "",
  });
  // The system-control actions of an `up` on one node, in plan order (the HA ones only on an HA pair).
  const haActions = facts.ha ? Object.keys(OPERATIONS).filter((a) => a !== "upload-license") : [];
  for (const action of ["reboot", "upload-license", ...haActions]) {
    const op = action === "reboot" ? "rebootNode" : OPERATIONS[action]?.op;
    const detail = stepRoute(action, facts);
    if (!op || !detail) continue;
    out.push({ action, route: ROUTE_KIND[facts.channelOf(op)], detail });
  }
  return out;
}
