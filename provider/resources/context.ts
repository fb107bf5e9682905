/**
 * What every provider method needs at run time: the credentials from stack config (set by
 * `configure()`), REST clients and the SystemControl router built from inputs + credentials, and
 * progress lines on stdout (the engine shows them), always redacted.
 */
import { SpsRestClient } from "../clients/sps/sps-rest-client";
import { createSystemControl, type RoutedSystemControl } from "../clients/system-control";
import { trustOfDeclared } from "../clients/sps/tls-trust";
import { restRequestDeadlineMs } from "../../core/deadlines";
import type { NodeBinding } from "../executor/types";
import { engineWatchdog } from "./engine-watchdog";
import {
  CREDENTIALS_CONFIG_KEY,
  applianceLogin,
  bmcLogin,
  parseCredentials,
  redact,
  secretValues,
  type Credentials,
} from "../../sdk/credentials";
import type { ApplianceNode, SystemControlInput, TlsInput } from "../../sdk/inputs";
import { flatInputs } from "../../sdk/wiring";

export interface ConfigBag {
  get(key: string): string | undefined;
}

let credentialsText: string | undefined;
let cached: { credentials: Credentials; secrets: string[] } | undefined;

/** Called from the provider's `configure()` with the stack config. */
export function configure(config: ConfigBag): void {
  credentialsText = config.get(CREDENTIALS_CONFIG_KEY);
  cached = undefined;
}

export function credentials(): Credentials {
  cached ??= (() => {
    const c = parseCredentials(credentialsText ?? process.env["PULUMI_SPS_CREDENTIALS"]);
    return { credentials: c, secrets: secretValues(c) };
  })();
  return cached.credentials;
}

export function scrub(text: string): string {
  try {
    credentials();
  } catch {
    return text;
  }
  return redact(text, cached?.secrets ?? []);
}

/**
 * One line to the engine (stdout: shown as the resource's output; stderr: a warning). Once the engine
 * is gone nobody reads these pipes (see engine-watchdog.ts) and nothing is written; the checkpoint
 * keeps the record. `text` must already be redacted.
 */
export function toEngine(stream: "stdout" | "stderr", text: string): void {
  if (engineWatchdog().engineGone) return;
  process[stream].write(`${text}\n`);
}

/** One progress line on stdout: `[sps] <resource> <text>`. */
export function say(resource: string, text: string): void {
  toEngine("stdout", `[sps] ${resource}: ${scrub(text)}`);
}

/** The engine's placeholder for a value not known yet (a preview: outputs of resources still to run). */
const UNKNOWN = "04da6b54-80e4-46f7-96ec-b56ff0331ba9";

export function holdsUnknown(value: unknown): boolean {
  return JSON.stringify(value ?? null).includes(UNKNOWN);
}

export function errorText(e: unknown): string {
  return scrub(e instanceof Error ? e.message : String(e));
}

export function restClient(
  node: { name: string; address: string; tls: TlsInput },
  timeoutMs = restRequestDeadlineMs({}),
): SpsRestClient {
  return new SpsRestClient(
    {
      endpoint: node.address,
      credentials: applianceLogin(credentials(), node.name),
      tls: trustOfDeclared(node.tls),
      name: node.name,
      timeoutMs,
      retry: { attempts: 3, baseDelayMs: 200, maxDelayMs: 2000 },
    },
    { log: { warn: (m: string) => toEngine("stderr", `[sps] ${scrub(m)}`) } },
  );
}

function hostOf(address: string): string {
  return new URL(address).hostname.replace(/^\[|\]$/g, "");
}

/** SystemControl node name of an HA unit: `<node>.<unit>`. */
export function unitControlName(node: string, unit: string): string {
  return `${node}.${unit}`;
}

function unitsOf(node: Pick<ApplianceNode, "units">): string[] {
  return node.units ?? ["a", "b"];
}

/** Builds the SystemControl router: node addresses and channel settings from inputs, logins from credentials. */
export function systemControlFor(
  nodes: readonly ApplianceNode[],
  operations: SystemControlInput,
): RoutedSystemControl {
  return createSystemControl(systemControlConfig(nodes, operations, credentials()));
}

/** A node as the router's configuration needs it (an SDK node or an inventory node). */
export type ControlledNode = Pick<ApplianceNode, "name" | "address" | "ha" | "units" | "coreShell" | "bmc">;

/**
 * The SystemControl configuration (unvalidated) for `nodes` and `operations` with the logins of `c`:
 * what the run's router gets, and what `sps-upgrade doctor` decides its routes by.
 */
