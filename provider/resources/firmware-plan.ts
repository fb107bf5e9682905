/**
 * Planning for the firmware resource: live versions of the nodes (with the declared version only as
 * an offline fallback), the fleet-cluster shape the domain planner takes, the plan, and the mapping of
 * blocking findings to `check` failures naming the field and the fix.
 */
import { setTimeout as sleep } from "node:timers/promises";
import { printable } from "../../core/printable";
import { clusterSchema, type FleetCluster } from "../../core/fleet";
import { planCluster } from "../../core/fleet-plan";
import { starlingFindings } from "../../core/preflight";
import type { ClusterPlan, Finding } from "../../core/plan";
import { RULES } from "../../core/rules";
import { fieldProblems, type FieldProblem } from "../../core/validation";
import type { FirmwareInputs } from "../../sdk/inputs";
import { readLiveness } from "../executor/node-state";
import { readCapabilities, type RestCapabilities } from "../clients/sps/rest-capabilities";
import type { SpsRestClient } from "../clients/sps/sps-rest-client";
import { ANSWER_TOO_LARGE } from "../clients/sps/answer-limits";
import type { FirmwareSlot } from "../clients/sps/appliance-client";
import { CREDENTIALS_CONFIG_KEY } from "../../sdk/credentials";
import { effectiveCatalog, sdkAdvice } from "../../sdk/catalog-input";
import { credentials, errorText } from "./context";
import { parseIndexerVersion } from "../clients/hosts/indexer-version";
import { inspectIndexerHost, type IndexerEndpoint } from "./indexer-hosts";
import { byName, readNode } from "./live-reads";

export interface LiveNodeFacts {
  version?: string;
  diskFillupLimitPercent?: number;
  /** P2: System Monitor verdict (core/rules.ts, RULES.P2.live); absent when not readable. */
  healthOk?: boolean;
  /** What the node's REST tree offers now (the preview's routes); absent when not readable. */
  capabilities?: RestCapabilities;
  /** The firmware slots (./foreign-slots.ts); absent when not readable. */
  slots?: FirmwareSlot[];
  error?: string;
}

/** How long check, diff and read wait for a node's facts by default (`deadlines.planReadMs`). */
export const PLAN_READ_DEFAULT_MS = 90_000;

/** The longest one planning request may take, its answer complete. */
const PLAN_REQUEST_MS = 15_000;

/**
 * One node's running version (and P8's disk fill-up limit). Waits out a first boot (S10) for up to
 * `waitMs`; an answer over the byte cap is no boot page (docs/appliance-facts.md §10) and is not read
 * again — another read would only cost the cap again.
 */
async function readNodeFacts(client: SpsRestClient, ha: boolean, waitMs: number): Promise<LiveNodeFacts> {
  const deadline = Date.now() + waitMs;
  for (;;) {
    // Back = login + /api/info with a version (S10, docs/appliance-facts.md §10); a boot page or 5xx waits.
    const l = await readLiveness(client);
    if (l.phase === "up") {
      const [fillup, capabilities, health, slots] = await Promise.all([
        client.getDiskFillupPrevention().catch(() => undefined),
        readCapabilities(client).catch(() => undefined),
        client.getHealth().catch(() => undefined),
        client.listFirmwareSlots().catch(() => undefined),
      ]);
      return {
        version: l.version,
        ...(fillup ? { diskFillupLimitPercent: fillup.usedSpaceRatioLimit } : {}),
        // P2: the same verdict as doctor and the executor's preflight. An HA pair's RAID status follows
        // the pair, which a run degrades on purpose (secondary shut down); the executor's preflight
        // judges it with the run's checkpoint at hand, so the plan does not.
        ...(health ? { healthOk: RULES.P2.live({ health, pairDegradedByUs: ha }).ok } : {}),
        ...(capabilities ? { capabilities } : {}),
        ...(slots ? { slots: slots.slots } : {}),
      };
    }
    const oversized = l.error.includes(`(${ANSWER_TOO_LARGE})`);
    const transient =
      !oversized &&
      (l.phase === "booting" ||
        l.phase === "unreadable" ||
        /ECONNREFUSED|ECONNRESET|socket hang up|ETIMEDOUT/i.test(l.error));
    const left = deadline - Date.now();
    if (transient && left > 0) {
      await sleep(Math.min(1000, left));
      continue;
    }
    // Named so the operator knows which deadline ran out, and where to lengthen it.
    return {
      error: transient ? `${l.error}; no usable answer within deadlines.planReadMs = ${waitMs} ms` : l.error,
    };
  }
}

/**
 * Each node's running version (and P8's disk fill-up limit). `check` and `diff` share the answer
 * across resources (./live-reads.ts); a run (`fresh`) reads for itself.
 */
