/**
 * Provider implementations of the integration resources (issue 7), `require`d from dist/ inside the
 * serialized provider methods (sdk/integration.ts), like ./index.ts:
 *
 *   sppJoin             — J1–J6 through provider/appliance/spp-join.ts. The SPS login comes from
 *                         sps:credentials (appliance / nodes.<node>), the SPP API token from the
 *                         secret config `sps:sppApiToken`: neither is an input or an output. Deleting
 *                         the resource forgets it and warns: a join cannot be undone from SPS (J1).
 *   trafficRedirection  — provider/router over SSH; the router's key or password comes from the
 *                         secret config `sps:routerSsh` ({"privateKey": "..."} or {"password": "..."}).
 */
import { createHash } from "node:crypto";
import type { CheckResult, DiffResult, ReadResult } from "@pulumi/pulumi/dynamic";
import { z } from "zod";
import { applyNextHopMonitoring, readNextHopMonitoring } from "../../provider/appliance/next-hop-monitoring";
import { joinSpp, planSppJoin, readSppJoin, validateSppJoin } from "../../provider/appliance/spp-join";
import { validateNextHops } from "../../provider/domain/next-hop";
import { SshHostSession } from "../../provider/hosts/ssh-host-session";
import type { TrustLogger } from "../../provider/appliance/tls-trust";
import { redact } from "../../provider/hosts/host-errors";
import {
  applyRedirection,
  readRedirection,
  removeRedirection,
  validateTrafficRedirection,
} from "../../provider/router";
import { fieldProblems } from "../../provider/domain/validation";
import { applianceNodeInputSchema, systemControlInputSchema, tlsInputSchema } from "../inputs";
import { applianceLogin } from "../credentials";
import { watched } from "./engine-watchdog";
import { hostProvider } from "./dynamic-host";
import { flatInputs } from "../wiring";
import {
  credentials,
  configure as configureContext,
  systemControlFor,
  tlsTrust,
  toEngine,
  unitControlName,
  type ConfigBag,
} from "./context";

type Props = Record<string, unknown>;
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
    if (r.method === "password") out.push(r.password);
    if (r.method === "privateKey") out.push(r.privateKey);
  } catch {
    // not configured
  }
  try {
    const c = credentials();
    for (const l of [c.appliance, ...Object.values(c.nodes)]) if (l?.password) out.push(l.password);
  } catch {
    // not configured
  }
  return out;
}

/** TLS warnings (verification turned off) to the engine, redacted, and never once the engine is gone. */
const engineLog: TrustLogger = { warn: (m) => toEngine("stderr", `[sps] ${redact(m, secrets())}`) };

function say(resource: string, text: string): void {
  toEngine("stdout", `[sps] ${resource}: ${redact(text, secrets())}`);
}

function fail(e: unknown): never {
  throw new Error(redact(e instanceof Error ? e.message : String(e), secrets()));
}

// ---------------------------------------------------------------------------------------------
// SppJoin

const sppJoinInputSchema = z.strictObject({
  /** Node name (for sps:credentials.nodes.<node>). */
  node: z.string().min(1),
  /** https:// URL of the Central Management node. */
  address: z.string().min(1),
  tls: tlsInputSchema,
  spp: z.strictObject({
    address: z.string().min(1),
    port: z.number().int().optional(),
    certificateCheckHost: z.string().min(1).optional(),
  }),
  promoteStandalone: z.boolean().optional(),
  firewall: z.strictObject({ tcp8649BothWays: z.boolean(), tcp443SpsToSpp: z.boolean() }),
  /** J1: primary IPv4 addresses; a change plans a re-join. */
  spsPrimaryAddress: z.string().optional(),
  sppPrimaryAddress: z.string().optional(),
});
type SppJoinInputs = z.output<typeof sppJoinInputSchema>;

const SPP_INPUT_KEYS = [
  "node",
  "address",
  "tls",
  "spp",
  "promoteStandalone",
  "firewall",
  "spsPrimaryAddress",
  "sppPrimaryAddress",
] as const;

