/**
 * Joining an SPS deployment to Safeguard for Privileged Passwords (SPP) — rules J1–J6, seed
 * sps-spp-join.txt, REST notes §7 and §13 (sequence of safeguard-ps `Join-SafeguardSessionCluster` [ps]).
 *
 *   J1 the join cannot be undone here (unjoin happens on SPP); a changed primary IP of SPS or SPP
 *      means joining again (`planSppJoin`);
 *   J2 SPS must be the Central Management node of a cluster (a standalone node is promoted to CM of
 *      its own one-node cluster only when the caller says `promoteStandalone: true`), with
 *      configuration sync (the cluster interface) enabled;
 *   J3 the SPP address is IPv4 or a hostname and must match SPP's certificate CN/SAN (checked here,
 *      before SPS tries, by reading SPP's certificate);
 *   J4 no existing policy name contains `safeguard_default`;
 *   J5 TCP 8649 both ways and TCP 443 SPS → SPP must be declared open;
 *   J6 documented failures are mapped to messages that say what to do.
 *
 * The SPP API token and the SPS password are secrets: they go into headers and the join body only,
 * and every message is redacted.
 */
import { SpsError } from "../../../core/errors";
import { connect, checkServerIdentity, type DetailedPeerCertificate } from "node:tls";
import { X509Certificate } from "node:crypto";
import { z } from "zod";
import { fieldProblems, type FieldProblem } from "../../../core/validation";
import { isIpv4 } from "../../../core/next-hop";
import { redactText } from "../sps/api-error";
import { RestCallError, RestJsonCalls } from "../sps/rest-json-calls";
import {
  normalizeFingerprint,
  stderrTrustLog,
  TlsTrustSchema,
  type TlsTrust,
  type TrustLogger,
} from "../sps/tls-trust";
import { ipv4Of, NIC_NAMES, nicRefForIp } from "../sps/nic-reference";
import { ClusterInterfaceResponseSchema, InfoResponseSchema } from "../sps/rest-schemas";
import {
  findSessionModule,
  readSessionModules,
  SppReadError,
  type SessionModule,
} from "./spp-session-modules";

/** [inference] Policy collections whose names are checked for `safeguard_default` (J4). */
export const DEFAULT_POLICY_COLLECTIONS = [
  "/api/configuration/ssh/channel_policies",
  "/api/configuration/rdp/channel_policies",
];

const HOSTNAME =
  /^(?=.{1,253}$)([A-Za-z0-9]([A-Za-z0-9-]{0,61}[A-Za-z0-9])?)(\.[A-Za-z0-9]([A-Za-z0-9-]{0,61}[A-Za-z0-9])?)*$/;

