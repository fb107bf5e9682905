/**
 * Planning for the firmware resource: live versions of the nodes (with the declared version only as
 * an offline fallback), the fleet-cluster shape the domain planner takes, the plan, and the mapping of
 * blocking findings to `check` failures naming the field and the fix.
 */
import { clusterSchema, type FleetCluster } from "../../provider/domain/fleet";
import { planCluster } from "../../provider/domain/fleet-plan";
import { defaultCatalog } from "../../provider/domain/default-catalog";
import type { ClusterPlan, Finding } from "../../provider/domain/plan";
import { fieldProblems, type FieldProblem } from "../../provider/domain/validation";
import type { FirmwareInputs } from "../inputs";
import { readLiveness } from "../../provider/executor/node-state";
import { readCapabilities, type RestCapabilities } from "../../provider/appliance/rest-capabilities";
import type { SpsRestClient } from "../../provider/appliance/sps-rest-client";
import { restClient } from "./context";
import { restNodeKey, sharedClient, sharedRead } from "./live-reads";

export interface LiveNodeFacts {
  version?: string;
  diskFillupLimitPercent?: number;
  /** What the node's REST tree offers now (the preview's routes); absent when not readable. */
  capabilities?: RestCapabilities;
  error?: string;
}

const BOOT_WAIT_MS = 90_000;

function sleep(ms: number): Promise<void> {
  return new Promise((r) => setTimeout(r, ms));
}

/** One node's running version (and P8's disk fill-up limit). Waits out a first boot (S10) for a while. */
async function readNodeFacts(client: SpsRestClient): Promise<LiveNodeFacts> {
  const deadline = Date.now() + BOOT_WAIT_MS;
  for (;;) {
    // Back = login + /api/info with a version (S10, docs/appliance-facts.md §10); a boot page or 5xx waits.
    const l = await readLiveness(client);
    if (l.phase === "up") {
      const [fillup, capabilities] = await Promise.all([
        client.getDiskFillupPrevention().catch(() => undefined),
        readCapabilities(client).catch(() => undefined),
      ]);
      return {
        version: l.version,
        ...(fillup ? { diskFillupLimitPercent: fillup.usedSpaceRatioLimit } : {}),
        ...(capabilities ? { capabilities } : {}),
      };
    }
    const transient =
      l.phase === "booting" || /ECONNREFUSED|ECONNRESET|socket hang up|ETIMEDOUT/i.test(l.error);
    if (transient && Date.now() < deadline) {
      await sleep(1000);
      continue;
    }
    return { error: l.error };
  }
}

/**
 * Each node's running version (and P8's disk fill-up limit). `check`, `diff` and `read` share the
 * answer across resources (./live-reads.ts); a run (`fresh`) reads for itself.
 */
export async function readLiveFacts(
  f: FirmwareInputs,
  options: { fresh?: boolean } = {},
): Promise<Record<string, LiveNodeFacts>> {
  const entries = await Promise.all(
    f.nodes.map(async (node): Promise<[string, LiveNodeFacts]> => {
      if (options.fresh) {
        const client = restClient(node, 15_000);
        try {
          return [node.name, await readNodeFacts(client)];
        } finally {
          client.close();
        }
      }
      const key = restNodeKey(node);
      return [node.name, await sharedRead(key, "firmware", () => readNodeFacts(sharedClient(node)))];
    }),
  );
  return Object.fromEntries(entries);
}

export interface PlanOutcome {
  plan?: ClusterPlan;
  failures: FieldProblem[];
}

/** The cluster as the planner sees it: declared roles and facts, live versions. */
export function fleetClusterOf(
  f: FirmwareInputs,
  live: Record<string, LiveNodeFacts>,
): { cluster?: FleetCluster; failures: FieldProblem[] } {
  const failures: FieldProblem[] = [];
  const nodes = f.nodes.map((n, i) => {
    const facts = live[n.name] ?? {};
    const version = facts.version ?? n.version;
    if (version === undefined) {
      failures.push({
        property: `nodes[${i}].address`,
        reason: `cannot read the running version of "${n.name}" (${facts.error ?? "no answer"}); check the address, the TLS trust and sps:credentials, or declare nodes[${i}].version for offline planning`,
      });
    }
    const settings = { ...(n.settings ?? {}) };
    if (facts.diskFillupLimitPercent !== undefined)
      settings.diskFillupLimitPercent = facts.diskFillupLimitPercent;
    return {
      name: n.name,
      version: version ?? "0.0.0",
      roles: n.roles,
      ha: n.ha,
      ...(n.hardware !== undefined ? { hardware: n.hardware } : {}),
      ...(n.virtual !== undefined ? { virtual: n.virtual } : {}),
      plugins: n.plugins ?? [],
      settings,
    };
  });
  if (failures.length > 0) return { failures };
  const parsed = clusterSchema.safeParse({
    name: f.cluster,
    target: f.target,
    nodes,
    indexers: [],
    firmware: f.firmware,
    ...(f.canary !== undefined ? { canary: f.canary } : {}),
    ...(f.maintenanceWindow !== undefined ? { maintenanceWindow: f.maintenanceWindow } : {}),
  });
  if (!parsed.success) return { failures: fieldProblems(parsed.error) };
  return { cluster: parsed.data, failures: [] };
}

function findingProperty(f: FirmwareInputs, finding: Finding): string {
  const i = f.nodes.findIndex((n) => n.name === finding.node);
  if (finding.rule === "V7") return "firmware";
  // The only blocking P13 is the estimate over the declared window.
  if (finding.rule === "P13") return "maintenanceWindow";
  if (i >= 0) {
    if (finding.rule === "P8") return `nodes[${i}].settings.diskFillupLimitPercent`;
    if (finding.rule === "P6" || finding.rule === "P7") return `nodes[${i}].plugins`;
    if (finding.rule === "V8") return `nodes[${i}].hardware`;
    if (/^V/.test(finding.rule)) return "target";
    return `nodes[${i}]`;
  }
  return "target";
}

export function today(): string {
  return new Date().toISOString().slice(0, 10);
}

export function planFirmware(f: FirmwareInputs, live: Record<string, LiveNodeFacts>): PlanOutcome {
  const { cluster, failures } = fleetClusterOf(f, live);
  if (!cluster) return { failures };
  const plan = planCluster(cluster, defaultCatalog(), {
    asOf: f.asOf ?? today(),
    ...(f.maxParallel !== undefined ? { maxParallel: f.maxParallel } : {}),
    ...(f.deadlines ? { deadlines: f.deadlines } : {}),
  });
  const blocking = plan.findings
    .filter((x) => x.severity === "error")
    .map((x) => ({
      property: findingProperty(f, x),
      reason: `rule ${x.rule}${x.node ? ` (${x.node})` : ""}: ${x.message}`,
    }));
  return { plan, failures: blocking };
}