/** The declared inputs only (no outputs, no __provider), undefined ones dropped. */
function sppInputsLoose(props: Props): Props {
  const flat = flatInputs(props);
  const pairs: [string, unknown][] = SPP_INPUT_KEYS.map((k) => [k, flat[k]]);
  return Object.fromEntries(pairs.filter(([, v]) => v !== undefined));
}

function sppInputs(props: Props): SppJoinInputs {
  const { node, address, tls, spp, promoteStandalone, firewall, spsPrimaryAddress, sppPrimaryAddress } =
    flatInputs(props);
  return sppJoinInputSchema.parse({
    node,
    address,
    tls,
    spp,
    promoteStandalone,
    firewall,
    spsPrimaryAddress,
    sppPrimaryAddress,
  });
}

function joinSpec(f: SppJoinInputs, token: string, rejoin = false): unknown {
  return {
    rejoin,
    sps: {
      endpoint: f.address,
      credentials: applianceLogin(credentials(), f.node),
      tls: tlsTrust(f.tls),
      ...(f.spsPrimaryAddress ? { primaryAddress: f.spsPrimaryAddress } : {}),
    },
    spp: { ...f.spp, apiToken: token },
    promoteStandalone: f.promoteStandalone ?? false,
    firewall: f.firewall,
  };
}

function record(f: SppJoinInputs) {
  return {
    spp: f.spp.address,
    spsPrimaryAddress: f.spsPrimaryAddress,
    sppPrimaryAddress: f.sppPrimaryAddress ?? f.spp.address,
  };
}

function requireToken(): string {
  if (!sppToken) {
    throw new Error(
      `${SPP_TOKEN_CONFIG_KEY} is not set: pulumi config set --secret ${SPP_TOKEN_CONFIG_KEY} <SPP API token of an account with Appliance and Operations permissions>`,
    );
  }
  return sppToken;
}

const tokenFingerprint = (t: string): string => createHash("sha256").update(t).digest("hex").slice(0, 16);