export const sppJoinSpecSchema = z.strictObject({
  sps: z.strictObject({
    endpoint: z
      .string()
      .url({ error: "must be the https:// URL of the SPS Central Management node" })
      .refine((u) => u.startsWith("https://"), {
        error: "must be an https:// URL (the SPS REST API is HTTPS only)",
      }),
    credentials: z.strictObject({ username: z.string().min(1), password: z.string().min(1) }),
    tls: TlsTrustSchema.default({ mode: "system" }),
    /** SPS's primary IPv4 address (J1: a change means joining again). */
    primaryAddress: z.string().refine(isIpv4, { error: "must be SPS's primary IPv4 address" }).optional(),
  }),
  spp: z.strictObject({
    /** J3: IPv4 address or hostname, as on SPP's certificate. */
    address: z
      .string({ error: "is required: SPP's IPv4 address or hostname" })
      .refine((a) => isIpv4(a) || (HOSTNAME.test(a) && !/^[\d.]+$/.test(a)), {
        error:
          "must be an IPv4 address or a hostname (SPS supports only IPv4 for SPP; no IPv6, no URL, no port)",
      }),
    /**
     * Where this tool connects to read SPP's certificate (J3), when it cannot use `address` itself
     * (another network path or no DNS for the name here). The hostname check always uses `address`.
     */
    certificateCheckHost: z.string().min(1).optional(),
    /** SPP's HTTPS port (443 on a real SPP; J5). */
    port: z.number().int().min(1).max(65535).default(443),
    /**
     * J3: how SPP's certificate is trusted (the node TLS trust of ./tls-trust.ts: a CA bundle, a pinned
     * SHA-256 fingerprint or the system store; never `insecure`). Without it the API token is never
     * sent to SPP and the join is refused: an unverified certificate could be anyone's.
     */
    tls: TlsTrustSchema.refine((t) => t.mode !== "insecure", {
      error: "must verify SPP's certificate: { mode: 'ca', caPem } or { mode: 'pin', sha256Fingerprint }",
    }).optional(),
    /** Bearer token of an SPP account with the Appliance and Operations permissions (secret). */
    apiToken: z
      .string({ error: "is required: an SPP API token (secret)" })
      .min(1, { error: "must not be empty" }),
  }),
  /**
   * J1: this is a repeated join (the earlier one was reversed on SPP, or a primary IP changed): the
   * `safeguard_default` policies the earlier join created are expected and re-created (J4 does not block).
   */
  rejoin: z.boolean().default(false),
  /** J2: promote a standalone SPS to the CM of its own one-node cluster (it cannot be undone either). */
  promoteStandalone: z.boolean().default(false),
  /** J5: the firewall openings the join needs, declared by the operator. */
  firewall: z.strictObject(
    {
      tcp8649BothWays: z.boolean({
        error: "must be true once TCP 8649 is open both ways between SPP and SPS",
      }),
      tcp443SpsToSpp: z.boolean({ error: "must be true once SPS can reach SPP on TCP 443 (HTTPS)" }),
    },
    {
      error:
        "is required (J5): declare { tcp8649BothWays: true, tcp443SpsToSpp: true } once the firewall allows them",
    },
  ),
  policyCollections: z.array(z.string().startsWith("/api/")).default(DEFAULT_POLICY_COLLECTIONS),
  timeoutMs: z.number().int().positive().default(60_000),
});

export type SppJoinSpecInput = z.input<typeof sppJoinSpecSchema>;
export type SppJoinSpec = z.output<typeof sppJoinSpecSchema>;

/** J5: what to do when a declared opening is false. */
const FIREWALL_CLOSED = {
  tcp8649BothWays: "J5: SPP and SPS must talk on TCP 8649 both ways; open it in the firewalls, then set true",
  tcp443SpsToSpp: "J5: SPS must reach SPP over HTTPS (TCP 443) during the join; open it, then set true",
};

export function validateSppJoin(
  input: unknown,
): { ok: true; spec: SppJoinSpec } | { ok: false; problems: FieldProblem[] } {
  const parsed = sppJoinSpecSchema.safeParse(input);
  if (!parsed.success) return { ok: false, problems: fieldProblems(parsed.error) };
  const problems = (Object.keys(FIREWALL_CLOSED) as (keyof typeof FIREWALL_CLOSED)[])
    .filter((opening) => !parsed.data.firewall[opening])
    .map((opening) => ({ property: `firewall.${opening}`, reason: FIREWALL_CLOSED[opening] }));
  return problems.length === 0 ? { ok: true, spec: parsed.data } : { ok: false, problems };
}

function parseSpec(input: unknown): SppJoinSpec {
  const r = validateSppJoin(input);
  if (!r.ok)
    throw new SppJoinError(
      "invalid-spec",
      r.problems.map((p) => `${p.property}: ${p.reason}`).join("; "),
      "J5",
    );
  return r.spec;
}

export type SppJoinErrorKind =
  | "invalid-spec"
  | "not-central-management"
  | "config-sync-off"
  | "certificate-hostname"
  | "certificate-untrusted"
  | "policy-name-conflict"
  | "authorization"
  | "already-joined-or-node-id"
  | "half-done-join"
  | "join-failed"
  | "sps-api";

