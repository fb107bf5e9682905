/**
 * `SpsRestClient`: the `ApplianceClient` over the SPS REST API. Documentation tags on each method:
 * [doc] public REST guide, [ps] safeguard-ps behaviour, [inference] our reading (docs/rest-api.md).
 *
 *   const client = new SpsRestClient({
 *     endpoint: "https://sps1.example", credentials: { username, password },
 *     tls: { mode: "pin", sha256Fingerprint: "AB:CD:…" },
 *   });
 */
import { createReadStream } from "node:fs";
import type { Readable } from "node:stream";
import { z } from "zod";
import { ApplianceApiError } from "./api-error";
import { ANSWER_NOT_JSON, FIRMWARE_UPLOAD_DEADLINE_MS } from "./answer-limits";
import { hasCredentials } from "../../../core/inventory";
import type {
  ApplianceClient,
  ApplianceInfo,
  ClusterNode,
  ClusterRole,
  ClusterStatus,
  DiskFillupPrevention,
  FirmwareActivation,
  FirmwareFetchStatus,
  FirmwareSlot,
  FirmwareSlots,
  FirmwareTestResult,
  FirmwareUpload,
  HealthStatus,
  InstalledPlugin,
  LicenseInfo,
  SetupStatus,
  TransactionStatus,
  UploadProgress,
} from "./appliance-client";
import { READ_CHUNK_BYTES, verifyFirmwareImage, type FirmwareImage } from "./firmware-image";
import {
  ClusterNodesResponseSchema,
  ClusterStatusResponseSchema,
  DiskFillupResponseSchema,
  HealthResponseSchema,
  IndexResponseSchema,
  InfoResponseSchema,
  LicenseResponseSchema,
  PluginBodySchema,
  PluginListResponseSchema,
  PluginUploadResponseSchema,
  SetupStatusSchema,
  SlotListSchema,
  SlotSchema,
  TestSummaryResponseSchema,
  TransactionResponseSchema,
  UploadFirmwareResponseSchema,
} from "./rest-schemas";
import { RestSession } from "./rest-session";
import * as extra from "./rest-troubleshooting";
import type { RestCaller } from "./rest-troubleshooting";
import {
  DEFAULT_RETRY,
  RestTransport,
  type RetryPolicy,
  type TransportRequest,
  type TransportOptions,
  type TransportResponse,
} from "./rest-transport";
import { agentFor, stderrTrustLog, TlsTrustSchema, type TrustLogger } from "./tls-trust";
import type { Agent } from "node:https";

/**
 * Rule P12 verdict of a 2xx test answer: it fails only when its summary says the upgrade is not allowed.
 * [doc] success is a 2xx with `test_summary`, failure a `FirmwareTestFailed` error (7.1.1 / 8.0 REST
 * guides); [ps] `Test-SafeguardSpsFirmware` once required the prefix "Upgrade is allowed;" (2022), later
 * treats "no error" as a pass — a real pass may lack the prefix, so it is not required.
 */
export const TEST_NOT_ALLOWED = /\bnot\s+allowed\b/i;

export function testSummaryPasses(summary: string): boolean {
  return !TEST_NOT_ALLOWED.test(summary);
}

export const SpsRestClientConfigSchema = z.strictObject({
  endpoint: z
    .string()
    .url()
    .refine((u) => u.startsWith("https://"), {
      message: "the SPS REST API is HTTPS only: use an https:// URL",
    })
    .refine((u) => !hasCredentials(u), {
      message: "must not hold a user name or password: pass the login as credentials",
    }),
  credentials: z.object({ username: z.string().min(1), password: z.string().min(1) }),
  tls: TlsTrustSchema.default({ mode: "system" }),
  /** Name used in errors and logs (default: host:port). */
  name: z.string().min(1).optional(),
  retry: z
    .object({
      attempts: z.number().int().min(1).max(10),
      baseDelayMs: z.number().min(0),
      maxDelayMs: z.number().min(0),
    })
    .partial()
    .optional(),
  /** Per-request inactivity timeout (ms). */
  timeoutMs: z.number().int().positive().default(60_000),
  /** Upload inactivity timeout (ms): the appliance may pause while it stores the image. */
  uploadTimeoutMs: z
    .number()
    .int()
    .positive()
    .default(10 * 60_000),
});

