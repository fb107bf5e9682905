/**
 * Small JSON calls to an SPS REST API for modules that need endpoints `ApplianceClient` does not
 * offer (SPP join, next-hop monitoring): login with Basic auth → `session_id` cookie [doc §1], one
 * re-login when a call answers 401 (e.g. after a reboot), the same TLS trust options as
 * `SpsRestClient` (`agentFor`), and redacted messages (password, Basic header, cookie, extra
 * secrets such as an SPP API token). The exchanges go through `RestTransport`, so they have the same
 * inactivity timeout, overall deadline and byte cap as the client's.
 */
import { SpsError } from "../../../core/errors";
import type { Agent } from "node:https";
import { z } from "zod";
import { redactText } from "./api-error";
import { printable } from "../../../core/printable";
import { loginSecrets } from "../../../core/redaction";
import { hasCredentials } from "../../../core/inventory";
import { RestTransport, type TransportRequest } from "./rest-transport";
import { agentFor, stderrTrustLog, TlsTrustSchema, type TrustLogger } from "./tls-trust";

export const spsEndpointSchema = z.strictObject({
  /** The node's REST endpoint. */
  endpoint: z
    .string()
    .url({ error: "must be the https:// URL of the SPS node" })
    .refine((u) => u.startsWith("https://"), {
      error: "must be an https:// URL (the SPS REST API is HTTPS only)",
    })
    .refine((u) => !hasCredentials(u), {
      error: "must not hold a user name or password: put the login in credentials",
    }),
  credentials: z.strictObject({
    username: z.string().min(1, { error: "must not be empty" }),
    password: z.string().min(1, { error: "must not be empty" }),
  }),
  tls: TlsTrustSchema.default({ mode: "system" }),
});
export type SpsEndpoint = z.output<typeof spsEndpointSchema>;

type Method = TransportRequest["method"];

export interface JsonAnswer {
  status: number;
  body: unknown;
}

export class RestCallError extends SpsError {
  static override readonly code: string = "REST_CALL_FAILED";
  constructor(
    message: string,
    readonly status: number | undefined,
    readonly body: unknown,
  ) {
    super(printable(message));
  }
}

export class RestJsonCalls {
  private cookie: string | undefined;
  private readonly agent: Agent;
  private readonly base: URL;
  private readonly transport: RestTransport;
  readonly secrets: string[];

  constructor(
    private readonly sps: SpsEndpoint,
    timeoutMs: number,
    extraSecrets: readonly string[] = [],
    log: TrustLogger = stderrTrustLog,
  ) {
    this.base = new URL(sps.endpoint);
    this.agent = agentFor(sps.tls, this.base.host, log);
    const { username, password } = sps.credentials;
    this.secrets = [...loginSecrets(username, password), ...extraSecrets];
    this.transport = new RestTransport({
      appliance: this.base.host,
      baseUrl: this.base,
      agent: this.agent,
      retry: { attempts: 1, baseDelayMs: 0, maxDelayMs: 0 },
      timeoutMs,
      secrets: () => this.secrets,
    });
  }

  get host(): string {
    return this.base.host;
  }

  /** One exchange through the client's transport (same deadline, byte cap and TLS trust); any status. */
  private async raw(
    method: Method,
    path: string,
    headers: Record<string, string>,
    json?: unknown,
  ): Promise<JsonAnswer & { cookie?: string }> {
    let res;
    try {
      res = await this.transport.exchange({
        method,
        path,
        headers,
        idempotent: method === "GET",
        ...(json !== undefined ? { body: { json } } : {}),
      });
    } catch (e) {
      throw new RestCallError(
        redactText(e instanceof Error ? e.message : String(e), this.secrets),
        undefined,
        undefined,
      );
    }
    const t = res.body.toString("utf8");
    let body: unknown = t;
    try {
      body = t ? JSON.parse(t) : {};
    } catch {
      // not JSON: keep the text
    }
    const cookie = (res.headers["set-cookie"] ?? [])
      .map((c) => /session_id=([^;]+)/.exec(c)?.[1])
      .find((c) => c !== undefined);
    return { status: res.status, body, ...(cookie ? { cookie } : {}) };
  }

  private async login(): Promise<void> {
    const { username, password } = this.sps.credentials;
    const auth = Buffer.from(`${username}:${password}`).toString("base64");
    const login = await this.raw("GET", "/api/authentication", { Authorization: `Basic ${auth}` });
    if (login.status !== 200 || !login.cookie) {
      throw new RestCallError(
        `${this.base.host}: login as "${username}" failed (HTTP ${login.status}); check the credentials`,
        login.status,
        undefined,
      );
    }
    this.cookie = login.cookie;
    this.secrets.push(login.cookie);
  }

  /** One call; any HTTP status is returned (logs in first, and once more after a 401). */
  async call(method: Method, path: string, json?: unknown): Promise<JsonAnswer> {
    if (!this.cookie) await this.login();
    let answer = await this.raw(method, path, { Cookie: `session_id=${this.cookie ?? ""}` }, json);
    if (answer.status === 401) {
      await this.login();
      answer = await this.raw(method, path, { Cookie: `session_id=${this.cookie ?? ""}` }, json);
    }
    return answer;
  }

  /** Like `call`, but an HTTP status >= 400 throws `RestCallError` (redacted). */
  async ok(method: Method, path: string, json?: unknown): Promise<Record<string, unknown>> {
    const a = await this.call(method, path, json);
    if (a.status >= 400) {
      throw new RestCallError(
        redactText(
          `${this.base.host}: ${method} ${path} failed with HTTP ${a.status}: ${JSON.stringify(a.body)}`,
          this.secrets,
        ),
        a.status,
        a.body,
      );
    }
    return (a.body ?? {}) as Record<string, unknown>;
  }

  close(): void {
    this.agent.destroy();
  }

  /** Runs `work`, throws what `mapError` makes of its failure, and closes the connections either way. */
  async use<T>(work: () => Promise<T>, mapError: (e: unknown) => unknown): Promise<T> {
    try {
      return await work();
    } catch (e) {
      throw mapError(e);
    } finally {
      this.close();
    }
  }
}