/** A refused or failed join; the message says what to do, never contains a secret. */
export class SppJoinError extends SpsError {
  static override readonly code: string = "SPP_JOIN_FAILED";
  constructor(
    readonly kind: SppJoinErrorKind,
    message: string,
    readonly rule: string,
    readonly details?: unknown,
  ) {
    super(message);
  }
}

export interface SppJoinRecord {
  spp: string;
  spsPrimaryAddress: string | undefined;
  sppPrimaryAddress: string;
}

export interface SppJoinPlan {
  action: "join" | "rejoin" | "none";
  reason: string;
}

/**
 * J1 [doc] SPS Administration Guide, "Joining SPS to SPP", the join procedure: "If the join is
 * successful, this message displays: SPS successfully joined to SPP. SPP automatically closes any open
 * access requests." Said wherever a join or re-join is planned.
 */
export const JOIN_CLOSES_ACCESS_REQUESTS =
  "a successful join makes SPP close every open access request: let the requests in progress end first";

/**
 * [doc] SPS Administration Guide, "Joining SPS to SPP", prerequisites: "(Optional) Create a configuration
 * backup of SPS … (Optional) Create a configuration backup of SPP." Said with a planned join; optional,
 * so no gate (the SPP side is outside the tool).
 */
export const JOIN_OPTIONAL_BACKUPS =
  'optional before the join: a configuration backup of SPS ("Creating configuration backups") and one of SPP (its "Backup and Retention settings")';

/**
 * J2 [doc] SPS Administration Guide, "Joining SPS to SPP", prerequisites: "If you have multiple standalone
 * SPS appliances, consider joining them to a cluster before joining SPP … Creating a cluster from the SPS
 * nodes after joining SPP is problematic and should be avoided." Said when the join promotes a standalone
 * node (promoteStandalone): the tool cannot know the operator's other appliances.
 */
export const PROMOTE_BEFORE_CLUSTER =
  "it becomes the Central Management node of its own one-node cluster: if other standalone SPS should share its configuration or central search, build that cluster before this join — building it after joining SPP is problematic";

/** J1: what a run must do, given the recorded join (if any) and the declared one. */
export function planSppJoin(previous: SppJoinRecord | undefined, desired: SppJoinRecord): SppJoinPlan {
  if (!previous)
    return {
      action: "join",
      reason: `join SPS to SPP ${desired.spp} — this cannot be undone from SPS; ${JOIN_CLOSES_ACCESS_REQUESTS}`,
    };
  const changed =
    previous.sppPrimaryAddress !== desired.sppPrimaryAddress
      ? `SPP's primary address changed (${previous.sppPrimaryAddress} → ${desired.sppPrimaryAddress})`
      : previous.spsPrimaryAddress !== desired.spsPrimaryAddress && desired.spsPrimaryAddress !== undefined
        ? `SPS's primary address changed (${previous.spsPrimaryAddress ?? "unknown"} → ${desired.spsPrimaryAddress})`
        : undefined;
  if (changed)
    return {
      action: "rejoin",
      reason: `${changed}: the join must be repeated; ${JOIN_CLOSES_ACCESS_REQUESTS}`,
    };
  return { action: "none", reason: `already joined to SPP ${previous.spp}` };
}

export interface SppCertificate {
  commonName: string | undefined;
  dnsNames: string[];
  ipAddresses: string[];
  /** PEM of the presented chain (leaf first), as SPS needs it (`spp_cert_chain`). */
  chainPem: string;
  sha256Fingerprint: string;
  /** Does the address the join uses match the certificate? */
  matchesAddress: boolean;
  /** Did the certificate pass the declared `spp.tls` trust (chain against the CA, or the pin)? */
  trusted: boolean;
  /** Why it is not trusted (the field to set), when `trusted` is false. */
  trustProblem?: string;
}

/** The message naming the field to set when SPP's certificate is not verified (J3). */
export function sppTrustMissing(address: string, presentedSha256: string): string {
  return `SPP ${address}'s certificate is not verified: set spp.tls ({ caPem } of the CA that issued it, or { sha256Fingerprint } after checking it on SPP; the presented certificate's SHA-256 is ${presentedSha256}). Until then the API token is not sent to SPP and the join state is not verifiable`;
}