export type SpsRestClientConfig = z.input<typeof SpsRestClientConfigSchema>;

export interface SpsRestClientHooks {
  log?: TrustLogger;
  /** Clock for the session idle limit (default Date.now). */
  now?: () => number;
  /** Backoff sleep (tests). */
  sleep?: (ms: number) => Promise<void>;
  /** Sees every answer received (`doctor --record`). */
  onExchange?: TransportOptions["onExchange"];
}

const INFO = { method: "GET", path: "/api/info" } as const;

function slotFrom(item: z.infer<typeof SlotSchema>): FirmwareSlot {
  const b = item.body;
  const empty = b.version === undefined;
  return {
    id: Number(item.key),
    empty,
    version: b.version,
    current: b.current ?? false,
    afterReboot: b.after_reboot ?? false,
    upgradeNotes: b.upgrade_notes ?? undefined,
  };
}

function pluginFrom(type: string, key: string, b: z.infer<typeof PluginBodySchema>): InstalledPlugin {
  return { type, key, name: b.name, version: b.version, description: b.description, api: b.api };
}

function slotIdFromHref(href: string | undefined): number | undefined {
  const m = href ? /\/slots\/(\d+)$/.exec(href) : null;
  return m ? Number(m[1]) : undefined;
}

export class SpsRestClient implements ApplianceClient {
  readonly endpoint: string;
  readonly name: string;
  private readonly agent: Agent;
  private readonly transport: RestTransport;
  private readonly session: RestSession;
  private readonly config: z.output<typeof SpsRestClientConfigSchema>;

  constructor(config: SpsRestClientConfig, hooks: SpsRestClientHooks = {}) {
    const parsed = SpsRestClientConfigSchema.safeParse(config);
    if (!parsed.success) {
      const i = parsed.error.issues[0];
      // Never echo the input: it holds the password.
      throw new Error(`SPS client configuration: ${i.path.join(".") || "(root)"}: ${i.message}`);
    }
    this.config = parsed.data;
    const url = new URL(this.config.endpoint);
    this.endpoint = `${url.protocol}//${url.host}`;
    this.name = this.config.name ?? url.host;
    this.agent = agentFor(this.config.tls, this.name, hooks.log ?? stderrTrustLog);
    const retry: RetryPolicy = { ...DEFAULT_RETRY, ...this.config.retry };
    this.transport = new RestTransport({
      appliance: this.name,
      baseUrl: new URL(this.endpoint),
      agent: this.agent,
      retry,
      timeoutMs: this.config.timeoutMs,
      secrets: () => this.session.secrets(),
      sleep: hooks.sleep,
      onExchange: hooks.onExchange,
    });
    this.session = new RestSession(this.transport, this.config.credentials, this.name, hooks.now);
  }

  /** Logins performed so far (a re-login after 401 or idle expiry increments it). */
  get loginCount(): number {
    return this.session.logins;
  }

  close(): void {
    this.agent.destroy();
  }

  /** The secrets this client holds (password, `user:password`, the session cookie once logged in). */
  secrets(): string[] {
    return this.session.secrets();
  }

  private protocolError(
    { method, path }: Pick<TransportRequest, "method" | "path">,
    status: number | undefined,
    detail: string,
    code?: string,
  ): ApplianceApiError {
    return new ApplianceApiError({
      appliance: this.name,
      method,
      path,
      failure: "protocol",
      status,
      detail,
      ...(code !== undefined ? { code } : {}),
      secrets: this.session.secrets(),
    });
  }

