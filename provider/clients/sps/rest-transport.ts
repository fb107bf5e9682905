/**
 * One HTTPS exchange with an SPS appliance: headers (non-browser User-Agent so SPS 7.5+ does not ask
 * for an X-Token [ps]), JSON or streamed bodies, the SPS error envelope mapped to `ApplianceApiError`,
 * and retries with exponential backoff for 5xx answers and connection resets — on idempotent calls only.
 * Every attempt is bounded: an inactivity timeout, an overall deadline (a slow drip does not hold the
 * call) and a cap on the bytes of the answer (an endless body is not read into memory); see
 * answer-limits.ts.
 */
import { request, type Agent } from "node:https";
import type { IncomingHttpHeaders } from "node:http";
import type { Readable } from "node:stream";
import { pipeline } from "node:stream/promises";
import { setTimeout as delay } from "node:timers/promises";
import { ApplianceApiError } from "./api-error";
import { ANSWER_DEADLINE, ANSWER_TOO_LARGE, JSON_ANSWER_MAX_BYTES } from "./answer-limits";
import { ErrorEnvelopeSchema } from "./rest-schemas";
import { TLS_ERROR_CODES } from "./tls-trust";

export const USER_AGENT = "pulumi-sps/0.1 (Node.js REST client)";

export interface RetryPolicy {
  /** Attempts in total (1 = no retry). */
  attempts: number;
  baseDelayMs: number;
  maxDelayMs: number;
}

export const DEFAULT_RETRY: RetryPolicy = { attempts: 4, baseDelayMs: 250, maxDelayMs: 4000 };

export interface TransportRequest {
  method: "GET" | "POST" | "PUT" | "DELETE";
  path: string;
  headers?: Record<string, string>;
  /** JSON value, raw bytes, or a factory for a streamed body (called once per attempt). */
  body?:
    | { json: unknown }
    | { bytes: Buffer; contentType: string }
    | { stream: () => Readable; length: number; contentType: string };
  /** Safe to repeat: GETs and calls without side effects. Only these are retried. */
  idempotent: boolean;
  /** Milliseconds without socket activity before giving up. */
  timeoutMs?: number;
  /**
   * Milliseconds for the whole attempt (sending, and reading the complete answer); default: the
   * inactivity timeout, so that a slow drip is stopped as a silent appliance is.
   */
  deadlineMs?: number;
  /** Bytes of the answer read at most (default `JSON_ANSWER_MAX_BYTES`). */
  maxBytes?: number;
}

export interface TransportResponse {
  status: number;
  headers: IncomingHttpHeaders;
  body: Buffer;
  json: () => unknown;
}

const RETRYABLE_CODES = new Set([
  "ECONNRESET",
  "EPIPE",
  "ECONNABORTED",
  "ERR_STREAM_PREMATURE_CLOSE",
  "ESOCKETHANGUP",
]);

export interface TransportOptions {
  appliance: string;
  baseUrl: URL;
  agent: Agent;
  retry?: RetryPolicy;
  timeoutMs?: number;
  secrets: () => readonly string[];
  sleep?: (ms: number) => Promise<void>;
  /** Sees every answer received (e.g. `doctor --record`); must not throw. */
  onExchange?: (exchange: Exchange) => void;
}

/** One answer as received: what `doctor --record` keeps (after redaction). */
export type Exchange = Pick<TransportRequest, "method" | "path"> & Omit<TransportResponse, "json">;

export class RestTransport {
  readonly retry: RetryPolicy;
  private readonly sleep: (ms: number) => Promise<void>;

  constructor(private readonly options: TransportOptions) {
    this.retry = options.retry ?? DEFAULT_RETRY;
    this.sleep = options.sleep ?? ((ms) => delay(ms));
  }

  /** Sends the request; resolves with any HTTP answer < 400, throws ApplianceApiError otherwise. */
  async send(req: TransportRequest): Promise<TransportResponse> {
    const attempts = req.idempotent ? Math.max(1, this.retry.attempts) : 1;
    let last: ApplianceApiError | undefined;
    for (let attempt = 1; attempt <= attempts; attempt++) {
      try {
        const res = await this.once(req);
        try {
          this.options.onExchange?.({
            method: req.method,
            path: req.path,
            status: res.status,
            headers: res.headers,
            body: res.body,
          });
        } catch {
          // an observer never fails a call
        }
        if (res.status < 400) return res;
        last = this.httpError(req, res);
        if (!(res.status >= 500 && res.status <= 599)) throw last;
      } catch (e) {
        if (!(e instanceof ApplianceApiError)) throw e;
        last = e;
        const retryable =
          e.failure === "network" && e.causeCode !== undefined && RETRYABLE_CODES.has(e.causeCode);
        const serverError = e.failure === "http" && e.status !== undefined && e.status >= 500;
        if (!retryable && !serverError) throw e;
      }
      if (attempt < attempts) {
        const backoff = Math.min(this.retry.maxDelayMs, this.retry.baseDelayMs * 2 ** (attempt - 1));
        await this.sleep(backoff / 2 + Math.random() * (backoff / 2));
      }
    }
    throw last!;
  }

