/**
 * `ApplianceApiError`: every failure of the SPS REST client. It carries the appliance, method, path,
 * HTTP status and SPS error type (`error.type` of the documented envelope `{error: {type, details}}`
 * [doc]) and never a credential: the password, the Basic header and the `session_id` cookie value are
 * redacted from the message and the details, and secret-looking detail fields are dropped.
 */

/**
 * `http`: the appliance answered with an error status. `network`: no usable answer (reset, refused,
 * timeout). `tls`: the appliance's certificate was refused (CA, hostname or pin). `protocol`: the
 * answer did not have the documented shape.
 */
export type ApplianceFailure = "http" | "network" | "tls" | "protocol";

export interface ApplianceApiErrorArgs {
  appliance: string;
  method: string;
  path: string;
  failure: ApplianceFailure;
  status?: number;
  errorType?: string;
  details?: unknown;
  /** Node error code for network/TLS failures (ECONNRESET, CERT_HAS_EXPIRED, ...). */
  code?: string;
  detail: string;
  secrets?: readonly string[];
  cause?: unknown;
}

import { SpsError } from "../../../core/errors";
import { printable, printableValue } from "../../../core/printable";
import { redactText, redactValue } from "../../../core/redaction";

export { redactText, redactValue } from "../../../core/redaction";

export class ApplianceApiError extends SpsError {
  static override readonly code: string = "APPLIANCE_API_FAILED";
  readonly appliance: string;
  readonly method: string;
  readonly path: string;
  readonly failure: ApplianceFailure;
  readonly status: number | undefined;
  /** SPS `error.type`, e.g. Unauthenticated, FirmwareTestFailed, TransactionProcessingError. */
  readonly errorType: string | undefined;
  /** SPS `error.details`, redacted. */
  readonly details: unknown;
  /** The Node or transport code of the cause (ETIMEDOUT, CERT_HAS_EXPIRED, …); `code` is the class's. */
  readonly causeCode: string | undefined;

  constructor(args: ApplianceApiErrorArgs) {
    const secrets = args.secrets ?? [];
    const status = args.status !== undefined ? ` HTTP ${args.status}` : "";
    const type = args.errorType ? ` ${args.errorType}` : "";
    const code = args.code ? ` (${args.code})` : "";
    super(
      printable(
        redactText(
          `SPS ${args.appliance}: ${args.method} ${args.path} failed:${status}${type}${code}: ${args.detail}`,
          secrets,
        ),
      ),
      {
        cause: args.cause,
      },
    );
    this.appliance = args.appliance;
    this.method = args.method;
    this.path = args.path;
    this.failure = args.failure;
    this.status = args.status;
    this.errorType = args.errorType === undefined ? undefined : printable(args.errorType);
    this.details = printableValue(redactValue(args.details, secrets), true);
    this.causeCode = args.code;
  }

  /** A JSON-safe summary (for partial state / logs). */
  toJSON(): Record<string, unknown> {
    return {
      name: this.name,
      message: this.message,
      appliance: this.appliance,
      method: this.method,
      path: this.path,
      failure: this.failure,
      status: this.status,
      errorType: this.errorType,
      details: this.details,
      // The summary's key stays `code`: recorded partial state reads it under that name.
      code: this.causeCode,
    };
  }
}