  private parse<S extends z.ZodType>(req: TransportRequest, res: TransportResponse, schema: S): z.output<S> {
    let raw: unknown;
    try {
      raw = res.json();
    } catch {
      throw this.protocolError(req, res.status, "the answer is not JSON", ANSWER_NOT_JSON);
    }
    const parsed = schema.safeParse(raw);
    if (!parsed.success) {
      const i = parsed.error.issues[0];
      throw this.protocolError(
        req,
        res.status,
        `unexpected answer shape at ${i.path.join(".") || "(root)"}: ${i.message}`,
      );
    }
    return parsed.data;
  }

  /** An authenticated call: logs in when needed; after a 401 logs in again once and repeats [doc §1]. */
  private async call<S extends z.ZodType>(req: TransportRequest, schema: S): Promise<z.output<S>> {
    return this.parse(req, await this.callRaw(req), schema);
  }

  private async callRaw(req: TransportRequest): Promise<TransportResponse> {
    for (let attempt = 0; ; attempt++) {
      const cookie = await this.session.cookieHeader();
      try {
        return await this.transport.send({ ...req, headers: { ...req.headers, Cookie: cookie } });
      } catch (e) {
        if (attempt === 0 && e instanceof ApplianceApiError && e.status === 401) {
          this.session.invalidate();
          continue;
        }
        throw e;
      }
    }
  }

  /** An authenticated GET (idempotent, so retried). */
  private get<S extends z.ZodType>(path: string, schema: S): Promise<z.output<S>> {
    return this.call({ method: "GET", path, idempotent: true }, schema);
  }

  private readonly rest: RestCaller = {
    json: (req, schema) => this.call(req, schema),
    raw: (req) => this.callRaw(req),
  };

  /** Runs `fn` in a configuration transaction and commits it [doc §3]; cancels it on failure. */
  private async inTransaction<T>(fn: () => Promise<T>, commitMessage?: string): Promise<T> {
    await this.call(
      {
        method: "POST",
        path: "/api/transaction",
        body: { bytes: Buffer.alloc(0), contentType: "application/json" },
        idempotent: false,
      },
      z.unknown(),
    );
    const loginsBefore = this.session.logins;
    try {
      const result = await fn();
      if (this.session.logins !== loginsBefore) {
        // A transaction belongs to its session: a re-login lost the staged changes.
        throw this.protocolError(
          { method: "PUT", path: "/api/transaction" },
          undefined,
          "the session was renewed during the transaction; its changes were discarded, retry",
        );
      }
      // [ps] commit = {"status": "commit"}; the commit-message field name is [inference] ("message", as for firmware upgrade).
      const body: Record<string, unknown> = { status: "commit" };
      if (commitMessage) body.message = commitMessage;
      await this.call(
        { method: "PUT", path: "/api/transaction", body: { json: body }, idempotent: false },
        z.unknown(),
      );
      return result;
    } catch (e) {
      await this.call({ method: "DELETE", path: "/api/transaction", idempotent: true }, z.unknown()).catch(
        () => undefined,
      );
      throw e;
    }
  }

  /** A PUT of `json` in a transaction, committed [doc §3]. */
  private async putCommitted(path: string, json: unknown, commitMessage?: string): Promise<void> {
    await this.inTransaction(
      () => this.call({ method: "PUT", path, body: { json }, idempotent: true }, z.unknown()),
      commitMessage,
    );
  }

  async login(): Promise<void> {
    await this.session.login();
  }

  /** [ps] `GET /api/setup`, no authentication. */
  async getSetupStatus(): Promise<SetupStatus> {
    const req: TransportRequest = { method: "GET", path: "/api/setup", idempotent: true };
    const res = await this.transport.send(req);
    return { status: this.parse(req, res, SetupStatusSchema).status };
  }

  /**
   * [doc] `GET /api/info`. It also answers anonymous callers (without firmware_version/roles) [doc], so a
   * stale cookie shows up as an anonymous answer, not a 401: log in again once and re-read [inference].
   */
  async getInfo(): Promise<ApplianceInfo> {
    let r = await this.get("/api/info", InfoResponseSchema);
    if (r.body.firmware_version === undefined && r.meta?.remaining_seconds === undefined) {
      this.session.invalidate();
      r = await this.get("/api/info", InfoResponseSchema);
    }
    return {
      hostname: r.body.hostname,
      nickname: r.body.nickname,
      firmwareVersion: r.body.firmware_version,
      versionLabel: r.body.version,
      roles: r.body.roles ?? [],
      buildDate: r.body.build_date,
    };
  }

