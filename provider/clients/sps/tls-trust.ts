/**
 * How the client trusts an appliance's HTTPS certificate. Verified by default:
 * - `system`: Node's CA store, hostname/IP checked;
 * - `ca`: a CA bundle (PEM) for the appliance (e.g. the organisation's CA), hostname/IP checked;
 * - `pin`: the SHA-256 fingerprint of the appliance's own certificate (SPS ships self-signed
 *   certificates); the connection is refused before any byte of the request — credentials included —
 *   is sent when the presented certificate does not match;
 * - `insecure`: no verification at all. Only when asked for explicitly, and logged loudly.
 */
import { SpsError } from "../../../core/errors";
import { connect, type ConnectionOptions, type TLSSocket } from "node:tls";
import { Agent, type AgentOptions } from "node:https";
import type { Duplex } from "node:stream";
import { z } from "zod";

export const TlsTrustSchema = z.discriminatedUnion("mode", [
  z.strictObject({ mode: z.literal("system") }),
  z.strictObject({
    mode: z.literal("ca"),
    caPem: z.string().includes("-----BEGIN CERTIFICATE-----", { message: "caPem must be PEM text" }),
  }),
  z.strictObject({
    mode: z.literal("pin"),
    sha256Fingerprint: z
      .string()
      .regex(
        /^([0-9A-Fa-f]{2}:?){31}[0-9A-Fa-f]{2}$/,
        "must be a SHA-256 fingerprint (64 hex digits, colons optional)",
      ),
  }),
  z.strictObject({ mode: z.literal("insecure"), acknowledgeInsecure: z.literal(true) }),
]);

export type TlsTrust = z.infer<typeof TlsTrustSchema>;

/** A declared trust (exactly one of `caPem`, `sha256Fingerprint`, `system: true`; validated where declared). */
export interface DeclaredTrust {
  caPem?: string | undefined;
  sha256Fingerprint?: string | undefined;
  system?: true | undefined;
}

/** The client's trust of a declared one (SDK inputs, inventory nodes): one conversion for every caller. */
export function trustOfDeclared(tls: DeclaredTrust): TlsTrust {
  if (tls.caPem !== undefined) return { mode: "ca", caPem: tls.caPem };
  if (tls.sha256Fingerprint !== undefined) return { mode: "pin", sha256Fingerprint: tls.sha256Fingerprint };
  return { mode: "system" };
}

export function normalizeFingerprint(fp: string): string {
  return fp.replace(/:/g, "").toUpperCase();
}

export class CertificatePinMismatch extends SpsError {
  static override readonly code: string = "ERR_SPS_CERT_PIN_MISMATCH";
}

/** An agent that hands a socket to HTTP only after the certificate matched the pin. */
class PinnedAgent extends Agent {
  constructor(
    options: AgentOptions,
    private readonly pin: string,
  ) {
    super(options);
  }

  // Asynchronous createConnection: node's Agent waits for the callback (documented for http.Agent).
  createConnection(
    options: ConnectionOptions,
    callback: (err: Error | null, socket?: Duplex) => void,
  ): undefined {
    const socket: TLSSocket = connect({ ...options, rejectUnauthorized: false });
    const onError = (err: Error): void => callback(err);
    socket.once("error", onError);
    socket.once("secureConnect", () => {
      socket.off("error", onError);
      const cert = socket.getPeerCertificate();
      const presented = cert?.fingerprint256 ? normalizeFingerprint(cert.fingerprint256) : "(none)";
      if (presented !== this.pin) {
        socket.destroy();
        callback(
          new CertificatePinMismatch(
            `certificate fingerprint ${presented} does not match the pinned ${this.pin}`,
          ),
        );
        return;
      }
      callback(null, socket);
    });
    return undefined;
  }
}

export interface TrustLogger {
  warn(message: string): void;
}

/** TLS warnings to stderr, when the caller gives no logger. */
export const stderrTrustLog: TrustLogger = { warn: (m) => process.stderr.write(`${m}\n`) };

/** The https.Agent enforcing a trust policy (keep-alive; one per client). */
export function agentFor(trust: TlsTrust, appliance: string, log: TrustLogger): Agent {
  const base: AgentOptions = { keepAlive: true, maxSockets: 4 };
  switch (trust.mode) {
    case "system":
      return new Agent({ ...base, rejectUnauthorized: true });
    case "ca":
      return new Agent({ ...base, rejectUnauthorized: true, ca: trust.caPem });
    case "pin":
      return new PinnedAgent(base, normalizeFingerprint(trust.sha256Fingerprint));
    case "insecure":
      log.warn(
        `WARNING: TLS certificate verification is DISABLED for SPS appliance ${appliance}. ` +
          "Anyone on the network path can impersonate it and capture its admin credentials. " +
          "Configure a CA bundle or a pinned certificate fingerprint instead.",
      );
      return new Agent({ ...base, rejectUnauthorized: false });
  }
}

export const TLS_ERROR_CODES = new Set([
  "ERR_SPS_CERT_PIN_MISMATCH",
  "UNABLE_TO_VERIFY_LEAF_SIGNATURE",
  "UNABLE_TO_GET_ISSUER_CERT_LOCALLY",
  "SELF_SIGNED_CERT_IN_CHAIN",
  "DEPTH_ZERO_SELF_SIGNED_CERT",
  "CERT_HAS_EXPIRED",
  "CERT_NOT_YET_VALID",
  "CERT_SIGNATURE_FAILURE",
  "ERR_TLS_CERT_ALTNAME_INVALID",
  "CERT_UNTRUSTED",
  "CERT_REJECTED",
]);
