/**
 * `sps-upgrade doctor` — a read-only readiness check of a live fleet, before its first `up`.
 *
 * Input: the fleet inventory (core/inventory.ts: the planner's fleet file plus per-node
 * address and TLS trust) and the REST logins in the `sps:credentials` JSON format (sdk/credentials.ts),
 * from the environment (`SPS_UPGRADE_CREDENTIALS`) or a file (`--credentials FILE`) — never from argv.
 * Optionally the system-control routing (`--system-control FILE`: `{"rebootNode": {"channel": "ssh"}, …}`,
 * as the SDK's `systemControl` input; what it leaves out is a manual gate).
 *
 * Per node: reachable, TLS trust, login, running version, roles, free firmware slots, health (P2),
 * disk fill-up (P8), license as far as readable, the capabilities its REST tree offers, and per
 * operation of an `up` the route it takes (REST, IPMI, command, wrapper, manual gate). HA state is not
 * readable through REST (real-appliance facts §9): reported as not readable.
 *
 * Exit 0: every node ready; 1: something will stop the run (a blocker on a node); 2: bad input.
 * A manual gate is a planned pause (the run stops there by design and prints the steps); it is listed
 * in the routes, not counted as a blocker.
 * `--write-facts FILE` writes the planner's fleet file with the versions and facts read (settings
 * healthOk, diskFillupLimitPercent), so `sps-upgrade plan` checks rules it would otherwise report
 * "not checked".
 */
import { SpsError } from "../core/errors";
import * as fs from "node:fs";
import { readInventoryFile, InventoryFileError } from "../sdk/inventory-file";
import { applianceLogin, CredentialsError, parseCredentials, type Credentials } from "../sdk/credentials";
import { plannerFleet, type Inventory } from "../core/inventory";
import { describeProblems } from "../core/validation";
import {
  readiness,
  settingsFromFacts,
  type ChannelChoice,
  type NodeReadiness,
  type OperationRoute,
} from "../core/readiness";
import { probeNode, type NodeProbe } from "./node-probe";
import { SpsRestClient } from "../provider/clients/sps/sps-rest-client";
import { trustOfDeclared } from "../provider/clients/sps/tls-trust";
import { redactText } from "../provider/clients/sps/api-error";
import { printableLines, printableValue } from "../core/printable";
import { loginSecrets } from "../core/redaction";
import { readTextFileBounded } from "../core/bounded-file";
import { recordedAnswer, writeRecording, type RecordedAnswer } from "../provider/clients/sps/recording";
import { type CliIo, type Command, commandArgs, usageError } from "./command";
import { nodeRoutes } from "../provider/executor/step-routes";
import { routedControl } from "../provider/resources/system-control-check";

export const CREDENTIALS_ENV = "SPS_UPGRADE_CREDENTIALS";

const USAGE = `usage: sps-upgrade doctor --inventory INVENTORY.json [--credentials FILE] [--system-control FILE]
                           [--upgrade-call reboots|selects] [--evidence-dir DIR]
                           [--json] [--write-facts FLEET.json] [--record DIR] [--timeout-ms N]
  Routes are decided as preview and up decide them: --system-control is the program's systemControl,
  --upgrade-call and --evidence-dir its upgradeCall and evidenceDir (leave them out when the program does).
  REST logins: the sps:credentials JSON ({"appliance": {"username", "password"}, "nodes": {…}}) in
  $${CREDENTIALS_ENV} or in --credentials FILE (never on the command line).
  --record DIR saves every read answer per node (status, content type, body; cookies, passwords,
  tokens and license texts removed) as DIR/<cluster>__<node>.json — hand it over to show what your SPS answers.
  exit 0: every node ready; 1: something will stop the run; 2: bad input.`;

const OPTIONS = {
  inventory: { type: "string" },
  credentials: { type: "string" },
  "system-control": { type: "string" },
  "upgrade-call": { type: "string" },
  "evidence-dir": { type: "string" },
  json: { type: "boolean" },
  "write-facts": { type: "string" },
  "timeout-ms": { type: "string" },
  record: { type: "string" },
} as const;

export interface DoctorNode extends Pick<NodeProbe, "access" | "facts" | "capabilities"> {
  name: string;
  cluster: string;
  address: string;
  ha: boolean;
  version: string | null;
  ready: boolean;
  routes: OperationRoute[];
  blockers: string[];
  warnings: string[];
  unreadable: Record<string, string>;
}

