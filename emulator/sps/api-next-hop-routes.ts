/**
 * [inference] Next-hop monitoring over REST. The SPS REST reference documents no path or fields for
 * it (REST notes §14, §16 item 9); the emulator serves this clearly-inferred shape so the client can
 * be tested end to end:
 *
 *   GET /api/configuration/high_availability/next_hop_monitoring
 *     → { key, body: { interfaces: [{interface, cidr}], targets: [{interface, this_node, other_node}],
 *          effective_targets: [...], restart_required: bool, last_decision: {...} | null }, meta }
 *   PUT  same path, { targets: [{interface, this_node, other_node}] }   (applies at once; takes
 *        effect after both nodes restart)
 *
 * The path is shown in the REST tree (`GET /api/configuration` lists `high_availability`, whose
 * index lists `next_hop_monitoring`), so a client finds it the way it would find anything on a real
 * node: by reading the tree, never by assuming the path. A node whose fleet entry says
 * `emulator.nextHopRest: false` shows no such item and answers 404 on the path — like a real SPS,
 * where the setting is documented only in the web interface.
 *
 * Registered by one line in sps-api-server.ts.
 */
import { validateNextHops, type NextHopTarget } from "../../core/next-hop";
import {
  IN_TRANSACTION,
  notFound,
  readJson,
  requireWrite,
  sendIndex,
  sendObject,
  type ApiContext,
} from "./api-context";
import { SpsApiFault } from "./api-errors";
import { configureNextHops, nextHopStateOf } from "../next-hop/next-hop-emulator";

export const NEXT_HOP_PATH = "/api/configuration/high_availability/next_hop_monitoring";

const HA_INDEX = "/api/configuration/high_availability";

export function isNextHopRoute(ctx: ApiContext): boolean {
  return ctx.path === NEXT_HOP_PATH || ctx.path === HA_INDEX || ctx.path === "/api/configuration";
}

/** The configuration subtrees the emulator serves [doc: index shape `{items: [{key, meta: {href}}], meta}`]. */
function configurationIndex(ctx: ApiContext): string[] {
  const keys = ["local_services", "management", "network", "plugins"];
  if (ctx.node.ha && nextHopStateOf(ctx.node).restOffered) keys.unshift("high_availability");
  return keys;
}

const text = (v: unknown): string => (typeof v === "string" ? v : "");

const wire = (t: NextHopTarget) => ({
  interface: t.interface,
  this_node: t.thisNode,
  other_node: t.otherNode,
});

export async function handleNextHopRoute(ctx: ApiContext): Promise<void> {
  const { node, method } = ctx;
  if (ctx.path === "/api/configuration" && method === "GET") {
    return sendIndex(ctx, configurationIndex(ctx), "/api/configuration", "/api");
  }
  if (!node.ha || !nextHopStateOf(node).restOffered) notFound(ctx);
  if (ctx.path === HA_INDEX) {
    if (method !== "GET") notFound(ctx);
    return sendIndex(ctx, ["next_hop_monitoring"], HA_INDEX, "/api/configuration");
  }
  if (method === "PUT") {
    requireWrite(ctx);
    const body = await readJson(ctx);
    if (!Array.isArray(body.targets))
      throw new SpsApiFault("InvalidRequest", "targets must be a list.", { field: "targets" });
    const targets: NextHopTarget[] = (body.targets as Array<Record<string, unknown>>).map((t) => ({
      interface: text(t.interface),
      thisNode: text(t.this_node),
      otherNode: text(t.other_node),
    }));
    const problems = validateNextHops(targets, nextHopStateOf(node).interfaces);
    if (problems.length > 0)
      throw new SpsApiFault("InvalidRequest", "Invalid next-hop targets.", { problems });
    configureNextHops(node, targets);
  } else if (method !== "GET") notFound(ctx);
  const s = nextHopStateOf(node);
  const d = s.lastDecision;
  const body = {
    interfaces: s.interfaces,
    targets: s.configured.map(wire),
    effective_targets: s.effective.map(wire),
    restart_required: s.changedAtBoots !== undefined,
    last_decision: d
      ? {
          decision: d.decision,
          primary_reachable: d.primaryReachable,
          secondary_reachable: d.secondaryReachable,
          secondary_synced: d.secondarySynced,
          primary_unit: d.primaryUnit,
          at: new Date(d.at).toISOString(),
        }
      : null,
  };
  return sendObject(ctx, "next_hop_monitoring", body, NEXT_HOP_PATH, HA_INDEX, IN_TRANSACTION);
}