function trustVerdict(
  trust: TlsTrust | undefined,
  address: string,
  socket: { authorized: boolean; authorizationError?: Error | string },
  sha256: string,
): { trusted: boolean; trustProblem?: string } {
  const problem =
    !trust || trust.mode === "insecure"
      ? sppTrustMissing(address, sha256)
      : trust.mode === "pin"
        ? normalizeFingerprint(trust.sha256Fingerprint) === normalizeFingerprint(sha256)
          ? undefined
          : `SPP ${address}'s certificate (SHA-256 ${sha256}) does not match spp.tls.sha256Fingerprint ${trust.sha256Fingerprint}: the API token is not sent to it`
        : socket.authorized
          ? undefined
          : `SPP ${address}'s certificate chain does not verify against spp.tls (${String(socket.authorizationError ?? "unverified")}): the API token is not sent to it`;
  return problem === undefined ? { trusted: true } : { trusted: false, trustProblem: problem };
}

/**
 * Reads SPP's certificate chain over TLS and judges it against the declared trust (`spp.tls`). Nothing
 * is sent on this connection: the caller sends the token only when `trusted && matchesAddress`.
 */
export function fetchSppCertificate(spp: SppJoinSpec["spp"], timeoutMs: number): Promise<SppCertificate> {
  const { address, port, tls: trust } = spp;
  return new Promise((resolve, reject) => {
    const socket = connect({
      host: spp.certificateCheckHost ?? address,
      port,
      servername: isIpv4(address) ? undefined : address,
      // Judged below (socket.authorized / the pin), so the caller can name what to declare.
      rejectUnauthorized: false,
      ...(trust?.mode === "ca" ? { ca: trust.caPem } : {}),
      timeout: timeoutMs,
    });
    socket.once("secureConnect", () => {
      const leaf = socket.getPeerCertificate(true);
      socket.end();
      if (!leaf.raw) return reject(new Error(`SPP ${address}:${port} presented no certificate`));
      const pems: string[] = [];
      const seen = new Set<string>();
      let c: DetailedPeerCertificate | undefined = leaf;
      while (c?.raw && !seen.has(c.fingerprint256)) {
        seen.add(c.fingerprint256);
        pems.push(new X509Certificate(c.raw).toString());
        c = c.issuerCertificate;
      }
      const san = (leaf.subjectaltname ?? "").split(/,\s*/).filter(Boolean);
      resolve({
        commonName: typeof leaf.subject?.CN === "string" ? leaf.subject.CN : undefined,
        dnsNames: san.filter((s) => s.startsWith("DNS:")).map((s) => s.slice(4)),
        ipAddresses: san.filter((s) => s.startsWith("IP Address:")).map((s) => s.slice(11)),
        chainPem: pems.join(""),
        sha256Fingerprint: leaf.fingerprint256,
        matchesAddress: checkServerIdentity(address, leaf) === undefined,
        ...trustVerdict(trust, address, socket, leaf.fingerprint256),
      });
    });
    socket.once("timeout", () => {
      socket.destroy();
      reject(
        new Error(
          `SPP ${address}:${port}: no TLS handshake within ${timeoutMs} ms (J5: is TCP ${port} open towards SPP?)`,
        ),
      );
    });
    socket.once("error", (e: Error) =>
      reject(new Error(`SPP ${address}:${port}: ${e.message} (J5: is TCP ${port} open towards SPP?)`)),
    );
  });
}

/**
 * The join state read on SPP's side. `notVerifiable`: SPP's certificate is not verified (or does not
 * carry spp.address), so the token was not sent and the state is unknown; the text names the field.
 */
export interface SppJoinState {
  joined: boolean;
  spp: string | undefined;
  notVerifiable?: string;
}

