/**
 * Emulated configuration endpoints: transactions [doc §3] — every configuration write (plugins, disk
 * fill-up, roles, cluster interface, promotion) is staged in the session's transaction and takes effect
 * only on commit (`PUT /api/transaction {"status": "commit"}`), so a client that forgets the commit
 * changes nothing, as on a real SPS [doc §3; ps: Join-SafeguardSessionCluster commits every write] —, plugins [doc §9], disk fill-up prevention
 * [doc §15], license [doc §8: fields as public sources name them], plus /api/info and /api/health_status [doc §11].
 */
import { randomUUID } from "node:crypto";
import { SpsApiFault } from "./api-errors";
import {
  IN_TRANSACTION,
  meta,
  notFound,
  readBody,
  readJson,
  requireWrite,
  sendIndex,
  sendItems,
  sendJson,
  sendMeta,
  sendObject,
  transactionOf,
  type ApiContext,
} from "./api-context";
import { CLUSTER_ROLES, type ClusterRole, type EmulatedNode } from "./emulated-node";
import { parsePluginManifest, PLUGIN_TYPES, PluginArchiveError, type PluginManifest } from "./plugin-archive";
import type { StagedChange } from "./session-store";
import { sppStateOf } from "../spp/spp-emulator";
import { indexerWorkersOf } from "./indexer-workers";

const MAX_PLUGIN_BYTES = 64 * 1024 * 1024;

function pluginPath(type: string, key: string): string {
  return `/api/configuration/plugins/${type}/${key}`;
}

function pluginBody(p: PluginManifest & { key: string }): Record<string, unknown> {
  return {
    name: p.name,
    description: p.description,
    version: p.version,
    path: `/opt/scb/var/plugins/${p.type}/${p.key}`,
    api: p.api,
  };
}

function sendTransactionStatus(ctx: ApiContext, status: "open" | "closed"): void {
  sendObject(ctx, "transaction", { status }, "/api/transaction", "/api");
}

export async function handleTransaction(ctx: ApiContext): Promise<void> {
  const session = ctx.session!;
  const { method, segments } = ctx;
  if (segments.length === 3 && segments[2] === "changes" && method === "GET") {
    const changes = (session.transaction?.changes ?? []).map((c) => describeChange(c));
    return sendJson(ctx.res, 200, {
      changes,
      meta: meta(ctx, "/api/transaction/changes", "/api/transaction"),
    });
  }
  if (segments.length !== 2) notFound(ctx);
  if (method === "GET") {
    const body = {
      status: session.transaction ? "open" : "closed",
      commit_message: ctx.node.requireCommitLog ? "required" : "optional",
    };
    return sendObject(ctx, "transaction", body, "/api/transaction", "/api", {
      changes: "/api/transaction/changes",
    });
  }
  requireWrite(ctx);
  if (method === "POST") {
    if (ctx.req.headers["content-length"] === undefined) {
      throw new SpsApiFault(
        "LengthRequired",
        "POST /api/transaction needs a (possibly empty) body with Content-Length.",
        {},
        411,
      );
    }
    await readBody(ctx.req);
    transactionOf(ctx);
    return sendTransactionStatus(ctx, "open");
  }
  if (method === "DELETE") {
    session.transaction = undefined;
    return sendTransactionStatus(ctx, "closed");
  }
  if (method === "PUT") {
    const body = await readJson(ctx);
    if (body.status !== "commit")
      throw new SpsApiFault("InvalidRequest", 'Send {"status": "commit"} to commit.');
    const message = typeof body.message === "string" ? body.message : undefined;
    if (ctx.node.requireCommitLog && !message) {
      throw new SpsApiFault("TransactionProcessingError", "A commit message is required.", {
        field: "message",
      });
    }
    const changes = session.transaction?.changes ?? [];
    session.transaction = undefined;
    for (const change of changes) applyChange(ctx, change);
    ctx.node.record("action", "commit", { changes: changes.length });
    return sendTransactionStatus(ctx, "closed");
  }
  notFound(ctx);
}

function describeChange(c: StagedChange): Record<string, unknown> {
  const change = (type: string, path: string, new_value: unknown) => ({
    type,
    path,
    old_value: null,
    new_value,
  });
  switch (c.kind) {
    case "plugin":
      const plugin = { name: c.manifest.name, version: c.manifest.version };
      return change("create", pluginPath(c.manifest.type, c.key), plugin);
    case "delete-plugin":
      return change("delete", pluginPath(c.type, c.key), null);
    case "disk-fillup":
      return change("replace", "/api/configuration/management/disk_fillup_prevention", c.value);
    case "roles":
      return change("replace", `/api/cluster/nodes/${c.nodeId}`, { roles: c.roles });
    case "cluster-interface":
      const clusterInterface = { enabled: c.enabled, listen_address: c.listenAddress };
      return change("replace", "/api/configuration/local_services/cluster", clusterInterface);
    case "promote":
      return change("replace", `/api/cluster/nodes/${c.nodeId}`, { roles: ["central-management"] });
  }
}

