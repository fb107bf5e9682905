/**
 * Credentials, keys and license texts. They come from stack config only — the secret `sps:credentials`
 * (a JSON document, `pulumi config set --secret sps:credentials '{...}'`) — and reach the dynamic
 * providers through `configure()`. They are never resource inputs or outputs, so they are never in the
 * serialized provider or the state file, and every message a provider prints is redacted with `redact()`.
 */
import { SpsError } from "../core/errors";
import { fieldProblemsUnder, describeProblems } from "../core/validation";
import { credentialsSchema } from "./credentials-schema";

export const CREDENTIALS_CONFIG_KEY = "sps:credentials";

/** A login of an appliance's REST API or of a BMC. */
export interface Login {
  username: string;
  password: string;
}

/** An SSH login (core shell, indexer hosts): a password or a private key. */
export interface SshLogin {
  username: string;
  password?: string | undefined;
  privateKey?: string | undefined;
  passphrase?: string | undefined;
  /** Indexer hosts: sudo password when sudo asks for one. */
  sudoPassword?: string | undefined;
}

/** The document `sps:credentials` holds, as written (credentials-schema.ts validates it). */
export interface CredentialsInput {
  /** REST API login of every appliance (per-node overrides in `nodes`). */
  appliance?: Login | undefined;
  nodes?: Record<string, Login> | undefined;
  /** Core shell (SSH) login of the appliances, for system-control operations routed to `ssh`. */
  coreShell?: SshLogin | undefined;
  /** BMC login of HA units, for operations routed to `ipmi`: the default for every BMC. */
  ipmi?: Login | undefined;
  /** Per-BMC logins: node name → HA unit (as in the node's `bmc`) → login; a unit without one uses `ipmi`. */
  bmc?: Record<string, Record<string, Login>> | undefined;
  /** SSH login of the indexer hosts (per-host overrides in `indexerHosts`). */
  indexer?: SshLogin | undefined;
  indexerHosts?: Record<string, SshLogin> | undefined;
  /** License file texts by name (the license resource names one). */
  licenses?: Record<string, string> | undefined;
}

/** The validated credentials: the maps are present (empty when not written). */
export interface Credentials extends CredentialsInput {
  nodes: Record<string, Login>;
  bmc: Record<string, Record<string, Login>>;
  indexerHosts: Record<string, SshLogin>;
  licenses: Record<string, string>;
}

export class CredentialsError extends SpsError {
  static override readonly code: string = "CREDENTIALS_INVALID";
}

/** Parses the config text; the message names the config key and the field, never a value. */
export function parseCredentials(text: string | undefined): Credentials {
  if (text === undefined || text.trim() === "") return credentialsSchema.parse({});
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch {
    throw new CredentialsError(`${CREDENTIALS_CONFIG_KEY}: is not JSON; set it to a JSON object`);
  }
  const parsed = credentialsSchema.safeParse(raw);
  if (!parsed.success)
    throw new CredentialsError(describeProblems(fieldProblemsUnder(CREDENTIALS_CONFIG_KEY, parsed.error)));
  return parsed.data;
}

export function applianceLogin(c: Credentials, node: string): Login {
  const l = c.nodes[node] ?? c.appliance;
  if (l) return l;
  throw new CredentialsError(
    `no REST login for node "${node}": set ${CREDENTIALS_CONFIG_KEY}.appliance (or .nodes.${node}) with --secret, e.g. \`pulumi config set --secret ${CREDENTIALS_CONFIG_KEY} '{"appliance": {"username": "…", "password": "…"}}'\``,
  );
}

/** The BMC login of one HA unit: its own (`bmc.<node>.<unit>`) or the default (`ipmi`). */
export function bmcLogin(c: Credentials, node: string, unit: string): Login | undefined {
  return c.bmc[node]?.[unit] ?? c.ipmi;
}

/** Every secret value in the credentials (for redaction). */
export function secretValues(c: Credentials): string[] {
  const out: string[] = [];
  const add = (s: string | undefined): void => {
    if (s !== undefined && s.length >= 4) out.push(s);
  };
  const bmcs = Object.values(c.bmc).flatMap((units) => Object.values(units));
  for (const l of [c.appliance, ...Object.values(c.nodes), c.ipmi, ...bmcs]) {
    add(l?.password);
    // A Basic login header carries `user:password` (base64): redaction covers its spellings.
    if (l?.password !== undefined && l.username) add(`${l.username}:${l.password}`);
  }
  for (const s of [c.coreShell, c.indexer, ...Object.values(c.indexerHosts)]) {
    add(s?.password);
    add(s?.privateKey);
    // A key's lines alone (its base64 body) are as secret as the whole.
    for (const line of (s?.privateKey ?? "").split(/\r?\n/)) if (!line.startsWith("-----")) add(line.trim());
    add(s?.passphrase);
    add(s?.sudoPassword);
  }
  for (const text of Object.values(c.licenses)) {
    add(text);
    // A license's serial or other long tokens could be echoed alone: redact each line of it as well.
    for (const line of text.split(/\r?\n/)) add(line.trim());
  }
  return out.sort((a, b) => b.length - a.length);
}

/** Replaces every spelling of every known secret in `text`. */
export { redactText as redact } from "../core/redaction";