export interface SppJoinFinding {
  rule: "J2" | "J3" | "J4" | "J5";
  property: string;
  message: string;
  /** false: fixed by the join itself (e.g. promotion the caller allowed). */
  blocking: boolean;
}

export interface SppJoinPreflight {
  roles: string[];
  isCentralManagement: boolean;
  standalone: boolean;
  configSyncEnabled: boolean;
  conflictingPolicies: string[];
  certificate: SppCertificate;
  joined: SppJoinState;
  findings: SppJoinFinding[];
}

/** REST failures of SPS itself become SppJoinError("sps-api") (already redacted). */
function asJoinError(e: unknown): unknown {
  return e instanceof RestCallError ? new SppJoinError("sps-api", e.message, "J2", e.body) : e;
}

const CLUSTER_INTERFACE = "/api/configuration/local_services/cluster";

/**
 * Configuration writes go into a transaction that takes effect on commit [doc §3]; as [ps]
 * `Join-SafeguardSessionCluster` does: open (POST), write, commit (PUT {status: "commit"}); on any
 * failure the open transaction is cancelled (DELETE) so no half-staged change lingers in the session.
 */
async function inTransaction(
  api: RestJsonCalls,
  message: string,
  write: () => Promise<unknown>,
): Promise<void> {
  await api.ok("POST", "/api/transaction", {});
  try {
    await write();
    await api.ok("PUT", "/api/transaction", { status: "commit", message });
  } catch (e) {
    await api.call("DELETE", "/api/transaction").catch(() => undefined);
    throw e;
  }
}

/**
 * The `listen_address` to write when enabling the cluster interface: the key string of the NIC address
 * SPS is reached on (`sps.primaryAddress`, else the endpoint's host, resolved) [ps: Get-NicRefForIp].
 * A reference is written as its key, never as the `{key, meta}` object a GET returns [doc: 7.5 REST
 * guide "Change an object"; SPS ignores what it does not understand].
 */
async function clusterListenAddress(api: RestJsonCalls, spec: SppJoinSpec): Promise<string> {
  const host = spec.sps.primaryAddress ?? new URL(spec.sps.endpoint).hostname;
  const ip = await ipv4Of(host);
  const key = await nicRefForIp(api, ip);
  if (!key) {
    throw new SppJoinError(
      "config-sync-off",
      `J2: no NIC address of SPS carries ${ip} (searched ${NIC_NAMES.join(", ")}), so the cluster interface cannot be bound to it: set sps.primaryAddress to the IPv4 address configured on SPS (Basic Settings > Network), or enable Basic Settings > Local Services > Cluster interface in the web interface`,
      "J2",
    );
  }
  return key;
}

/**
 * Is this SPS joined to the declared SPP? Read on SPP's side, as [ps] does (./spp-session-modules.ts):
 * SPS is joined when SPP lists a session module whose host name or network address is this SPS
 * (the endpoint's host, `sps.primaryAddress`, and the host name SPS reports in `/api/info`).
 */
async function joinState(
  api: RestJsonCalls,
  spec: SppJoinSpec,
  sppSha256: string,
  log: TrustLogger,
): Promise<SppJoinState> {
  const info = InfoResponseSchema.safeParse(await api.ok("GET", "/api/info"));
  const body = info.success ? info.data.body : {};
  const names = [
    new URL(spec.sps.endpoint).hostname,
    spec.sps.primaryAddress ?? "",
    body.hostname ?? "",
    body.hostname && body.domainname ? `${body.hostname}.${body.domainname}` : "",
  ];
  let modules: SessionModule[];
  try {
    modules = await readSessionModules(spec.spp, sppSha256, spec.timeoutMs, log);
  } catch (e) {
    if (e instanceof SppReadError && (e.status === 401 || e.status === 403)) {
      throw new SppJoinError(
        "authorization",
        `SPP refused the API token (code 60108 / HTTP ${e.status}) when reading its session modules: the SPP account behind spp.apiToken needs the Appliance and Operations permissions (or the token expired). ${e.message}`,
        "J6",
      );
    }
    throw new SppJoinError("join-failed", `J5: ${(e as Error).message} (is TCP 443 towards SPP open?)`, "J5");
  }
  const module = findSessionModule(modules, names);
  return { joined: module !== undefined, spp: module ? spec.spp.address : undefined };
}