export const sppJoin = {
  async check(olds: Props, news: Props): Promise<CheckResult> {
    const shape = sppJoinInputSchema.safeParse(sppInputsLoose(news));
    if (!shape.success) return { inputs: news, failures: fieldProblems(shape.error) };
    const f = shape.data;
    const v = validateSppJoin(joinSpec(f, "placeholder-token-for-validation"));
    if (!v.ok)
      return {
        inputs: news,
        failures: v.problems.map((p) => ({
          property: p.property.replace(/^sps\.endpoint$/, "address"),
          reason: p.reason,
        })),
      };
    const previous = olds["spp"] ? record(sppInputs(olds)) : undefined;
    const plan = planSppJoin(previous, record(f));
    const plannedActions =
      plan.action === "join"
        ? [
            `join ${f.node} to SPP ${f.spp.address}: this cannot be undone — unjoining is done on SPP, not by this stack (J1)`,
          ]
        : plan.action === "rejoin"
          ? [`join ${f.node} to SPP ${f.spp.address} again: ${plan.reason} (J1)`]
          : [];
    return { inputs: { ...news, plannedActions } };
  },

  async diff(_id: string, olds: Props, news: Props): Promise<DiffResult> {
    const keys = [
      "address",
      "spp",
      "spsPrimaryAddress",
      "sppPrimaryAddress",
      "promoteStandalone",
      "firewall",
      "tls",
      "node",
    ];
    const [o, n] = [flatInputs(olds), flatInputs(news)];
    const changed = keys.filter((k) => JSON.stringify(o[k]) !== JSON.stringify(n[k]));
    // Refresh found the join gone (or pointing elsewhere): the next up joins again.
    const notJoined = olds["joined"] === false;
    return { changes: changed.length > 0 || notJoined };
  },

  async create(inputs: Props, rejoin = false): Promise<{ id: string; outs: Props }> {
    const f = sppInputs(inputs);
    const token = requireToken();
    say(`sppJoin/${f.node}`, `joining SPP ${f.spp.address} — irreversible from SPS (J1)`);
    try {
      const r = await joinSpp(joinSpec(f, token, rejoin), {
        onStep: (s) => say(`sppJoin/${f.node}`, s),
        log: engineLog,
      });
      say(
        `sppJoin/${f.node}`,
        r.joined ? `joined SPP ${f.spp.address}` : `already joined to SPP ${f.spp.address}`,
      );
      return {
        id: `${f.node}->${f.spp.address}`,
        outs: {
          ...inputs,
          plannedActions: [],
          joined: true,
          promoted: r.promoted,
          sppCertificateSha256: r.certificateSha256,
          tokenFingerprint: tokenFingerprint(token),
          drift: [],
          stateVersion: INTEGRATION_STATE_VERSION,
        },
      };
    } catch (e) {
      fail(e);
    }
  },

  async update(_id: string, _olds: Props, news: Props): Promise<{ outs: Props }> {
    // An update is a repeated join (J1): policies the earlier join created are expected.
    const { outs } = await sppJoin.create(news, true);
    return { outs };
  },

  async read(id: string, props: Props): Promise<ReadResult> {
    const f = sppInputs(props);
    try {
      // Read on SPP's side [ps], pinned to the certificate handed to SPS at the join.
      const pin =
        typeof props["sppCertificateSha256"] === "string" ? props["sppCertificateSha256"] : undefined;
      const state = await readSppJoin(joinSpec(f, requireToken()), engineLog, pin);
      const joinedHere = state.joined && state.spp === f.spp.address;
      const drift = joinedHere
        ? []
        : [
            state.joined
              ? `SPS is joined to SPP ${state.spp ?? "?"}, not ${f.spp.address}`
              : `SPP ${f.spp.address} lists no session module for this SPS (unjoined on SPP?)`,
          ];
      return { id, props: { ...props, joined: joinedHere, drift } };
    } catch (e) {
      fail(e);
    }
  },

  async remove(_id: string, props: Props): Promise<void> {
    const node = typeof props["node"] === "string" ? props["node"] : "sps";
    say(
      `sppJoin/${node}`,
      `WARNING: removed from the stack only. SPS stays joined to SPP: a join cannot be undone from SPS (J1). To reverse it, remove the session module on SPP ("Reversing the SPP to SPS join").`,
    );
  },
};

// ---------------------------------------------------------------------------------------------
// TrafficRedirection

const routerInputSchema = z.strictObject({
  host: z.string().min(1),
  port: z.number().int().min(1).max(65535).optional(),
  username: z.string().min(1),
  hostKey: z.union([
    z.strictObject({ knownHostsLine: z.string().min(1) }),
    z.strictObject({ sha256Fingerprint: z.string().min(1) }),
  ]),
});

function routerAuth():
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

async function routerSession(props: Props): Promise<SshHostSession> {
  const r = routerInputSchema.parse(props["router"]);
  return SshHostSession.connect({ ...r, auth: routerAuth(), commandTimeoutMs: 60_000 }, `router ${r.host}`);
}

function redirectionSpec(props: Props): unknown {
  return props["redirection"];
}