  /** [doc] `firmware_version` of `/api/info` ([ps] Get-SafeguardSpsVersion reads the same). */
  async getFirmwareVersion(): Promise<string> {
    const info = await this.getInfo();
    if (!info.firmwareVersion || !/^\d+\.\d+\.\d+/.test(info.firmwareVersion)) {
      throw this.protocolError(INFO, 200, "the answer has no firmware_version X.Y.Z");
    }
    return info.firmwareVersion;
  }

  /** [doc] `GET /api/firmware/slots`. */
  async listFirmwareSlots(): Promise<FirmwareSlots> {
    const r = await this.get("/api/firmware/slots", SlotListSchema);
    const slots = r.items.map(slotFrom);
    return {
      slots,
      currentSlot: slotIdFromHref(r.meta.current_slot) ?? slots.find((s) => s.current)?.id,
      afterRebootSlot: slotIdFromHref(r.meta.slot_after_reboot) ?? slots.find((s) => s.afterReboot)?.id,
      emptySlots: r.meta.number_of_empty_slots ?? slots.filter((s) => s.empty).length,
    };
  }

  /** [doc] `GET /api/firmware/slots/<id>`. */
  async getFirmwareSlot(slotId: number): Promise<FirmwareSlot> {
    return slotFrom(await this.get(`/api/firmware/slots/${slotId}`, SlotSchema));
  }

  /** [doc] `DELETE /api/firmware/slots/<id>` (refused for the current and after-reboot slots). */
  async deleteFirmwareSlot(slotId: number): Promise<void> {
    await this.call(
      { method: "DELETE", path: `/api/firmware/slots/${slotId}`, idempotent: true },
      z.unknown(),
    );
  }

  /**
   * Verifies the image's SHA-256 by streaming it, then streams it as the raw body of
   * `POST /api/upload/firmware` with `Content-Type: application/x-iso9660-image` and a Content-Length
   * [ps] (the guide documents multipart/form-data [doc]; the raw body is what safeguard-ps sends).
   * Memory use does not depend on the ISO size. Not retried (not idempotent: it fills a slot).
   */
  async uploadFirmware(
    image: FirmwareImage,
    options: { onProgress?: (p: UploadProgress) => void } = {},
  ): Promise<FirmwareUpload> {
    const t0 = performance.now();
    const { size, sha256 } = await verifyFirmwareImage(image);
    const t1 = performance.now();
    const stream = (): Readable => {
      const s = createReadStream(image.path, { highWaterMark: READ_CHUNK_BYTES });
      if (options.onProgress) {
        const onProgress = options.onProgress;
        let sent = 0;
        s.on("data", (c: string | Buffer) => {
          sent += c.length;
          onProgress({ bytesSent: sent, totalBytes: size });
        });
      }
      return s;
    };
    const r = await this.call(
      {
        method: "POST",
        path: "/api/upload/firmware",
        body: { stream, length: size, contentType: "application/x-iso9660-image" },
        idempotent: false,
        timeoutMs: this.config.uploadTimeoutMs,
        deadlineMs: Math.max(this.config.uploadTimeoutMs, FIRMWARE_UPLOAD_DEADLINE_MS),
      },
      UploadFirmwareResponseSchema,
    );
    const t2 = performance.now();
    return {
      slotId: Number(r.key),
      version: r.body.version,
      emptySlotsLeft: r.meta.number_of_empty_slots,
      bytes: size,
      sha256,
      verifyMs: t1 - t0,
      transferMs: t2 - t1,
    };
  }