async function preflightWith(
  api: RestJsonCalls,
  spec: SppJoinSpec,
  log: TrustLogger,
): Promise<SppJoinPreflight> {
  const findings: SppJoinFinding[] = [];
  const finding = (rule: SppJoinFinding["rule"], property: string, blocking: boolean, message: string) =>
    findings.push({ rule, property, message, blocking });
  const info = await api.ok("GET", "/api/info");
  const roles = (((info.body ?? {}) as { roles?: unknown }).roles ?? []) as string[];
  const isCm = roles.includes("central-management");
  const standalone = roles.length === 0;
  if (!isCm) {
    if (standalone) {
      finding(
        "J2",
        "promoteStandalone",
        !spec.promoteStandalone,
        spec.promoteStandalone
          ? "SPS is standalone: it will be promoted to the Central Management node of its own one-node cluster first"
          : "SPS is a standalone node: joining SPP needs a Central Management cluster. Set promoteStandalone: true to make it the CM node of its own one-node cluster (join other standalone nodes into that cluster before joining SPP: adding nodes afterwards is problematic)",
      );
    } else {
      finding(
        "J2",
        "sps.endpoint",
        true,
        `SPS has roles [${roles.join(", ")}] but is not the Central Management node: point sps.endpoint at the node whose roles include central-management`,
      );
    }
  }
  const cluster = ClusterInterfaceResponseSchema.safeParse(await api.ok("GET", CLUSTER_INTERFACE));
  const configSyncEnabled = cluster.success && cluster.data.body.enabled;
  if (!configSyncEnabled) {
    finding(
      "J2",
      "sps.endpoint",
      !(standalone && spec.promoteStandalone),
      standalone && spec.promoteStandalone
        ? "configuration synchronization (cluster interface) is off: it will be enabled with the promotion"
        : "configuration synchronization is off: enable Basic Settings > Local Services > Cluster interface on every node (SPP entitlements need it)",
    );
  }
  const conflictingPolicies: string[] = [];
  for (const collection of spec.policyCollections) {
    const a = await api.call("GET", collection);
    if (a.status >= 400) continue;
    for (const item of ((a.body as { items?: unknown }).items ?? []) as Array<{
      key?: string;
      body?: { name?: unknown };
    }>) {
      const name = typeof item.body?.name === "string" ? item.body.name : (item.key ?? "");
      if (name.includes("safeguard_default")) conflictingPolicies.push(`${collection}: ${name}`);
    }
  }
  let certificate: SppCertificate;
  try {
    certificate = await fetchSppCertificate(spec.spp, spec.timeoutMs);
  } catch (e) {
    throw new SppJoinError("join-failed", redactText(`J5: ${(e as Error).message}`, api.secrets), "J5");
  }
  // The token goes only to an SPP whose certificate passed spp.tls and carries spp.address (J3 blocks
  // the join otherwise).
  const joined: SppJoinState =
    certificate.matchesAddress && certificate.trusted
      ? await joinState(api, spec, certificate.sha256Fingerprint, log)
      : {
          joined: false,
          spp: undefined,
          notVerifiable: certificate.trustProblem ?? `J3: "${spec.spp.address}" is not on SPP's certificate`,
        };
  if (conflictingPolicies.length > 0 && !joined.joined) {
    finding(
      "J4",
      "sps.policies",
      !spec.rejoin,
      spec.rejoin
        ? `policies from the earlier join will be re-created by this re-join (J1): ${conflictingPolicies.join("; ")}`
        : `policies whose names contain "safeguard_default" would be overwritten by the join: ${conflictingPolicies.join("; ")}. Rename them first`,
    );
  }
  if (!certificate.trusted) {
    finding(
      "J3",
      "spp.tls",
      true,
      certificate.trustProblem ?? sppTrustMissing(spec.spp.address, certificate.sha256Fingerprint),
    );
  }
  if (!certificate.matchesAddress) {
    const names = [certificate.commonName, ...certificate.dnsNames, ...certificate.ipAddresses].filter(
      Boolean,
    );
    finding(
      "J3",
      "spp.address",
      true,
      `"${spec.spp.address}" is not on SPP's certificate (CN/SAN: ${[...new Set(names)].join(", ")}): use the name on SPP's certificate, or give SPP a certificate that carries this address`,
    );
  }
  return {
    roles,
    isCentralManagement: isCm,
    standalone,
    configSyncEnabled,
    conflictingPolicies,
    certificate,
    joined,
    findings,
  };
}