export const trafficRedirection = {
  async check(_olds: Props, news: Props): Promise<CheckResult> {
    const failures: { property: string; reason: string }[] = [];
    const router = routerInputSchema.safeParse(news["router"]);
    if (!router.success)
      failures.push(
        ...fieldProblems(router.error).map((p) => ({ property: `router.${p.property}`, reason: p.reason })),
      );
    const spec = validateTrafficRedirection(news["redirection"]);
    if (!spec.ok)
      failures.push(
        ...spec.problems.map((p) => ({ property: `redirection.${p.property}`, reason: p.reason })),
      );
    if (failures.length > 0) return { inputs: news, failures };
    return { inputs: news };
  },

  async diff(_id: string, olds: Props, news: Props): Promise<DiffResult> {
    const changed = ["router", "redirection"].some(
      (k) => JSON.stringify(olds[k]) !== JSON.stringify(news[k]),
    );
    const drift = Array.isArray(olds["drift"]) && olds["drift"].length > 0;
    return { changes: changed || drift };
  },

  async create(inputs: Props): Promise<{ id: string; outs: Props }> {
    const session = await routerSession(inputs).catch(fail);
    try {
      const r = await applyRedirection(session, redirectionSpec(inputs));
      for (const c of r.changes) say(`trafficRedirection/${session.host}`, c);
      for (const w of r.warnings) say(`trafficRedirection/${session.host}`, `warning: ${w}`);
      return {
        id: session.host,
        outs: {
          ...inputs,
          changes: [...r.changes],
          previousRpFilter: r.previousRpFilter,
          drift: [],
          stateVersion: INTEGRATION_STATE_VERSION,
        },
      };
    } catch (e) {
      fail(e);
    } finally {
      await session.close();
    }
  },

  async update(_id: string, olds: Props, news: Props): Promise<{ outs: Props }> {
    const { outs } = await trafficRedirection.create(news);
    const previous = {
      ...((olds["previousRpFilter"] as Record<string, number> | undefined) ?? {}),
      ...((outs["previousRpFilter"] as Record<string, number>) ?? {}),
    };
    return { outs: { ...outs, previousRpFilter: previous } };
  },

  async read(id: string, props: Props): Promise<ReadResult> {
    const session = await routerSession(props).catch(fail);
    try {
      const r = await readRedirection(session, redirectionSpec(props));
      return { id, props: { ...props, drift: r.drift.map((d) => `${d.item} ${d.kind}: ${d.detail}`) } };
    } catch (e) {
      fail(e);
    } finally {
      await session.close();
    }
  },

  async remove(_id: string, props: Props): Promise<void> {
    const session = await routerSession(props).catch(fail);
    try {
      const r = await removeRedirection(session, redirectionSpec(props), {
        restoreRpFilter: (props["previousRpFilter"] as Record<string, number> | undefined) ?? {},
      });
      for (const line of r.removed) say(`trafficRedirection/${session.host}`, `removed ${line}`);
    } catch (e) {
      fail(e);
    } finally {
      await session.close();
    }
  },
};

// ---------------------------------------------------------------------------------------------
// NextHopMonitoring (H4) — [inference] REST path, see provider/appliance/next-hop-monitoring.ts

const nextHopInputSchema = z.strictObject({
  node: applianceNodeInputSchema,
  targets: z.array(
    z.strictObject({ interface: z.string().min(1), thisNode: z.string(), otherNode: z.string() }),
  ),
  systemControl: systemControlInputSchema.default({}),
  waitTimeoutMs: z.number().int().positive().optional(),
  pollMs: z.number().int().positive().optional(),
});
type NextHopInputs = z.output<typeof nextHopInputSchema>;
const NEXT_HOP_KEYS = ["node", "targets", "systemControl", "waitTimeoutMs", "pollMs"] as const;

function nextHopInputs(props: Props): NextHopInputs {
  const flat = flatInputs(props);
  const pairs: [string, unknown][] = NEXT_HOP_KEYS.map((k) => [k, flat[k]]);
  return nextHopInputSchema.parse(Object.fromEntries(pairs.filter(([, v]) => v !== undefined)));
}

function nextHopSpec(f: NextHopInputs, secondary: string): unknown {
  return {
    sps: {
      endpoint: f.node.address,
      credentials: applianceLogin(credentials(), f.node.name),
      tls: tlsTrust(f.node.tls),
    },
    pair: { primary: f.node.name, secondary },
    targets: f.targets,
    ...(f.waitTimeoutMs ? { waitTimeoutMs: f.waitTimeoutMs } : {}),
    ...(f.pollMs ? { pollMs: f.pollMs } : {}),
  };
}