  /**
   * [doc] `POST /api/firmware/test` `{slot_id}` (the guide's header says GET; its table and clients use POST).
   * A `FirmwareTestFailed` error [doc] or a summary that says "not allowed" fails; any other 2xx passes
   * (`testSummaryPasses`). The summary is kept verbatim (rule P12). Retried like an idempotent call: the
   * test changes nothing [inference].
   */
  async testFirmware(slotId: number): Promise<FirmwareTestResult> {
    try {
      const r = await this.call(
        { method: "POST", path: "/api/firmware/test", body: { json: { slot_id: slotId } }, idempotent: true },
        TestSummaryResponseSchema,
      );
      const summary = r.body.test_summary;
      return { slotId, passed: testSummaryPasses(summary), summary };
    } catch (e) {
      if (e instanceof ApplianceApiError && e.errorType === "FirmwareTestFailed") {
        const d = (e.details ?? {}) as { test_summary?: unknown; message?: unknown };
        const summary =
          typeof d.test_summary === "string"
            ? d.test_summary
            : typeof d.message === "string"
              ? d.message
              : JSON.stringify(e.details);
        return { slotId, passed: false, summary };
      }
      throw e;
    }
  }

  /**
   * [doc] `POST /api/firmware/upgrade` `{slot_id, message}`: the appliance re-runs its checks and selects the
   * slot for the next boot. Whether it also starts the reboot is [unknown]: [ps] Install-SafeguardSpsUpgrade
   * treats it so (sleeps, then waits for the new version), the web-interface procedure [doc] separates
   * the two (docs/appliance-facts.md §1). The caller must observe what happened after the call.
   */
  async activateFirmware(slotId: number, message: string | null = null): Promise<FirmwareActivation> {
    const r = await this.call(
      {
        method: "POST",
        path: "/api/firmware/upgrade",
        body: { json: { slot_id: slotId, message } },
        idempotent: false,
      },
      TestSummaryResponseSchema,
    );
    return { slotId, summary: r.body.test_summary };
  }

  /** [doc] `GET /api/health_status`. */
  async getHealth(): Promise<HealthStatus> {
    const r = await this.get("/api/health_status", HealthResponseSchema);
    const h = r.health_status;
    return {
      cpu: h.cpu,
      disk: h.disk,
      memory: h.memory,
      load1: h.load1,
      firmwareIntegrity: h.firmware?.integrity ?? {},
      taintedFiles: h.firmware?.tainted_files ?? {},
      raidStatus: h.raid?.status?.status,
      raw: h,
    };
  }

  /** [doc] `GET /api/configuration/management/license`; the body's fields are not documented. */
  async getLicense(): Promise<LicenseInfo> {
    const r = await this.get("/api/configuration/management/license", LicenseResponseSchema);
    return { raw: r.body };
  }

  /** [doc] `GET /api/configuration/management/disk_fillup_prevention`. */
  async getDiskFillupPrevention(): Promise<DiskFillupPrevention> {
    const r = await this.get(
      "/api/configuration/management/disk_fillup_prevention",
      DiskFillupResponseSchema,
    );
    return {
      enabled: r.body.enabled,
      archivingEnabled: r.body.archiving_enabled,
      usedSpaceRatioLimit: r.body.used_space_ratio_limit,
    };
  }

  /** [doc] `PUT …/disk_fillup_prevention` in a transaction [doc §3], committed. */
  async setDiskFillupPrevention(settings: DiskFillupPrevention, commitMessage?: string): Promise<void> {
    await this.putCommitted(
      "/api/configuration/management/disk_fillup_prevention",
      {
        enabled: settings.enabled,
        archiving_enabled: settings.archivingEnabled,
        used_space_ratio_limit: settings.usedSpaceRatioLimit,
      },
      commitMessage,
    );
  }

  /** [doc] `GET /api/cluster/status` on the Central Management node; `null` elsewhere ([ps]: it fails there). */
  async getClusterStatus(): Promise<ClusterStatus | null> {
    try {
      const r = await this.get("/api/cluster/status", ClusterStatusResponseSchema);
      return {
        selfNodeId: r.meta.self?.split("/").pop(),
        nodes: r.items.map((i) => ({
          nodeId: i.key,
          fqdn: i.fqdn,
          lastSeen: i.last_seen,
          up: i.health_status !== null && i.health_status !== undefined,
          syncStatus: i.sync_status,
          health: i.health_status ?? null,
        })),
      };
    } catch (e) {
      if (e instanceof ApplianceApiError && e.failure === "http" && e.status === 404) return null;
      throw e;
    }
  }

