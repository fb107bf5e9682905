/**
 * The fleet planner: from a validated fleet description and a catalog to the plan document
 * (plan-contract.md). Pure: no I/O, no clock (the "as of" date is an input).
 *
 * Per cluster: the release path (V3–V8), waves that honour the cluster order (C1) and are
 * hop-synchronised (C3), per-node steps (S, H), preflight findings (P), then the indexer
 * hosts (I) after every appliance step.
 */
import { Catalog } from "./catalog";
import { canaryStages, estimateCluster, estimateStages, type EstimateDeadlines } from "./estimate";
import { Fleet, FleetCluster, FleetIndexer, FleetNode, NodeRole } from "./fleet";
import {
  INDEXER_VERSION_QUERY,
  BACKUP_STAMP_AT_RUN_TIME,
  indexerBackupCommand,
  indexerPackagePath,
  indexerServiceCommand,
  indexerUpgradeCommand,
} from "./indexer-commands";
import { windowFindings } from "./maintenance-window";
import { isFetched, revisionCanFetch, urlHost } from "./firmware-source";
import { inputFindings } from "./input-findings";
import { nodeHopActions } from "./node-steps";
import { ClusterPlan, Finding, finding, Hop, IndexerAction, PlanDocument, PlanStep } from "./plan";
import { preflightNode } from "./rules";
import { cautionFindings } from "./version-cautions";
import { isOutOfSupport, supportWindow } from "./support-window";
import { planNodePath, RevisionHop } from "./upgrade-path";
import {
  compareRevisions,
  formatRelease,
  formatRevision,
  parseRevision,
  parseVersionSpec,
  releaseLabel,
  releaseOf,
  Revision,
} from "./version";

export interface PlanOptions {
  /** Nodes (or indexer hosts) worked on at the same time within one wave; default: no limit. */
  readonly maxParallel?: number;
  /** ISO date for support-window findings (V2). */
  readonly asOf: string;
  /** Configured deadlines of the waits (the estimate's deadline figure); default DEFAULT_DEADLINES. */
  readonly deadlines?: Partial<EstimateDeadlines>;
}

/** Rule C1 order: Search Minions → other Managed Hosts → CM (if not Search Master) → Search Master. */
export function clusterOrderGroup(roles: readonly NodeRole[]): number {
  if (roles.includes("search-master")) return 3;
  if (roles.includes("central-management")) return 2;
  if (roles.includes("search-minion")) return 0;
  return 1;
}

interface NodePlan {
  readonly node: FleetNode;
  readonly current: Revision;
  readonly hops: readonly RevisionHop[];
  readonly target?: Revision | undefined;
}

function chunk<T>(items: readonly T[], size: number): T[][] {
  const out: T[][] = [];
  for (let i = 0; i < items.length; i += size) out.push(items.slice(i, i + size));
  return out;
}

class StepWriter {
  readonly steps: PlanStep[] = [];
  wave = 0;
  nextWave(): void {
    this.wave += 1;
  }
  add(step: Omit<PlanStep, "seq" | "wave">): void {
    this.steps.push({ seq: this.steps.length + 1, wave: this.wave, ...step });
  }
}

function supportFindings(
  nodes: readonly NodePlan[],
  target: Revision,
  catalog: Catalog,
  asOf: string,
): Finding[] {
  const out: Finding[] = [];
  const tw = supportWindow(releaseOf(target), catalog);
  if (tw && isOutOfSupport(tw, asOf)) {
    const message = `target ${formatRevision(target)} (${releaseLabel(releaseOf(target))}) has been out of support since ${tw.endsOn} (as of ${asOf}); consider a supported release`;
    out.push(finding("V2", "warning", message));
  }
  const seen = new Set<string>();
  for (const n of nodes) {
    const rel = releaseOf(n.current);
    const key = formatRelease(rel);
    if (seen.has(key) || n.hops.length === 0) continue;
    seen.add(key);
    const w = supportWindow(rel, catalog);
    if (!w) continue;
    const when = isOutOfSupport(w, asOf) ? "has been out of support since" : "leaves support on";
    out.push(finding("V2", "warning", `running release ${key} (${releaseLabel(rel)}) ${when} ${w.endsOn}`));
  }
  return out;
}

/** Merge the nodes' own paths into the cluster's hop list (C3: every node ends each hop on the same revision). */
function clusterHops(nodes: readonly NodePlan[]): Revision[] {
  const targets = new Map<string, Revision>();
  for (const n of nodes) for (const h of n.hops) targets.set(formatRevision(h.to), h.to);
  return [...targets.values()].sort(compareRevisions);
}

/**
 * The indexer steps after one hop (I1): every indexer whose version is below the hop's SPS revision is
 * upgraded to it; `versions` (host → installed version) is updated, so the next hop starts from there.
 */