function applyChange(ctx: ApiContext, change: StagedChange): void {
  const node = ctx.node;
  switch (change.kind) {
    case "plugin":
      node.installPlugin(change.manifest, change.key);
      return;
    case "delete-plugin":
      node.plugins = node.plugins.filter((p) => p.key !== change.key);
      return;
    case "disk-fillup":
      node.setDiskFillup(change.value);
      return;
    case "roles": {
      const target = ctx.directory.clusterNodes(node).find((n) => n.nodeId === change.nodeId);
      if (!target)
        throw new SpsApiFault("TransactionProcessingError", `Cluster node ${change.nodeId} disappeared.`);
      target.roles = change.roles;
      target.record("action", "set-roles", { roles: change.roles });
      return;
    }
    case "cluster-interface":
      sppStateOf(node).clusterInterface = { enabled: change.enabled, listenAddress: change.listenAddress };
      return;
    case "promote":
      node.roles = ["central-management", "search-local"];
      node.record("action", "cluster-promote");
      return;
  }
}

export async function handlePlugins(ctx: ApiContext): Promise<void> {
  const { method, segments, node } = ctx;
  if (segments[1] === "upload") {
    if (method !== "POST") notFound(ctx);
    requireWrite(ctx);
    const zip = await readBody(ctx.req, MAX_PLUGIN_BYTES);
    let manifest: PluginManifest;
    try {
      manifest = parsePluginManifest(zip);
    } catch (e) {
      if (e instanceof PluginArchiveError)
        throw new SpsApiFault("InvalidPlugin", `Invalid plugin: ${e.message}`);
      throw e;
    }
    node.checkPluginUpload(manifest);
    const existing = node.plugins.find((p) => p.name === manifest.name && p.type === manifest.type);
    const key = existing?.key ?? randomUUID();
    transactionOf(ctx).changes.push({ kind: "plugin", key, manifest });
    const href = pluginPath(manifest.type, key);
    const body = pluginBody({ ...manifest, key });
    return sendObject(
      ctx,
      key,
      body,
      href,
      `/api/configuration/plugins/${manifest.type}`,
      IN_TRANSACTION,
      201,
    );
  }
  // ["api", "configuration", "plugins", type?, key?]
  const rest = segments.slice(3);
  if (rest.length === 0 && method === "GET") {
    return sendIndex(ctx, PLUGIN_TYPES, "/api/configuration/plugins", "/api/configuration");
  }
  const type = rest[0];
  if (!PLUGIN_TYPES.includes(type as PluginManifest["type"])) notFound(ctx);
  const ofType = node.plugins.filter((p) => p.type === type);
  if (rest.length === 1 && method === "GET") {
    const items = ofType.map((p) => ({
      key: p.key,
      body: pluginBody(p),
      meta: { href: pluginPath(type, p.key) },
    }));
    return sendItems(
      ctx,
      items,
      `/api/configuration/plugins/${type}`,
      "/api/configuration/plugins",
      IN_TRANSACTION,
    );
  }
  if (rest.length === 2) {
    const plugin = ofType.find((p) => p.key === rest[1]);
    if (!plugin) notFound(ctx);
    const href = pluginPath(type, plugin.key);
    if (method === "GET")
      return sendObject(ctx, plugin.key, pluginBody(plugin), href, `/api/configuration/plugins/${type}`);
    if (method === "DELETE") {
      requireWrite(ctx);
      transactionOf(ctx).changes.push({ kind: "delete-plugin", key: plugin.key, type });
      return sendMeta(ctx, href, `/api/configuration/plugins/${type}`);
    }
  }
  notFound(ctx);
}