/** Everything the join needs, checked without changing SPS or SPP. */
export async function preflightSppJoin(
  input: unknown,
  log: TrustLogger = stderrTrustLog,
): Promise<SppJoinPreflight> {
  const spec = parseSpec(input);
  const api = new RestJsonCalls(spec.sps, spec.timeoutMs, [spec.spp.apiToken], log);
  return api.use(() => preflightWith(api, spec, log), asJoinError);
}

export interface SppJoinResult {
  promoted: boolean;
  enabledConfigSync: boolean;
  /** false when SPS was already joined to this SPP (nothing done). */
  joined: boolean;
  spp: string;
  certificateSha256: string;
  steps: string[];
}

/** J6: a `JoinFailed` answer as an error that says what to do. */
export function mapJoinFailure(body: unknown, secrets: readonly string[]): SppJoinError {
  const details = ((body as { error?: { details?: unknown } })?.error?.details ?? {}) as {
    response?: unknown;
    status?: unknown;
  };
  const response = details.response;
  const text = typeof response === "string" ? response : JSON.stringify(response ?? "");
  const code =
    typeof response === "object" && response !== null ? (response as { Code?: unknown }).Code : undefined;
  const status = details.status;
  const raw = redactText(text, secrets);
  const fail = (kind: SppJoinErrorKind, message: string) => new SppJoinError(kind, message, "J6", details);
  if (/CertificateError|doesn't match|hostname .* match/i.test(text)) {
    return fail(
      "certificate-hostname",
      `SPP join failed (JoinFailed): SPP's certificate does not match the address used — use the name on SPP's certificate (its CN or subjectAltName) as spp.address, or give SPP a certificate carrying its IPv4 address; wait about 5 minutes before retrying a half-done join. Raw: ${raw}`,
    );
  }
  if (code === 60108 || status === 403) {
    return fail(
      "authorization",
      `SPP join failed (JoinFailed, code 60108 / HTTP 403): authorization is required — the SPP account behind spp.apiToken needs the Appliance and Operations permissions (or the token expired). Raw: ${raw}`,
    );
  }
  if (code === 60657 || status === 400) {
    return fail(
      "already-joined-or-node-id",
      `SPP join failed (JoinFailed, code 60657 / HTTP 400): SPP already has this SPS node, or its NodeId is missing or invalid. If it is already joined there is nothing to do; otherwise remove the stale session module on SPP and join again. Raw: ${raw}`,
    );
  }
  if (/has not timed out yet|in progress/i.test(text)) {
    return fail(
      "half-done-join",
      `SPP join refused: a previous failed join has not timed out yet; wait about 5 minutes and retry. Raw: ${raw}`,
    );
  }
  return fail("join-failed", `SPP join failed: ${raw}`);
}

/**
 * Preflight, then (if allowed) promotion and configuration sync, then `POST /api/cluster/spp`.
 * Irreversible (J1). Joining again to the same SPP is a no-op.
 */