function indexerSteps(
  w: StepWriter,
  indexers: readonly FleetIndexer[],
  versions: Map<string, string>,
  target: Revision,
  maxParallel: number,
): void {
  const version = formatRevision(target);
  const due = indexers
    .map((i) => ({ ...i, version: versions.get(i.name) ?? i.version }))
    .filter((i) => compareRevisions(parseRevision(i.version), target) < 0);
  for (const i of due) versions.set(i.name, version);
  for (const group of chunk(due, maxParallel)) {
    w.nextWave();
    for (const idx of group) {
      const pkg = indexerPackagePath(version);
      const base = { wave: w.wave, hop: null, node: idx.name, version } as const;
      const steps: ReadonlyArray<readonly [IndexerAction, string]> = [
        // Rule I2: back up indexerworker.cfg and indexer-certs.cfg first.
        ["backup-indexer-config", indexerBackupCommand(idx.version, BACKUP_STAMP_AT_RUN_TIME)],
        // Rule I3: the RPM comes from the SPS (Local Services → Indexer service); copied over SFTP.
        ["copy-indexer-package", `sftp put external-indexer-${version}.rpm ${pkg}`],
        // Rule I4: stop → yum upgrade → start, per OS; I5: a failed yum starts the old version again.
        ["stop-indexer", indexerServiceCommand(idx.os, "stop")],
        ["upgrade-indexer-package", indexerUpgradeCommand(pkg)],
        ["start-indexer", indexerServiceCommand(idx.os, "start")],
        ["verify-indexer", `${INDEXER_VERSION_QUERY} && ${indexerServiceCommand(idx.os, "status")}`],
      ];
      for (const [action, command] of steps) w.add({ ...base, action, command });
    }
  }
}