class BadInput extends SpsError {
  static override readonly code: string = "DOCTOR_INPUT_INVALID";
}

function readJsonFile(file: string, what: string): unknown {
  let text: string;
  try {
    text = readTextFileBounded(file);
  } catch (e) {
    throw new BadInput(`${what} ${file}: cannot be read (${(e as Error).message})`);
  }
  try {
    return JSON.parse(text) as unknown;
  } catch {
    throw new BadInput(`${what} ${file}: is not JSON`);
  }
}

function loadCredentials(file: string | undefined): Credentials {
  const text = file !== undefined ? undefined : process.env[CREDENTIALS_ENV];
  if (file === undefined && (text === undefined || text.trim() === ""))
    throw new BadInput(
      `no REST login: set $${CREDENTIALS_ENV} to the sps:credentials JSON, or pass --credentials FILE`,
    );
  try {
    return parseCredentials(file !== undefined ? JSON.stringify(readJsonFile(file, "credentials")) : text);
  } catch (e) {
    if (e instanceof CredentialsError)
      throw new BadInput(e.message.replace("sps:credentials", file ?? `$${CREDENTIALS_ENV}`));
    throw e;
  }
}

const CHANNELS = ["ssh", "ipmi", "command", "manual"];

function loadChannels(file: string | undefined): ChannelChoice {
  if (file === undefined) return {};
  const raw = readJsonFile(file, "system control");
  if (typeof raw !== "object" || raw === null || Array.isArray(raw))
    throw new BadInput(
      `system control ${file}: must be an object {"<operation>": {"channel": "ssh|ipmi|command|manual"}}`,
    );
  const out: ChannelChoice = {};
  for (const [op, v] of Object.entries(raw as Record<string, unknown>)) {
    const channel = (v as { channel?: unknown } | null)?.channel;
    if (typeof channel !== "string" || !CHANNELS.includes(channel))
      throw new BadInput(`system control ${file}: ${op}.channel must be one of ${CHANNELS.join(", ")}`);
    out[op] = { channel: channel as "ssh" | "ipmi" | "command" | "manual" };
  }
  return out;
}

/** Probes every node of the inventory (a few at a time). */
export async function examine(
  file: string,
  credentials: Credentials,
  channels: ChannelChoice,
  timeoutMs: number,
  recordDir?: string,
  declared: { upgradeCall?: "reboots" | "selects"; evidenceDir?: string } = {},
): Promise<{ inventory: Inventory; nodes: DoctorNode[] }> {
  const inv = readInventoryFile(file);
  // One router per cluster, built from all its nodes, as the run builds it.
  const todo = inv.clusters.flatMap((c) => {
    const routed = routedControl(c.nodes, channels, credentials);
    return c.nodes.map((n) => ({ cluster: c.name, node: n, routed }));
  });
  const secrets = [
    ...Object.values(credentials.nodes).map((l) => l.password),
    ...(credentials.appliance ? [credentials.appliance.password] : []),
  ];
  const nodes: DoctorNode[] = [];
  let next = 0;
  const worker = async (): Promise<void> => {
    for (;;) {
      const i = next++;
      const item = todo[i];
      if (!item) return;
      const { cluster, node, routed } = item;
      const login = applianceLogin(credentials, node.name);
      const answers: RecordedAnswer[] = [];
      const hidden = [...secrets, ...loginSecrets(login.username, login.password)];
      const client = new SpsRestClient(
        {
          endpoint: node.address,
          credentials: login,
          tls: trustOfDeclared(node.tls),
          name: node.name,
          timeoutMs,
          retry: { attempts: 1 },
        },
        {
          log: { warn: () => undefined },
          ...(recordDir !== undefined
            ? {
                onExchange: (e) => {
                  // The session cookie too: an appliance may echo it in a body.
                  const a = recordedAnswer(e, [...hidden, ...client.secrets()]);
                  if (a) answers.push(a);
                },
              }
            : {}),
        },
      );
      let probe: NodeProbe;
      try {
        probe = await probeNode(client);
      } finally {
        client.close();
      }
      if (recordDir !== undefined) writeRecording(recordDir, cluster, node.name, answers);
      const ha = node.ha === true;
      // The routes as preview and up decide them: the router the run builds (provider/executor/step-routes.ts).
      const control = routed.control;
      if (control && ha && probe.access.login && probe.facts.haStatus === undefined)
        probe.facts.haStatus = await routedHaStatus(control, node.name, timeoutMs, probe.errors);
      const routes =
        control && probe.access.login
          ? nodeRoutes({
              ha,
              upgradeCall: declared.upgradeCall,
              channelOf: (op) => control.channelOf(op),
              declared: (op) => control.declares(op),
              capabilities: probe.capabilities ?? undefined,
              evidenceDir: declared.evidenceDir,
            })
          : [];
      const refused = routed.failures.map(
        (f) => `the run refuses its system control: ${f.property}: ${f.reason}`,
      );
      const checked: NodeReadiness = readiness({ ha }, probe.access, probe.facts);
      const verdict: NodeReadiness =
        refused.length > 0
          ? { ...checked, ready: false, blockers: [...checked.blockers, ...refused] }
          : checked;
      // Everything below may hold text the appliance sent: escaped before it is printed or written.
      nodes[i] = printableValue({
        name: node.name,
        cluster,
        address: node.address,
        ha,
        version: probe.facts.version ?? null,
        ready: verdict.ready,
        access: probe.access.error
          ? { ...probe.access, error: redactText(probe.access.error, secrets) }
          : probe.access,
        facts: probe.facts,
        capabilities: probe.capabilities,
        routes,
        blockers: verdict.blockers.map((b) => redactText(b, secrets)),
        warnings: verdict.warnings,
        unreadable: Object.fromEntries(
          Object.entries(probe.errors).map(([k, v]) => [k, redactText(v, secrets)]),
        ),
      } satisfies DoctorNode) as DoctorNode;
    }
  };
  await Promise.all(Array.from({ length: Math.min(8, todo.length) }, () => worker()));
  return { inventory: inv.inventory, nodes };
}