export async function joinSpp(
  input: unknown,
  options: { log?: TrustLogger; onStep?: (s: string) => void } = {},
): Promise<SppJoinResult> {
  const spec = parseSpec(input);
  const api = new RestJsonCalls(spec.sps, spec.timeoutMs, [spec.spp.apiToken], options.log ?? stderrTrustLog);
  const steps: string[] = [];
  const step = (s: string): void => {
    steps.push(s);
    options.onStep?.(s);
  };
  return api.use(async () => {
    const pre = await preflightWith(api, spec, options.log ?? stderrTrustLog);
    const result = (joined: boolean, promoted = false, enabledConfigSync = false): SppJoinResult => {
      const certificateSha256 = pre.certificate.sha256Fingerprint;
      return { promoted, enabledConfigSync, joined, spp: spec.spp.address, certificateSha256, steps };
    };
    if (pre.joined.joined && pre.joined.spp === spec.spp.address) return result(false);
    const blocking = pre.findings.filter((f) => f.blocking);
    if (blocking.length > 0) {
      const first = blocking[0];
      const kind: SppJoinErrorKind =
        first.property === "spp.tls"
          ? "certificate-untrusted"
          : first.rule === "J3"
            ? "certificate-hostname"
            : first.rule === "J4"
              ? "policy-name-conflict"
              : first.message.startsWith("configuration synchronization")
                ? "config-sync-off"
                : "not-central-management";
      throw new SppJoinError(
        kind,
        blocking.map((f) => `${f.rule} ${f.property}: ${f.message}`).join("\n"),
        first.rule,
      );
    }
    let enabledConfigSync = false;
    let promoted = false;
    if (!pre.configSyncEnabled) {
      const listenAddress = await clusterListenAddress(api, spec);
      await inTransaction(api, "pulumi-sps: enable the cluster interface for the SPP join (J2)", () =>
        api.ok("PUT", CLUSTER_INTERFACE, { enabled: true, listen_address: listenAddress }),
      );
      enabledConfigSync = true;
      step(`enabled configuration synchronization (cluster interface on ${listenAddress})`);
    }
    if (!pre.isCentralManagement) {
      await inTransaction(api, "pulumi-sps: promote to Central Management for the SPP join (J2)", () =>
        api.ok("POST", "/api/cluster/promote", {}),
      );
      promoted = true;
      step("promoted the standalone node to Central Management of its own cluster");
    }
    const answer = await api.call("POST", "/api/cluster/spp", {
      spp: spec.spp.address,
      spp_api_token: spec.spp.apiToken,
      spp_cert_chain: Buffer.from(pre.certificate.chainPem).toString("base64"),
    });
    if (answer.status >= 400) throw mapJoinFailure(answer.body, api.secrets);
    step(`joined SPP ${spec.spp.address}`);
    return result(true, promoted, enabledConfigSync);
  }, asJoinError);
}

/**
 * The join state, read on SPP's side [ps: Cluster/SessionModules]. `sppSha256` pins SPP's certificate
 * (the fingerprint recorded at the join); without it the certificate presented now must pass the
 * declared `spp.tls` and carry `spp.address` (J3) before the token is sent, else the state is
 * reported `notVerifiable` (nothing sent to SPP).
 */
export async function readSppJoin(
  input: unknown,
  log: TrustLogger = stderrTrustLog,
  sppSha256?: string,
): Promise<SppJoinState> {
  const spec = parseSpec(input);
  const api = new RestJsonCalls(spec.sps, spec.timeoutMs, [spec.spp.apiToken], log);
  return api.use(async () => {
    let pin = sppSha256;
    if (!pin) {
      const cert = await fetchSppCertificate(spec.spp, spec.timeoutMs);
      if (!cert.trusted)
        return {
          joined: false,
          spp: undefined,
          notVerifiable: cert.trustProblem ?? sppTrustMissing(spec.spp.address, cert.sha256Fingerprint),
        };
      if (!cert.matchesAddress)
        throw new SppJoinError(
          "certificate-hostname",
          `J3: "${spec.spp.address}" is not on SPP's certificate: the join state is not read from it`,
          "J3",
        );
      pin = cert.sha256Fingerprint;
    }
    return await joinState(api, spec, pin, log);
  }, asJoinError);
}