export function planCluster(cluster: FleetCluster, catalog: Catalog, options: PlanOptions): ClusterPlan {
  const maxParallel = Math.max(1, options.maxParallel ?? Number.MAX_SAFE_INTEGER);
  const targetSpec = parseVersionSpec(cluster.target);
  const findings: Finding[] = [];
  const nodes: NodePlan[] = cluster.nodes.map((node) => {
    const current = parseRevision(node.version);
    const path = planNodePath(
      {
        current,
        target: targetSpec,
        ...(node.hardware ? { hardware: node.hardware } : {}),
        ...(node.virtual !== undefined ? { virtual: node.virtual } : {}),
      },
      catalog,
    );
    // Cluster-wide target findings (V7 on the target) are reported once.
    for (const f of path.findings) {
      const clusterWide = (f.rule === "V7" || f.rule === "V6") && f.message.startsWith("target ");
      if (clusterWide && findings.some((x) => x.message === f.message)) continue;
      findings.push(
        clusterWide
          ? f
          : {
              ...finding(f.rule, f.severity, f.message, node.name),
              ...(f.status ? { status: f.status } : {}),
              ...(f.confirm !== undefined ? { confirm: f.confirm } : {}),
            },
      );
    }
    return { node, current, hops: path.hops, target: path.target };
  });

  const resolvedTarget = nodes.find((n) => n.target)?.target;
  const target = resolvedTarget ? formatRevision(resolvedTarget) : cluster.target;
  if (!resolvedTarget) return { name: cluster.name, target, hops: [], steps: [], findings };

  // Rule C3: mixed versions in production are to be avoided.
  const versions = new Set(nodes.map((n) => formatRevision(n.current)));
  if (versions.size > 1) {
    const message = `nodes run different versions (${[...versions].sort().join(", ")}); the plan brings them together hop by hop`;
    findings.push(finding("C3", "warning", message));
  }

  // Cluster hops (V5, V6) and which node takes which one.
  const hopTargets = clusterHops(nodes);
  const minVersion = [...nodes].map((n) => n.current).sort(compareRevisions)[0];
  const hops: Hop[] = hopTargets.map((to, i) => ({
    from: formatRevision(i === 0 ? minVersion : hopTargets[i - 1]),
    to: formatRevision(to),
  }));

  // Rule V7: firmware images, when declared, must cover every hop.
  for (const h of hops.filter((h) => cluster.firmware && !cluster.firmware[h.to])) {
    const message = `no firmware image declared for ${h.to}; add firmware["${h.to}"] with its path or url and sha256`;
    findings.push(finding("V7", "error", message));
  }

  // Preflight (P rules) per node with work to do.
  for (const n of nodes) findings.push(...preflightNode(n.node, n.hops));
  // Rule P16: the cautions the guides give for the versions the paths cross.
  findings.push(...cautionFindings(nodes.map((n) => ({ name: n.node.name, hops: n.hops }))));
  const working = nodes.filter((n) => n.hops.length > 0);
  if (working.length > 0) {
    // Rule P13: upgrades reboot the node.
    const message = `the upgrade reboots ${working.length} node(s) (${hops.length} hop(s)); run it in a maintenance window`;
    findings.push(finding("P13", "warning", message));
  }
  if (working.length > 0 || cluster.indexers.length > 0) {
    // S16: Desktop Player is client-side; the tool cannot upgrade it.
    const message = `Safeguard Desktop Player is client-side: upgrade it on the auditors' workstations to replay audit trails recorded by ${target}`;
    findings.push(finding("S16", "warning", message));
  }
  findings.push(...supportFindings(nodes, resolvedTarget, catalog, options.asOf));

  const w = new StepWriter();
  // P1 + contract: every preflight and backup-config step comes before the first change.
  if (working.length > 0) {
    w.nextWave();
    for (const n of working) w.add({ hop: null, node: n.node.name, action: "preflight", version: target });
    for (const n of working)
      w.add({ hop: null, node: n.node.name, action: "backup-config", version: target });
  }

  // Rule I1: the indexers' versions as the hops bring them up.
  const indexerVersions = new Map<string, string>();
  // Rule C3: hop-synchronised — no node starts hop k+1 before every node finished hop k.
  hopTargets.forEach((to, i) => {
    const hopNo = i + 1;
    const version = formatRevision(to);
    const takers = working
      .map((n) => ({ n, idx: n.hops.findIndex((h) => compareRevisions(h.to, to) === 0) }))
      .filter((x) => x.idx >= 0);
    // Rule C1: minions → managed hosts → CM (not SM) → search master; parallel within a group (C2).
    for (let group = 0; group < 4; group++) {
      const members = takers.filter((x) => clusterOrderGroup(x.n.node.roles) === group);
      for (const part of chunk(members, maxParallel)) {
        w.nextWave();
        for (const { n, idx } of part) {
          const hop = n.hops[idx];
          const image = cluster.firmware?.[version];
          const fetchFrom = isFetched(image) ? { host: urlHost(image.url) } : undefined;
          // V7: the node that runs the fetch must offer it — a node still below 7.0 cannot ([doc] 7.0 LTS).
          if (fetchFrom && !revisionCanFetch(formatRevision(hop.from))) {
            const message = `firmware["${version}"] has only a url, but ${n.node.name} runs ${formatRevision(hop.from)} for this hop and POST /api/firmware/fetch exists from 7.0 LTS on [doc]; give firmware["${version}"].path (the tool uploads the ISO)`;
            findings.push(finding("V7", "error", message, n.node.name));
          }
          for (const a of nodeHopActions(n.node, hop, idx === n.hops.length - 1, fetchFrom)) {
            w.add({
              hop: hopNo,
              node: n.node.name,
              action: a.action,
              version,
              ...(a.plugin ? { plugin: a.plugin } : {}),
              ...(a.host ? { host: a.host } : {}),
            });
          }
        }
      }
    }
    // Rules I1–I5: after the hop's appliance steps, every indexer below the hop's SPS revision is
    // brought to it ([doc] 6.3 upgrade guide: "always upgrade your external indexer when you upgrade
    // SPS"), so no hop leaves SPS newer than its indexers.
    indexerSteps(w, cluster.indexers, indexerVersions, to, maxParallel);
  });
  // I1: indexers still below the target (the SPS nodes needed no hop, or fewer) are brought to it.
  indexerSteps(w, cluster.indexers, indexerVersions, resolvedTarget, maxParallel);
  // S2, S11, I3: the license per LTS entered and the indexer RPMs, where the fleet declares them.
  findings.push(...inputFindings(cluster, w.steps, target));

  return withEstimate(cluster, { name: cluster.name, target, hops, steps: w.steps, findings }, options);
}

/** The duration estimate per step, wave and cluster; rule P13 against the declared window. */
function withEstimate(cluster: FleetCluster, plan: ClusterPlan, options: PlanOptions): ClusterPlan {
  const start = Object.fromEntries(cluster.nodes.map((n) => [n.name, n.version]));
  const { steps, cluster: estimate } = estimateCluster(plan, start, options.deadlines ?? {});
  const window = cluster.maintenanceWindow;
  return {
    ...plan,
    steps: plan.steps.map((s) => {
      const e = steps.get(s.seq);
      return e ? { ...s, estimate: e } : s;
    }),
    findings: window ? [...plan.findings, ...windowFindings(estimate, window, cluster.name)] : plan.findings,
    estimate,
    ...(window ? { maintenanceWindow: window } : {}),
  };
}

export function planFleet(fleet: Fleet, catalog: Catalog, options: PlanOptions): PlanDocument {
  const clusters = fleet.clusters.map((c) => planCluster(c, catalog, options));
  const stages = canaryStages(
    fleet.clusters.map((c, i) => ({ name: c.name, canary: c.canary, plan: clusters[i] })),
  ).map((st) => ({
    name: st.name,
    clusters: st.clusters.flatMap((c) =>
      c.plan?.estimate ? [{ name: c.name, estimate: c.plan.estimate }] : [],
    ),
  }));
  return { clusters, estimate: estimateStages(stages) };
}