export function systemControlConfig(
  nodes: readonly ControlledNode[],
  operations: SystemControlInput,
  c: Credentials,
): { nodes: Record<string, unknown>; operations: SystemControlInput } {
  const cfgNodes: Record<string, unknown> = {};
  for (const node of nodes) {
    const login = c.coreShell;
    const ssh =
      node.coreShell && login
        ? {
            port: node.coreShell.port,
            username: login.username,
            ...(login.password ? { password: login.password } : {}),
            ...(login.privateKey ? { privateKey: login.privateKey } : {}),
            ...(login.passphrase ? { passphrase: login.passphrase } : {}),
            hostKey: { sha256: node.coreShell.hostKeySha256 },
          }
        : undefined;
    // One entry: the address, the web interface as declared, port included (the manual channel's
    // "Log in to …" line), the core shell and the BMC of `unit`.
    const entry = (unit: string | undefined): Record<string, unknown> => {
      const bmc = unit === undefined ? undefined : node.bmc?.[unit];
      const user = unit === undefined ? undefined : bmcLogin(c, node.name, unit);
      const ipmi = bmc &&
        user && { host: bmc.host, port: bmc.port, username: user.username, password: user.password };
      return {
        address: node.coreShell?.host ?? hostOf(node.address),
        webAddress: `${new URL(node.address).origin}/`,
        ...(ssh ? { ssh } : {}),
        ...(ipmi ? { ipmi } : {}),
      };
    };
    // The pair's own entry (its core shell follows the primary) carries the first unit's BMC too, so a
    // configuration that routes power through IPMI validates; power operations always name a unit.
    cfgNodes[node.name] = entry(node.ha ? (unitsOf(node)[0] ?? "a") : undefined);
    if (node.ha) for (const unit of unitsOf(node)) cfgNodes[unitControlName(node.name, unit)] = entry(unit);
  }
  return { nodes: cfgNodes, operations };
}

/**
 * The REST clients of a run (`up` past planning, refresh): each request bounded by the program's
 * `deadlines.restRequestMs` (default 30 s, core/deadlines.ts).
 */
export function runBindings(f: {
  nodes: readonly ApplianceNode[];
  deadlines?: { restRequestMs?: number | undefined } | undefined;
}): Record<string, NodeBinding> {
  const requestMs = restRequestDeadlineMs(f.deadlines ?? {});
  return Object.fromEntries(
    f.nodes.map((node) => [
      node.name,
      {
        client: restClient(node, requestMs),
        controlName: node.name,
        address: node.address,
        ...(node.ha
          ? {
              ha: {
                primary: node.name,
                units: Object.fromEntries(unitsOf(node).map((u) => [u, unitControlName(node.name, u)])),
              },
            }
          : {}),
      },
    ]),
  );
}

export function closeBindings(bindings: Record<string, NodeBinding>): void {
  for (const b of Object.values(bindings)) b.client.close();
}

/** An Error that the dynamic-provider host turns into a partial-state failure (ErrorResourceInitFailed). */
export function partialFailure(
  message: string,
  id: string,
  properties: Record<string, unknown>,
  provider: unknown,
): Error {
  const error = new Error(scrub(message));
  // The dynamic provider turns these into a protobuf Struct directly, which refuses `undefined` (an
  // unreadable license field, say) with "Unexpected struct type" and leaves the engine waiting: JSON only.
  const plain = JSON.parse(JSON.stringify(properties)) as Record<string, unknown>;
  return Object.assign(error, {
    id,
    properties: { ...plain, __provider: provider },
    reasons: [scrub(message)],
  });
}

/**
 * True when the recorded state holds drift (set by `read`), or a live-state output present on both
 * sides differs. `pulumi refresh` asks the provider's `diff` whether a refreshed resource differs from
 * its inputs: with this, drift shows there as an update, and the next `up` reconciles it.
 */
export function liveStateChanged(
  olds: Record<string, unknown>,
  news: Record<string, unknown>,
  keys: readonly string[],
): boolean {
  return (
    hasDrift(olds) ||
    keys.some((k) => k in olds && k in news && JSON.stringify(olds[k]) !== JSON.stringify(news[k]))
  );
}

/** Whether one of `keys` of the declaration (flat, ../../sdk/wiring.ts) changed. */
export function inputsChanged(
  olds: Record<string, unknown>,
  news: Record<string, unknown>,
  keys: readonly string[],
): boolean {
  const [o, n] = [flatInputs(olds), flatInputs(news)];
  return keys.some((k) => JSON.stringify(o[k]) !== JSON.stringify(n[k]));
}

/** Whether the recorded state holds drift (set by `read`). */
export function hasDrift(olds: Record<string, unknown>): boolean {
  const drift = olds["drift"];
  return Array.isArray(drift) && drift.length > 0;
}