export async function handleDiskFillup(ctx: ApiContext): Promise<void> {
  const href = "/api/configuration/management/disk_fillup_prevention";
  const parent = "/api/configuration/management";
  if (ctx.method === "GET") {
    const staged = ctx.session?.transaction?.changes.filter((c) => c.kind === "disk-fillup").at(-1);
    const value = staged?.kind === "disk-fillup" ? staged.value : ctx.node.diskFillup;
    return sendObject(ctx, "disk_fillup_prevention", value, href, parent, IN_TRANSACTION);
  }
  if (ctx.method === "PUT") {
    requireWrite(ctx);
    const body = await readJson(ctx);
    const { enabled, archiving_enabled, used_space_ratio_limit } = body;
    if (
      typeof enabled !== "boolean" ||
      typeof archiving_enabled !== "boolean" ||
      typeof used_space_ratio_limit !== "number"
    ) {
      throw new SpsApiFault(
        "InvalidRequest",
        "Expected {enabled: bool, archiving_enabled: bool, used_space_ratio_limit: int}.",
      );
    }
    if (
      !Number.isInteger(used_space_ratio_limit) ||
      used_space_ratio_limit < 1 ||
      used_space_ratio_limit > 100
    ) {
      throw new SpsApiFault("InvalidRequest", "used_space_ratio_limit must be an integer percentage.", {
        used_space_ratio_limit,
      });
    }
    const value = { enabled, archiving_enabled, used_space_ratio_limit };
    transactionOf(ctx).changes.push({ kind: "disk-fillup", value });
    return sendObject(ctx, "disk_fillup_prevention", value, href, parent, IN_TRANSACTION);
  }
  notFound(ctx);
}

/**
 * `GET /api/configuration/management/license` [doc: the endpoint; its fields are not in the REST
 * guide]. Only fields public sources name, nothing of the emulator's own: `customer`, `serial`,
 * `limit` (administration guide's license page: Customer, Serial, Limit) and `product_version`,
 * `valid_not_after` (as-built generator mpierson/oi-doc-generators sps/SPSAsBuiltToMD.xsl). The value
 * formats are [unknown]; `product_version` is "<major>.0" here, left out on a node declared with
 * `emulator.licenseProductVersion: false` (the reading where REST cannot show the license's LTS major).
 * No validity state: a client derives it from the dates (provider/clients/sps/license-reading.ts).
 */
export function handleLicense(ctx: ApiContext): void {
  if (ctx.method !== "GET") notFound(ctx);
  const l = ctx.node.license;
  const body = {
    customer: l.customer,
    serial: l.serial,
    limit: l.limit,
    ...(ctx.node.showsLicenseProductVersion() ? { product_version: `${l.major}.0` } : {}),
    valid_not_after: l.validNotAfter,
  };
  sendObject(ctx, "license", body, "/api/configuration/management/license", "/api/configuration/management");
}

export function infoBody(node: EmulatedNode, authenticated: boolean): Record<string, unknown> {
  const base = {
    domainname: "sps.example",
    hostname: node.hostname,
    nickname: node.name,
    plugin_sdk_version: { feature: "1", full: "1.0.0" },
    support_link: "https://support.oneidentity.com/",
  };
  if (!authenticated) return base;
  const version = node.runningVersion;
  const [major, minor] = version.split(".");
  return {
    ...base,
    analytics_enabled: false,
    build_date: "2026-01-01",
    config_hash: "0".repeat(32),
    firmware_version: version,
    roles: node.roles,
    version: minor === "0" ? `${major} LTS` : `${major} F${minor}`,
  };
}

export function healthBody(node: EmulatedNode): Record<string, unknown> {
  const ha = node.haState();
  return {
    health_status: {
      cpu: 3.5,
      disk: node.diskUsedPercent,
      memory: 31.2,
      swap: 0,
      load1: 0.21,
      load5: 0.18,
      load15: 0.12,
      firmware: {
        tainted_files: { boot: 0, core: node.taintedCoreFiles, ha_other: 0 },
        integrity: { boot: "OK", core: node.coreIntegrity },
      },
      indexer: {
        indexer_status: indexerWorkersOf(node),
        processing_tasks: [],
        remaining_tasks: [],
        worker_warnings: [],
      },
      pipeline_queues: { session_events: 0, indexer_events: 0 },
      raid: {
        disks: { "252:0": { status: "OK" } },
        status: {
          status: ha.status === "Degraded" || node.raidStatus === "Degraded" ? "Degraded" : "OK",
          detailed_status: "",
          operation_progress: 100,
        },
      },
      sessions: { http: 0, ica: 0, mssql: 0, rdp: 0, ssh: 0, telnet: 0, vnc: 0 },
      sessions_total: 0,
      system_details: {
        cpu: { user: 2.0, system: 1.5, idle: 96.5, iowait: 0 },
        disk: { free: 100 - node.diskUsedPercent, percent: node.diskUsedPercent, total: 1000 },
      },
    },
  };
}

export function parseRoles(raw: unknown): ClusterRole[] {
  if (
    !Array.isArray(raw) ||
    raw.some((r) => typeof r !== "string" || !CLUSTER_ROLES.includes(r as ClusterRole))
  ) {
    throw new SpsApiFault("InvalidRequest", `roles must be a list of: ${CLUSTER_ROLES.join(", ")}.`, {
      roles: raw,
    });
  }
  return raw as ClusterRole[];
}
