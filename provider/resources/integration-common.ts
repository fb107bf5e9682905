/**
 * What the integration resources share (./spp-join-provider.ts, ./traffic-redirection-provider.ts,
 * ./next-hop-provider.ts): their secret configuration (the SPP API token `sps:sppApiToken`, the
 * router's SSH login `sps:routerSsh`, never an input or an output), redacted messages to the engine,
 * and the state version of their outputs.
 */
import type { TrustLogger } from "../clients/sps/tls-trust";
import { redactText as redact } from "../../core/redaction";
import { printableLines } from "../../core/printable";
import { credentials, configure as configureContext, toEngine, type ConfigBag } from "./context";
import { secretValues } from "../../sdk/credentials";

export const SPP_TOKEN_CONFIG_KEY = "sps:sppApiToken";
export const ROUTER_SSH_CONFIG_KEY = "sps:routerSsh";
export const INTEGRATION_STATE_VERSION = 1;

let sppToken: string | undefined;
let routerSshText: string | undefined;

export function configure(config: ConfigBag): void {
  configureContext(config);
  sppToken = config.get(SPP_TOKEN_CONFIG_KEY) ?? process.env["PULUMI_SPS_SPP_API_TOKEN"];
  routerSshText = config.get(ROUTER_SSH_CONFIG_KEY) ?? process.env["PULUMI_SPS_ROUTER_SSH"];
}

function secrets(): string[] {
  const out: string[] = [];
  if (sppToken) out.push(sppToken);
  try {
    const r = routerAuth();
    out.push(r.method === "password" ? r.password : r.privateKey);
  } catch {
    // not configured
  }
  try {
    out.push(...secretValues(credentials()));
  } catch {
    // not configured
  }
  return out;
}

/** TLS warnings (verification turned off) to the engine, redacted, and never once the engine is gone. */
export const engineLog: TrustLogger = {
  warn: (m) => toEngine("stderr", `[sps] ${redacted(m)}`),
};

export function say(resource: string, text: string): void {
  toEngine("stdout", `[sps] ${resource}: ${redacted(text)}`);
}

/**
 * `text` with every configured secret replaced and control characters escaped (for anything that goes
 * into state or the engine).
 */
export function redacted(text: string): string {
  return printableLines(redact(text, secrets()));
}

export function fail(e: unknown): never {
  throw new Error(redacted(e instanceof Error ? e.message : String(e)));
}

export function requireToken(): string {
  if (!sppToken) {
    throw new Error(
      `${SPP_TOKEN_CONFIG_KEY} is not set: pulumi config set --secret ${SPP_TOKEN_CONFIG_KEY} <SPP API token of an account with Appliance and Operations permissions>`,
    );
  }
  return sppToken;
}

/** The router login from `sps:routerSsh`. */
export function routerAuth():
  { method: "privateKey"; privateKey: string } | { method: "password"; password: string } {
  if (!routerSshText) {
    throw new Error(
      `${ROUTER_SSH_CONFIG_KEY} is not set: pulumi config set --secret ${ROUTER_SSH_CONFIG_KEY} '{"privateKey":"..."}' (or {"password":"..."})`,
    );
  }
  const raw = JSON.parse(routerSshText) as { privateKey?: unknown; password?: unknown };
  if (typeof raw.privateKey === "string") return { method: "privateKey", privateKey: raw.privateKey };
  if (typeof raw.password === "string") return { method: "password", password: raw.password };
  throw new Error(`${ROUTER_SSH_CONFIG_KEY}: needs "privateKey" or "password"`);
}
