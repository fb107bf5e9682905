/**
 * The SPS login session [doc §1]: `GET /api/authentication` with Basic auth (UTF-8 credentials) yields a
 * `session_id` cookie sent with every later request. Sessions end after 20 minutes of inactivity [doc];
 * the client logs in again before that (with a margin) and whenever the appliance answers 401.
 * The password and the cookie value are secrets: they go only into headers, never into messages.
 */
import { ApplianceApiError, type ApplianceApiErrorArgs } from "./api-error";
import { loginSecrets } from "../../../core/redaction";
import { AuthenticationResponseSchema } from "./rest-schemas";
import type { RestTransport } from "./rest-transport";

/** `ApplianceApiError.causeCode` of a login answered by a node that is booting (a web page, HTTP 503). */
export const NODE_NOT_READY = "ENODENOTREADY";

export const SESSION_IDLE_LIMIT_MS = 20 * 60 * 1000;
/** Log in again when the session has been idle this long (20 min minus a margin for clock skew). */
export const SESSION_REFRESH_AFTER_MS = SESSION_IDLE_LIMIT_MS - 60 * 1000;

export interface Credentials {
  username: string;
  password: string;
}

export class RestSession {
  private cookie: string | undefined;
  private lastUsedAt = 0;
  private loggingIn: Promise<void> | undefined;
  /** Logins done so far (observability for tests and logs). */
  logins = 0;

  constructor(
    private readonly transport: RestTransport,
    private readonly credentials: Credentials,
    private readonly appliance: string,
    private readonly now: () => number = Date.now,
  ) {}

  /** Secrets to redact from any error text. */
  secrets(): string[] {
    const out = loginSecrets(this.credentials.username, this.credentials.password);
    if (this.cookie) out.push(this.cookie);
    return out;
  }

  get isLoggedIn(): boolean {
    return this.cookie !== undefined;
  }

  /** The Cookie header for a request, logging in first when there is no fresh session. */
  async cookieHeader(): Promise<string> {
    if (!this.cookie || this.now() - this.lastUsedAt >= SESSION_REFRESH_AFTER_MS) await this.login();
    this.lastUsedAt = this.now();
    return `session_id=${this.cookie!}`;
  }

  /** Forget the session (after a 401) so the next request logs in again. */
  invalidate(): void {
    this.cookie = undefined;
  }

  async login(): Promise<void> {
    // One login at a time even when several calls find the session stale together.
    this.loggingIn ??= this.doLogin().finally(() => {
      this.loggingIn = undefined;
    });
    return this.loggingIn;
  }

  private async doLogin(): Promise<void> {
    const basic = Buffer.from(`${this.credentials.username}:${this.credentials.password}`, "utf8").toString(
      "base64",
    );
    let res;
    try {
      res = await this.transport.send({
        method: "GET",
        path: "/api/authentication",
        headers: { Authorization: `Basic ${basic}` },
        idempotent: true,
      });
    } catch (e) {
      if (e instanceof ApplianceApiError && e.status === 503)
        throw this.loginError({
          failure: "http",
          status: 503,
          ...(e.errorType !== undefined ? { errorType: e.errorType } : {}),
          code: NODE_NOT_READY,
          detail:
            "the node is not ready (service unavailable): it is in its first boot or starting up; wait until it has booted and retry",
        });
      throw e;
    }
    const setCookie = res.headers["set-cookie"] ?? [];
    const cookie = setCookie
      .map((c) => /(?:^|;\s*)session_id=([^;]+)/.exec(c)?.[1])
      .find((v) => v !== undefined);
    const json = safeJson(res.json);
    if (!cookie && json === undefined) {
      // [doc] While a node boots into new firmware its web interface shows a progress page, not the
      // REST API (SPS Upgrade Guide, "Upgrading SPS"; real-appliance behaviour): a login answered
      // with a page is a node that is not ready, not a wrong answer.
      throw this.loginError({
        failure: "protocol",
        code: NODE_NOT_READY,
        status: res.status,
        detail:
          "the node is not ready: it answered the login with a web page, not the REST API (a node in its first boot or starting up shows a progress page); wait until it has booted and retry",
      });
    }
    const parsed = AuthenticationResponseSchema.safeParse(json);
    if (!cookie || !parsed.success) {
      throw this.loginError({
        failure: "protocol",
        status: res.status,
        detail: cookie ? "the login answer has no meta object" : "the login answer set no session_id cookie",
      });
    }
    this.cookie = cookie;
    this.lastUsedAt = this.now();
    this.logins++;
  }

  private loginError(
    fields: Omit<ApplianceApiErrorArgs, "appliance" | "method" | "path" | "secrets">,
  ): ApplianceApiError {
    const at = { appliance: this.appliance, method: "GET", path: "/api/authentication" };
    return new ApplianceApiError({ ...at, ...fields, secrets: this.secrets() });
  }
}

function safeJson(read: () => unknown): unknown {
  try {
    return read();
  } catch {
    return undefined;
  }
}
