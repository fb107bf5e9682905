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
 * Registered by one line in sps-api-server.ts.
 */
import { validateNextHops, type NextHopTarget } from "../provider/domain/next-hop";
import { meta, readJson, requireWrite, sendJson, type ApiContext } from "./api-context";
import { SpsApiFault } from "./api-errors";
import { configureNextHops, nextHopStateOf } from "./next-hop-emulator";

export const NEXT_HOP_PATH = "/api/configuration/high_availability/next_hop_monitoring";

export function isNextHopRoute(ctx: ApiContext): boolean {
  return ctx.path === NEXT_HOP_PATH;
}

const text = (v: unknown): string => (typeof v === "string" ? v : "");

const wire = (t: NextHopTarget) => ({
  interface: t.interface,
  this_node: t.thisNode,
  other_node: t.otherNode,
});

export async function handleNextHopRoute(ctx: ApiContext): Promise<void> {
  const { node, method } = ctx;
  if (!node.ha) {
    throw new SpsApiFault("NotFound", "Next-hop monitoring exists only on a High Availability pair.", {
      path: ctx.path,
    });
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
  } else if (method !== "GET") {
    throw new SpsApiFault("NotFound", `No such resource: ${ctx.path}`, { path: ctx.path });
  }
  const s = nextHopStateOf(node);
  const d = s.lastDecision;
  return sendJson(ctx.res, 200, {
    key: "next_hop_monitoring",
    body: {
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
    },
    meta: meta(ctx, NEXT_HOP_PATH, "/api/configuration/high_availability", {
      transaction: "/api/transaction",
    }),
  });
}