export async function readLiveFacts(
  f: FirmwareInputs,
  options: { fresh?: boolean } = {},
): Promise<Record<string, LiveNodeFacts>> {
  const waitMs = f.deadlines?.planReadMs ?? PLAN_READ_DEFAULT_MS;
  const requestMs = Math.min(PLAN_REQUEST_MS, waitMs);
  const nodes = await byName(f.nodes, (node) =>
    readNode(node, `firmware~${waitMs}`, (client) => readNodeFacts(client, node.ha, waitMs), {
      ...options,
      timeoutMs: requestMs,
    }),
  );
  return { ...nodes, ...(await byName(f.indexers, (i) => readIndexerFacts(i, options))) };
}

/**
 * An indexer host's installed package version as the planner takes it (X.Y.Z; "0.0.0" when none is
 * installed), read over SSH: the plan upgrades it after every hop that takes SPS past it (I1).
 */
async function readIndexerFacts(i: IndexerEndpoint, options: { fresh?: boolean }): Promise<LiveNodeFacts> {
  try {
    const { version } = await inspectIndexerHost(i, options);
    if (version === null) return { version: "0.0.0" };
    const parsed = parseIndexerVersion(version);
    if (!parsed) return { error: `the installed package reports version "${version}", not X.Y.Z` };
    return { version: `${parsed.major}.${parsed.minor}.${parsed.patch}` };
  } catch (e) {
    return { error: errorText(e) };
  }
}

/**
 * Why a node's version could not be read, named by the field to fix: the REST login refused →
 * sps:credentials; the certificate refused → the node's tls (caPem / sha256Fingerprint / system);
 * anything else (no answer, a wrong address) → its address.
 */
export function unreadableNode(
  n: FirmwareInputs["nodes"][number],
  i: number,
  error: string | undefined,
): FieldProblem {
  const text = error ?? "no answer";
  const offline = `or declare nodes[${i}].version for offline planning`;
  if (/HTTP 401|Unauthenticated/.test(text) && !/TLS certificate was refused/.test(text)) {
    const key = credentials().nodes[n.name]
      ? `${CREDENTIALS_CONFIG_KEY}.nodes.${n.name}`
      : `${CREDENTIALS_CONFIG_KEY}.appliance`;
    return {
      property: key,
      reason: `"${n.name}" refused the REST login (${text}); set the right username and password in ${key} with \`pulumi config set --secret\``,
    };
  }
  if (/TLS certificate was refused/.test(text)) {
    const tlsField =
      Object.keys(n.tls).find((k) => (n.tls as Record<string, unknown>)[k] !== undefined) ?? "caPem";
    const fix =
      tlsField === "caPem"
        ? `set nodes[${i}].tls.caPem to the PEM of the CA that issued the appliance's certificate (or pin it with tls.sha256Fingerprint)`
        : tlsField === "sha256Fingerprint"
          ? `set nodes[${i}].tls.sha256Fingerprint to the SHA-256 fingerprint of the appliance's certificate (or trust its CA with tls.caPem)`
          : `the machine's CA store does not trust it: set nodes[${i}].tls.caPem to the PEM of the issuing CA (or pin it with tls.sha256Fingerprint)`;
    return {
      property: `nodes[${i}].tls.${tlsField}`,
      reason: `"${n.name}" presented a certificate this trust refuses (${text}); ${fix}`,
    };
  }
  return {
    property: `nodes[${i}].address`,
    reason: `cannot read the running version of "${n.name}" (${text}); check the address and that the appliance is up, ${offline}`,
  };
}

type NodePlugin = NonNullable<FirmwareInputs["nodes"][number]["plugins"]>[number];

/**
 * A node's plugins with the builds the run installs (`pluginBuilds`, what the executor's
 * upload-plugin / upgrade-plugin steps take) as the planner's `builds`, release → version, so P6 and
 * P7 judge the version this upgrade installs, not only what `nodes[].plugins[].builds` repeats. A
 * build keyed by a revision ("6.3.2") counts for its release; it wins over one keyed by the release,
 * and a declared build wins over the node's own `builds` (it is the one installed).
 */
export function withDeclaredBuilds(
  plugins: readonly NodePlugin[],
  pluginBuilds: FirmwareInputs["pluginBuilds"],
): NodePlugin[] {
  return plugins.map((p) => {
    const declared = pluginBuilds[p.name];
    if (!declared) return p;
    const byRelease: Record<string, string> = {};
    const keys = Object.keys(declared).sort((a, b) => a.split(".").length - b.split(".").length);
    for (const key of keys) byRelease[key.split(".").slice(0, 2).join(".")] = declared[key].version;
    return { ...p, builds: { ...(p.builds ?? {}), ...byRelease } };
  });
}

/**
 * P7 for the versions the cluster's `Plugin` resources install after the firmware (`pluginVersions`):
 * the planner does not install them, but the guide's "join Starling before upgrading the plugin" holds
 * for them as much as for the builds of the run.
 */