  /** `GET /api/cluster/nodes` [doc: nodes resource; list shape inference]. */
  async listClusterNodes(): Promise<ClusterNode[]> {
    const r = await this.get("/api/cluster/nodes", ClusterNodesResponseSchema);
    return r.items.map((i) => ({ nodeId: i.key, address: i.body?.address, roles: i.body?.roles ?? [] }));
  }

  /** [doc] `PUT /api/cluster/nodes/<id>` `{roles, address}` in a transaction, committed. */
  async setClusterNodeRoles(
    nodeId: string,
    roles: ClusterRole[],
    address: string,
    commitMessage?: string,
  ): Promise<void> {
    await this.putCommitted(
      `/api/cluster/nodes/${encodeURIComponent(nodeId)}`,
      { roles, address },
      commitMessage,
    );
  }

  /** [doc] `GET /api/configuration/plugins` (types) then each type's list [inference: items with key/body]. */
  async listPlugins(): Promise<InstalledPlugin[]> {
    const index = await this.get("/api/configuration/plugins", IndexResponseSchema);
    const out: InstalledPlugin[] = [];
    for (const { key: type } of index.items) {
      const list = await this.get(
        `/api/configuration/plugins/${encodeURIComponent(type)}`,
        PluginListResponseSchema,
      );
      for (const item of list.items) {
        if (item.body) out.push(pluginFrom(type, item.key, item.body));
      }
    }
    return out;
  }

  /** [doc] `POST /api/upload/plugins` (raw zip, `application/zip`) in a transaction, committed; 201 with the plugin. */
  async uploadPlugin(zip: Buffer, commitMessage?: string): Promise<InstalledPlugin> {
    return this.inTransaction(async () => {
      const r = await this.call(
        {
          method: "POST",
          path: "/api/upload/plugins",
          body: { bytes: zip, contentType: "application/zip" },
          idempotent: false,
        },
        PluginUploadResponseSchema,
      );
      const type = /\/api\/configuration\/plugins\/([^/]+)\//.exec(r.meta.href)?.[1] ?? "unknown";
      return pluginFrom(type, r.key, r.body);
    }, commitMessage);
  }

  /** [doc] `GET /api/transaction` (8.0 `body.status` or older `transaction.status`). */
  async getTransaction(): Promise<TransactionStatus> {
    const r = await this.get("/api/transaction", TransactionResponseSchema);
    const status = r.body?.status ?? r.transaction?.status;
    if (!status)
      throw this.protocolError({ method: "GET", path: "/api/transaction" }, 200, "no transaction status");
    return { status, commitMessage: r.body?.commit_message };
  }
  // ---- REST tree, support bundles, firmware by URL (./rest-troubleshooting.ts) ----------------------

  readonly readTree = (path: string): Promise<unknown> => extra.readTree(this.rest, path);
  readonly startSupportBundle = (): Promise<string> => extra.startSupportBundle(this.rest);
  readonly supportBundleStatus = (key: string): Promise<string> => extra.supportBundleStatus(this.rest, key);
  readonly downloadSupportBundle = (key: string): Promise<Buffer> =>
    extra.downloadSupportBundle(this.rest, key);
  readonly deleteSupportBundle = (key: string): Promise<void> => extra.deleteSupportBundle(this.rest, key);
  readonly startFirmwareFetch = (url: string, sha256: string): Promise<string> =>
    extra.startFirmwareFetch(this.rest, url, sha256);
  readonly firmwareFetchStatus = (key: string): Promise<FirmwareFetchStatus> =>
    extra.firmwareFetchStatus(this.rest, key);
  readonly deleteFirmwareFetch = (key: string): Promise<void> => extra.deleteFirmwareFetch(this.rest, key);
}