  private error(
    req: TransportRequest,
    fields: Partial<ConstructorParameters<typeof ApplianceApiError>[0]> & {
      detail: string;
      failure: ApplianceApiError["failure"];
    },
  ): ApplianceApiError {
    return new ApplianceApiError({
      appliance: this.options.appliance,
      method: req.method,
      path: req.path,
      secrets: this.options.secrets(),
      ...fields,
    });
  }

  private httpError(req: TransportRequest, res: TransportResponse): ApplianceApiError {
    let errorType: string | undefined;
    let details: unknown;
    let detail = `HTTP ${res.status}`;
    try {
      const env = ErrorEnvelopeSchema.safeParse(res.json());
      if (env.success) {
        errorType = env.data.error.type;
        details = env.data.error.details;
        const msg = (details as { message?: unknown } | undefined)?.message;
        detail = typeof msg === "string" ? msg : `the appliance answered ${errorType}`;
      }
    } catch {
      detail = `HTTP ${res.status} with a non-JSON body`;
    }
    return this.error(req, { failure: "http", status: res.status, errorType, details, detail });
  }

  /** One attempt, any HTTP status returned (no retry, no error mapping of 4xx/5xx); bounded as `send`. */
  exchange(req: TransportRequest): Promise<TransportResponse> {
    return this.once(req);
  }

  private once(req: TransportRequest): Promise<TransportResponse> {
    const url = new URL(req.path, this.options.baseUrl);
    const headers: Record<string, string | number> = {
      "User-Agent": USER_AGENT,
      Accept: "application/json",
      ...req.headers,
    };
    let payload: Buffer | undefined;
    let stream: Readable | undefined;
    if (req.body && "json" in req.body) {
      payload = Buffer.from(JSON.stringify(req.body.json));
      headers["Content-Type"] = "application/json";
    } else if (req.body && "bytes" in req.body) {
      payload = req.body.bytes;
      headers["Content-Type"] = req.body.contentType;
    } else if (req.body && "stream" in req.body) {
      headers["Content-Type"] = req.body.contentType;
      headers["Content-Length"] = req.body.length;
      stream = req.body.stream();
    }
    if (payload) headers["Content-Length"] = payload.length;
    const timeoutMs = req.timeoutMs ?? this.options.timeoutMs ?? 60_000;
    const deadlineMs = req.deadlineMs ?? timeoutMs;
    const maxBytes = req.maxBytes ?? JSON_ANSWER_MAX_BYTES;

    return new Promise<TransportResponse>((resolve, reject) => {
      let settled = false;
      const fail = (e: unknown): void => {
        if (settled) return;
        settled = true;
        clearTimeout(deadline);
        stream?.destroy();
        reject(this.networkError(req, e));
      };
      const tooLarge = (): void => {
        const e = this.error(req, {
          failure: "protocol",
          code: ANSWER_TOO_LARGE,
          detail: `the answer is larger than ${maxBytes} bytes, the most read for this request; stopped reading`,
        });
        fail(e);
        r.destroy();
      };
      const r = request(url, { method: req.method, headers, agent: this.options.agent }, (res) => {
        const declared = Number(res.headers["content-length"]);
        if (Number.isFinite(declared) && declared > maxBytes) return tooLarge();
        const chunks: Buffer[] = [];
        let received = 0;
        res.on("data", (c: Buffer) => {
          received += c.length;
          if (received > maxBytes) return tooLarge();
          chunks.push(c);
        });
        res.on("error", fail);
        res.on("end", () => {
          if (settled) return;
          settled = true;
          clearTimeout(deadline);
          // An early answer (e.g. 401 before the upload finished): stop reading the file.
          if (stream && !stream.readableEnded) stream.destroy();
          const body = Buffer.concat(chunks);
          resolve({
            status: res.statusCode ?? 0,
            headers: res.headers,
            body,
            json: () => JSON.parse(body.toString("utf8")) as unknown,
          });
        });
      });
      const deadline = setTimeout(
        () =>
          r.destroy(
            Object.assign(new Error(`no complete answer within ${deadlineMs} ms (the request's deadline)`), {
              code: ANSWER_DEADLINE,
            }),
          ),
        deadlineMs,
      );
      r.setTimeout(timeoutMs, () =>
        r.destroy(Object.assign(new Error(`no answer within ${timeoutMs} ms`), { code: "ETIMEDOUT" })),
      );
      r.on("error", fail);
      if (stream) {
        pipeline(stream, r).catch((e: unknown) => {
          r.destroy();
          fail(e);
        });
      } else r.end(payload);
    });
  }

  private networkError(req: TransportRequest, e: unknown): ApplianceApiError {
    if (e instanceof ApplianceApiError) return e;
    const err = e as NodeJS.ErrnoException;
    let code = err?.code;
    if (!code && /socket hang up/i.test(err?.message ?? "")) code = "ESOCKETHANGUP";
    const tls = code !== undefined && TLS_ERROR_CODES.has(code);
    return this.error(req, {
      failure: tls ? "tls" : "network",
      code,
      detail: tls
        ? `the appliance's TLS certificate was refused: ${err.message}`
        : (err?.message ?? String(e)),
      cause: e,
    });
  }
}