export function pluginResourceFindings(f: FirmwareInputs): Finding[] {
  return (f.pluginVersions ?? []).flatMap((p) => {
    const node = f.nodes.find((n) => n.name === p.node);
    if (!node) return [];
    return starlingFindings(node.name, node.settings?.starlingJoined, p.name, [
      { version: p.version, what: "declared by the cluster's Plugin resource" },
    ]);
  });
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
    if (version === undefined) failures.push(unreadableNode(n, i, facts.error));
    const settings = { ...(n.settings ?? {}) };
    if (facts.diskFillupLimitPercent !== undefined)
      settings.diskFillupLimitPercent = facts.diskFillupLimitPercent;
    if (facts.healthOk !== undefined) settings.healthOk = facts.healthOk;
    return {
      name: n.name,
      version: version ?? "0.0.0",
      roles: n.roles,
      ha: n.ha,
      ...(n.hardware !== undefined ? { hardware: n.hardware } : {}),
      ...(n.virtual !== undefined ? { virtual: n.virtual } : {}),
      plugins: withDeclaredBuilds(n.plugins ?? [], f.pluginBuilds),
      settings,
    };
  });
  // I1: each indexer host's installed version, read live (there is no offline fallback: a host whose
  // version is unknown cannot be planned, and its per-hop upgrades could not be checked).
  const indexers = f.indexers.map((i, k) => {
    const facts = live[i.name];
    if (facts?.version === undefined)
      failures.push({
        property: `indexers[${k}].host`,
        reason: `cannot read the installed indexer version of "${i.name}" (${facts?.error ?? "not read"}); check indexers[${k}].host, port and hostKeySha256 and the SSH login in ${CREDENTIALS_CONFIG_KEY}.indexer (or .indexerHosts.${i.name})`,
      });
    return { name: i.name, os: i.os, version: facts?.version ?? "0.0.0" };
  });
  if (failures.length > 0) return { failures };
  const parsed = clusterSchema.safeParse({
    name: f.cluster,
    target: f.target,
    nodes,
    indexers,
    firmware: f.firmware,
    ...(f.canary !== undefined ? { canary: f.canary } : {}),
    ...(f.maintenanceWindow !== undefined ? { maintenanceWindow: f.maintenanceWindow } : {}),
  });
  if (!parsed.success) return { failures: fieldProblems(parsed.error) };
  return { cluster: parsed.data, failures: [] };
}

function findingProperty(f: FirmwareInputs, finding: Finding): string {
  const i = f.nodes.findIndex((n) => n.name === finding.node);
  // A target or running release the catalog does not know: fix the target, or declare `catalog`.
  if (/not in the release catalog/.test(finding.message))
    return finding.node && i >= 0 ? "catalog" : "target";
  if (finding.rule === "V7") return "firmware";
  // The only blocking P13 is the estimate over the declared window.
  if (finding.rule === "P13") return "maintenanceWindow";
  if (i >= 0) {
    if (finding.rule === "P8") return `nodes[${i}].settings.diskFillupLimitPercent`;
    if (finding.rule === "P7" && /Plugin resource/.test(finding.message)) return "plugins";
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

/**
 * A node that could not be read but has a declared `version` is planned from that declaration: said as
 * a finding (V3's no-downgrade check and the hops rest on a version nobody confirmed), never silently.
 */
export function unconfirmedVersions(f: FirmwareInputs, live: Record<string, LiveNodeFacts>): Finding[] {
  return f.nodes.flatMap((n, i) => {
    const facts = live[n.name];
    if (n.version === undefined || facts === undefined || facts.version !== undefined) return [];
    return [
      {
        rule: "V3",
        severity: "warning" as const,
        node: n.name,
        status: "not-checked" as const,
        message: printable(
          `the running version of ${n.name} could not be read (${facts.error ?? "no answer"}): planned from the declared nodes[${i}].version ${n.version}, not confirmed live; check the node is reachable before up`,
        ),
      },
    ];
  });
}

export function planFirmware(
  f: FirmwareInputs,
  live: Record<string, LiveNodeFacts>,
): { plan?: ClusterPlan; failures: FieldProblem[] } {
  const { cluster, failures } = fleetClusterOf(f, live);
  if (!cluster) return { failures };
  const plan = planCluster(cluster, effectiveCatalog(f.catalog), {
    asOf: f.asOf ?? today(),
    ...(f.maxParallel !== undefined ? { maxParallel: f.maxParallel } : {}),
    ...(f.deadlines ? { deadlines: f.deadlines } : {}),
  });
  plan.findings.push(...unconfirmedVersions(f, live), ...pluginResourceFindings(f));
  const blocking = plan.findings
    .filter((x) => x.severity === "error")
    .map((x) => ({
      property: findingProperty(f, x),
      reason: `rule ${x.rule}${x.node ? ` (${x.node})` : ""}: ${sdkAdvice(x.message)}`,
    }));
  return { plan, failures: blocking };
}