export const nextHopMonitoring = {
  async check(_olds: Props, news: Props): Promise<CheckResult> {
    const flat = flatInputs(news);
    const pairs: [string, unknown][] = NEXT_HOP_KEYS.map((k) => [k, flat[k]]);
    const parsed = nextHopInputSchema.safeParse(Object.fromEntries(pairs.filter(([, v]) => v !== undefined)));
    if (!parsed.success) return { inputs: news, failures: fieldProblems(parsed.error) };
    if (!parsed.data.node.ha) {
      return {
        inputs: news,
        failures: [
          {
            property: "node.ha",
            reason: "next-hop monitoring is an HA setting (H4): the node must be an HA pair (ha: true)",
          },
        ],
      };
    }
    const problems = validateNextHops(parsed.data.targets);
    if (problems.length > 0) return { inputs: news, failures: problems };
    const plannedActions =
      JSON.stringify(_olds["targets"]) === JSON.stringify(parsed.data.targets)
        ? []
        : [
            `set next-hop targets on ${parsed.data.node.name}: restarts the secondary first, then the primary — never both down (H4)`,
          ];
    return { inputs: { ...news, plannedActions } };
  },

  async diff(_id: string, olds: Props, news: Props): Promise<DiffResult> {
    const [o, n] = [flatInputs(olds), flatInputs(news)];
    const changed = ["node", "targets", "systemControl"].some(
      (k) => JSON.stringify(o[k]) !== JSON.stringify(n[k]),
    );
    const drift = Array.isArray(olds["drift"]) && olds["drift"].length > 0;
    return { changes: changed || drift };
  },

  async create(inputs: Props): Promise<{ id: string; outs: Props }> {
    const f = nextHopInputs(inputs);
    const control = systemControlFor([f.node], f.systemControl);
    try {
      const ha = await control.readHaState(f.node.name);
      const secondaryUnit = ha.nodes.find((n) => n.role === "secondary")?.unit;
      if (!secondaryUnit)
        throw new Error(
          `${f.node.name}: no secondary in the HA state (${ha.status}); H4 needs a working pair`,
        );
      const r = await applyNextHopMonitoring(
        nextHopSpec(f, unitControlName(f.node.name, secondaryUnit)),
        control,
        {
          onStep: (s) => say(`nextHopMonitoring/${f.node.name}`, s),
          log: engineLog,
        },
      );
      return {
        id: f.node.name,
        outs: {
          ...inputs,
          plannedActions: [],
          effectiveTargets: r.observed.effective,
          restartRequired: r.observed.restartRequired,
          lastRun: r.steps,
          drift: [],
          stateVersion: INTEGRATION_STATE_VERSION,
        },
      };
    } catch (e) {
      fail(e);
    }
  },

  async update(_id: string, _olds: Props, news: Props): Promise<{ outs: Props }> {
    const { outs } = await nextHopMonitoring.create(news);
    return { outs };
  },

  async read(id: string, props: Props): Promise<ReadResult> {
    const f = nextHopInputs(props);
    try {
      const r = await readNextHopMonitoring(nextHopSpec(f, f.node.name), engineLog);
      return {
        id,
        props: {
          ...props,
          effectiveTargets: r.effective,
          restartRequired: r.restartRequired,
          drift: r.drift,
        },
      };
    } catch (e) {
      fail(e);
    }
  },

  async remove(_id: string, props: Props): Promise<void> {
    const node = (flatInputs(props)["node"] as { name?: string } | undefined)?.name ?? "sps";
    say(
      `nextHopMonitoring/${node}`,
      "removed from the stack only: the next-hop targets stay configured on the appliance (clearing them needs both nodes restarted)",
    );
  },
};

export const providers = {
  sppJoin: watched(sppJoin),
  trafficRedirection: watched(trafficRedirection),
  nextHopMonitoring: watched(nextHopMonitoring),
} as const;
export type IntegrationKind = keyof typeof providers;

/** What a resource's `__provider` asks for (./dynamic-host.ts); state written before it uses `providers`. */
export function dynamicProvider(kind: string): ReturnType<typeof hostProvider> {
  return hostProvider(providers, configure, kind);
}