/**
 * The HA status through the routed readHaState (read-only; ssh or command), as the run reads it;
 * undefined when it is not routed or the read fails (the failure is kept among the unreadable facts).
 */
async function routedHaStatus(
  control: NonNullable<ReturnType<typeof routedControl>["control"]>,
  node: string,
  timeoutMs: number,
  errors: Record<string, string>,
): Promise<string | undefined> {
  if (control.channelOf("readHaState") === "manual") return undefined;
  let timer: NodeJS.Timeout | undefined;
  try {
    const timeout = new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(new Error(`no answer within ${timeoutMs} ms`)), timeoutMs);
    });
    return (await Promise.race([control.readHaState(node), timeout])).status;
  } catch (e) {
    errors["haState"] = e instanceof Error ? e.message : String(e);
    return undefined;
  } finally {
    if (timer) clearTimeout(timer);
  }
}

/** The planner's fleet document with the versions and facts read (declared values where none). */
export function fleetWithFacts(inv: Inventory, nodes: DoctorNode[]): unknown {
  const byName = new Map(nodes.map((n) => [`${n.cluster}/${n.name}`, n]));
  const withFacts: Inventory = {
    ...inv,
    clusters: inv.clusters.map((c) => ({
      ...c,
      nodes: c.nodes.map((n) => {
        const d = byName.get(`${c.name}/${n.name}`);
        return {
          ...n,
          ...(d?.version ? { version: d.version } : {}),
          settings: { ...n.settings, ...(d ? settingsFromFacts(d.facts) : {}) },
        };
      }),
    })),
  };
  const fleet = plannerFleet(withFacts);
  if (!fleet.ok) throw new BadInput(`cannot write the fleet file:\n${describeProblems(fleet.problems)}`);
  return fleet.fleet;
}

const yes = (b: boolean | undefined): string => (b === undefined ? "?" : b ? "yes" : "NO");

function caps(n: DoctorNode): string {
  if (!n.capabilities) return "?";
  const c = n.capabilities;
  const names = [
    c.firmwareUpload && "upload",
    c.firmwareTest && "test",
    c.firmwareUpgrade && "upgrade",
    c.firmwareFetch && "fetch",
    c.supportBundle && "bundle",
  ].filter(Boolean);
  return names.join(",") || "none";
}

function table(nodes: DoctorNode[]): string {
  const rows = [
    "node cluster reach tls login version roles ha slots health fillup license capabilities ready".split(" "),
    ...nodes.map((n) => [
      n.name,
      n.cluster,
      yes(n.access.reachable),
      n.access.reachable ? yes(n.access.tls) : "-",
      n.access.tls ? yes(n.access.login) : "-",
      n.version ?? "?",
      // An appliance without a special role shows "none" (not "standalone": that is an HA term).
      n.facts.roles ? n.facts.roles.join("+") || "none" : "?",
      n.ha ? (n.facts.haStatus ?? "not readable") : "-",
      n.facts.freeFirmwareSlots === undefined ? "?" : String(n.facts.freeFirmwareSlots),
      n.facts.healthOk === undefined ? "?" : n.facts.healthOk ? "OK" : "NOT OK",
      n.facts.diskFillupLimitPercent === undefined ? "?" : `${n.facts.diskFillupLimitPercent}%`,
      n.facts.license
        ? `${n.facts.license.major ?? "?"} LTS ${n.facts.license.validity === "unknown" ? "(validity ?)" : n.facts.license.validity}`
        : "?",
      caps(n),
      n.ready ? "ready" : "NOT READY",
    ]),
  ];
  const widths = rows[0].map((_, i) => Math.max(...rows.map((r) => r[i].length)));
  const lines = rows.map((r) =>
    r
      .map((c, i) => c.padEnd(widths[i]))
      .join("  ")
      .trimEnd(),
  );
  const out = [lines[0], widths.map((w) => "-".repeat(w)).join("  "), ...lines.slice(1), ""];
  for (const n of nodes) {
    if (n.blockers.length > 0) out.push(`${n.name}: will stop the run: ${n.blockers.join("; ")}`);
    for (const [fact, why] of Object.entries(n.unreadable)) out.push(`${n.name}: ${fact} not read: ${why}`);
    for (const w of n.warnings) out.push(`${n.name}: warning: ${w}`);
    if (n.routes.length > 0) {
      out.push(`${n.name}: routes of an up:`);
      for (const r of n.routes) out.push(`  ${r.action.padEnd(20)} ${r.route.padEnd(12)} ${r.detail}`);
    }
  }
  const notReady = nodes.filter((n) => !n.ready).length;
  out.push(
    "",
    notReady === 0 ? `all ${nodes.length} node(s) ready` : `${notReady} of ${nodes.length} node(s) not ready`,
  );
  return `${printableLines(out.join("\n"))}\n`;
}

async function run(args: readonly string[], io: CliIo): Promise<number> {
  const v = commandArgs(args, OPTIONS, io, USAGE);
  if (typeof v === "number") return v;
  if (!v.inventory) return usageError(io, USAGE, "--inventory INVENTORY.json is required");
  const timeoutMs = v["timeout-ms"] === undefined ? 15_000 : Number(v["timeout-ms"]);
  if (!Number.isInteger(timeoutMs) || timeoutMs < 1)
    return usageError(io, USAGE, `--timeout-ms: "${v["timeout-ms"]}" is not a positive whole number`);
  try {
    const credentials = loadCredentials(v.credentials);
    const channels = loadChannels(v["system-control"]);
    const upgradeCall = v["upgrade-call"];
    if (upgradeCall !== undefined && upgradeCall !== "reboots" && upgradeCall !== "selects")
      return usageError(io, USAGE, `--upgrade-call: "${upgradeCall}" must be reboots or selects`);
    if (v.record !== undefined) fs.mkdirSync(v.record, { recursive: true });
    const { inventory, nodes } = await examine(v.inventory, credentials, channels, timeoutMs, v.record, {
      ...(upgradeCall !== undefined ? { upgradeCall } : {}),
      ...(v["evidence-dir"] !== undefined ? { evidenceDir: v["evidence-dir"] } : {}),
    });
    if (v["write-facts"]) {
      fs.writeFileSync(v["write-facts"], `${JSON.stringify(fleetWithFacts(inventory, nodes), null, 2)}\n`);
    }
    const ready = nodes.every((n) => n.ready);
    io.stdout(v.json ? `${JSON.stringify({ ready, nodes }, null, 2)}\n` : table(nodes));
    return ready ? 0 : 1;
  } catch (e) {
    if (!(e instanceof BadInput || e instanceof InventoryFileError || e instanceof CredentialsError)) throw e;
    io.stderr(`sps-upgrade doctor: ${e.message}\n`);
    return 2;
  }
}

export const doctorCommand: Command = {
  summary: "read-only readiness check of a live fleet (inventory file): routes, facts, blockers",
  usage: USAGE,
  run,
};
