/**
 * Configures a Linux router to send selected traffic to SPS (seed sps-spp-join.txt, "Configuring
 * advanced routing on Linux"), over any `HostSession` (SSH in production):
 *
 *   1. CONNMARK --set-mark on the client-side connections to redirect (mangle PREROUTING);
 *   2. with IP spoofing, CONNMARK --set-mark on the servers' answers too;
 *   3. connection mark → packet mark (MARK --set-mark), after every CONNMARK rule, except for
 *      packets coming from SPS;
 *   4. the table name in rt_tables; 5. a default route to SPS in that table;
 *   6. `ip rule` fwmark → table; 7. with IP spoofing, rp_filter 0 on the SPS interface and "all".
 *
 * Every step checks before it acts (`iptables -C`, `ip rule show`, `ip route show table`, the
 * rt_tables content, /proc/sys), so a second apply changes nothing. `readRedirection` returns what
 * the router has and the drift from the spec; `removeRedirection` takes it all away again.
 *
 * Not persistent across a router reboot: iptables and ip rules live in the kernel. Saving them
 * (iptables-save, netfilter-persistent, ifupdown hooks) is the router's own business; re-running
 * apply restores them.
 */
import { SpsError } from "../../../core/errors";
import type { HostSession } from "../hosts/host-session";
import { shellJoin, shellQuote } from "../hosts/shell-quote";
import {
  commentTag,
  desiredMangleRules,
  ipRuleArgs,
  markHex,
  parseChainListing,
  parseIpRules,
  parseRoutes,
  parseRtTables,
  routeArgs,
  rpFilterInterfaces,
  sameRule,
  withoutRtTablesEntry,
  type ListedRule,
  type MangleRule,
  type MangleRuleKind,
} from "./redirection-rules";
import { parseTrafficRedirection, type TrafficRedirectionSpec } from "../../../core/redirection-spec";

export type DriftKind = "missing" | "unexpected" | "changed" | "order";

export interface RedirectionDrift {
  /** What drifted: "iptables", "ip-rule", "route", "rt_tables", "rp_filter". */
  readonly item: string;
  readonly kind: DriftKind;
  readonly detail: string;
}

export interface ObservedMangleRule {
  readonly kind: MangleRuleKind;
  readonly summary: string;
  readonly present: boolean;
  /** Position in PREROUTING (1-based) when found in the listing. */
  readonly position: number | undefined;
}

export interface ObservedRedirection {
  readonly mangleRules: readonly ObservedMangleRule[];
  /** Rules with our comment tag that the spec does not ask for (iptables -S form). */
  readonly unexpectedRules: readonly string[];
  readonly ipRule: { readonly present: boolean; readonly priority: number | undefined };
  readonly route: { readonly present: boolean; readonly via: string | undefined };
  /** Other routes in the SPS table (the documented table has a single entry). */
  readonly otherRoutesInTable: readonly string[];
  readonly rtTablesEntry: boolean;
  /** rp_filter per interface that the spec wants at 0 (undefined: interface not found). */
  readonly rpFilter: Readonly<Record<string, number | undefined>>;
  /** net.ipv4.ip_forward: the router must forward for any of this to work. */
  readonly ipForward: number | undefined;
}

export interface ReadResult {
  readonly observed: ObservedRedirection;
  readonly drift: readonly RedirectionDrift[];
  readonly inSync: boolean;
  /** Things worth knowing that the redirection does not change (e.g. forwarding off). */
  readonly warnings: readonly string[];
}

export interface ApplyResult {
  /** One sentence per change made; empty when the router already matched the spec. */
  readonly changes: readonly string[];
  /** rp_filter values before this apply changed them (give them to removeRedirection to restore). */
  readonly previousRpFilter: Readonly<Record<string, number>>;
  readonly warnings: readonly string[];
}

export interface RemoveOptions {
  /** rp_filter values to put back (from ApplyResult.previousRpFilter). */
  readonly restoreRpFilter?: Readonly<Record<string, number>>;
}

export class RedirectionConflictError extends SpsError {
  static override readonly code: string = "REDIRECTION_CONFLICT";
  readonly property: string;

  constructor(property: string, message: string) {
    super(message);
    this.property = property;
  }
}

const NOT_FORWARDING = "net.ipv4.ip_forward is not 1: the router does not forward packets at all";

/** Commands against one router, all as root (`sudo -n` for a non-root login). */
class Router {
  constructor(
    readonly session: HostSession,
    readonly spec: TrafficRedirectionSpec,
  ) {}

  run(command: string, accept: readonly number[] | "any" = [0]) {
    return this.session.run(command, { sudo: true, acceptExitCodes: accept });
  }

  iptables(args: readonly string[], accept: readonly number[] | "any" = [0]) {
    return this.run(
      `${shellQuote(this.spec.iptablesCommand)} -w ${shellJoin(["-t", "mangle", ...args])}`,
      accept,
    );
  }

  ip(args: readonly string[], accept: readonly number[] | "any" = [0]) {
    return this.run(`${shellQuote(this.spec.ipCommand)} ${shellJoin(args)}`, accept);
  }

  async ruleExists(rule: MangleRule): Promise<boolean> {
    const r = await this.iptables(["-C", "PREROUTING", ...rule.args], "any");
    if (r.exitCode === 0) return true;
    if (r.exitCode === 1) return false;
    throw new Error(
      `${this.session.host}: iptables -C failed (exit ${r.exitCode}): ${r.stderr.trim()}; ` +
        "check that iptables with the CONNMARK, connmark, MARK and comment extensions is installed",
    );
  }

  async listing() {
    return parseChainListing((await this.iptables(["-S", "PREROUTING"])).stdout);
  }

  async rtTables(): Promise<string> {
    const r = await this.run(`cat -- ${shellQuote(this.spec.rtTablesPath)}`, "any");
    if (r.exitCode === 0) return r.stdout;
    if (/No such file/i.test(r.stderr)) return "";
    throw new Error(`${this.session.host}: cannot read ${this.spec.rtTablesPath}: ${r.stderr.trim()}`);
  }

  async writeRtTables(content: string): Promise<void> {
    const path = this.spec.rtTablesPath;
    const tmp = `${path}.pulumi-sps.tmp`;
    // Rewrite in place (cat >) so the file keeps its owner and mode.
    await this.run(
      `printf '%s' ${shellQuote(content)} > ${shellQuote(tmp)} && cat -- ${shellQuote(tmp)} > ${shellQuote(path)} && rm -f -- ${shellQuote(tmp)}`,
    );
  }

  /** A number under /proc/sys/net/ipv4 (undefined when the file is missing). */
  async ipv4Sysctl(path: string): Promise<number | undefined> {
    const r = await this.run(`cat -- ${shellQuote(`/proc/sys/net/ipv4/${path}`)}`, "any");
    return r.exitCode === 0 ? Number(r.stdout.trim()) : undefined;
  }

  rpFilter(iface: string): Promise<number | undefined> {
    return this.ipv4Sysctl(`conf/${iface}/rp_filter`);
  }

  async setRpFilter(iface: string, value: number): Promise<void> {
    await this.run(`echo ${value} > ${shellQuote(`/proc/sys/net/ipv4/conf/${iface}/rp_filter`)}`);
  }

  async ipRules() {
    const { spec } = this;
    const rules = parseIpRules((await this.ip(["rule", "show"])).stdout);
    return rules.filter(
      (r) => r.fwmark === spec.mark && (r.table === String(spec.table.id) || r.table === spec.table.name),
    );
  }

  async routes() {
    const r = await this.ip(["route", "show", "table", String(this.spec.table.id)], "any");
    // An empty table does not exist for the kernel: "FIB table does not exist" (exit 2).
    if (r.exitCode !== 0 && /table does not exist/i.test(r.stderr)) return [];
    if (r.exitCode !== 0) {
      throw new Error(
        `${this.session.host}: ip route show table ${this.spec.table.id} failed (exit ${r.exitCode}): ${r.stderr.trim()}`,
      );
    }
    return parseRoutes(r.stdout);
  }
}

/** Listed rules with our comment tag that the spec does not ask for. */
function notInSpec(
  listing: readonly ListedRule[],
  desired: readonly MangleRule[],
  tag: string,
): ListedRule[] {
  return listing.filter((l) => l.comment === tag && !desired.some((d) => sameRule(l.args, d.args)));
}

/** Reads the router's configuration and compares it with the spec. Changes nothing. */
export async function readRedirection(session: HostSession, specInput: unknown): Promise<ReadResult> {
  const spec = parseTrafficRedirection(specInput);
  const router = new Router(session, spec);
  const drift: RedirectionDrift[] = [];
  const found = (item: string, kind: DriftKind, detail: string): void => {
    drift.push({ item, kind, detail });
  };
  const warnings: string[] = [];
  const tag = commentTag(spec);

  const desired = desiredMangleRules(spec);
  const listing = await router.listing();
  const mangleRules: ObservedMangleRule[] = [];
  for (const rule of desired) {
    const present = await router.ruleExists(rule);
    const listed = listing.find((l) => sameRule(l.args, rule.args));
    mangleRules.push({ kind: rule.kind, summary: rule.summary, present, position: listed?.position });
    if (!present) found("iptables", "missing", `rule missing: ${rule.summary}`);
  }
  const restore = mangleRules.find((r) => r.kind === "restore-mark");
  const lastSetMark = Math.max(
    0,
    ...mangleRules.filter((r) => r.kind !== "restore-mark").map((r) => r.position ?? 0),
  );
  if (restore?.position !== undefined && restore.position < lastSetMark) {
    found(
      "iptables",
      "order",
      `the MARK rule (position ${restore.position}) must come after every CONNMARK rule (last at ${lastSetMark})`,
    );
  }
  const unexpected = notInSpec(listing, desired, tag);
  for (const u of unexpected) {
    found("iptables", "unexpected", `rule not in the spec: -A PREROUTING ${u.args.join(" ")}`);
  }

  const ipRules = await router.ipRules();
  const matching = ipRules.find((r) => spec.rulePriority === undefined || r.priority === spec.rulePriority);
  if (!matching) {
    if (ipRules.length > 0)
      found(
        "ip-rule",
        "changed",
        `ip rule for fwmark ${markHex(spec.mark)} has priority ${ipRules[0]?.priority}, spec says ${spec.rulePriority}`,
      );
    else
      found("ip-rule", "missing", `no ip rule sends fwmark ${markHex(spec.mark)} to table ${spec.table.id}`);
  }

  const routes = await router.routes();
  const defaults = routes.filter((r) => r.destination === "default");
  const ours = defaults.find((r) => r.via === spec.sps.address);
  if (!ours) {
    if (defaults.length > 0)
      found(
        "route",
        "changed",
        `table ${spec.table.id} default route is "${defaults[0]?.line}", spec says via ${spec.sps.address}`,
      );
    else
      found("route", "missing", `table ${spec.table.id} has no default route via SPS (${spec.sps.address})`);
  }
  const otherRoutes = routes.filter((r) => r !== ours).map((r) => r.line);
  if (otherRoutes.length > 0 && ours) {
    warnings.push(
      `table ${spec.table.id} has other routes besides the default route to SPS: ${otherRoutes.join("; ")}`,
    );
  }

  const entries = parseRtTables(await router.rtTables());
  const rtTablesEntry = entries.some((e) => e.id === spec.table.id && e.name === spec.table.name);
  if (!rtTablesEntry) {
    found("rt_tables", "missing", `${spec.rtTablesPath} has no "${spec.table.id} ${spec.table.name}" line`);
  }

  const rpFilter: Record<string, number | undefined> = {};
  for (const iface of rpFilterInterfaces(spec)) {
    const v = await router.rpFilter(iface);
    rpFilter[iface] = v;
    if (v === undefined)
      found("rp_filter", "missing", `interface ${iface} not found on the router (sps.interface)`);
    else if (v !== 0) found("rp_filter", "changed", `rp_filter of ${iface} is ${v}; IP spoofing needs 0`);
  }

  const ipForward = await router.ipv4Sysctl("ip_forward");
  if (ipForward !== 1) warnings.push(NOT_FORWARDING);

  return {
    observed: {
      mangleRules,
      unexpectedRules: unexpected.map((u) => `-A PREROUTING ${u.args.join(" ")}`),
      ipRule: { present: matching !== undefined, priority: matching?.priority },
      route: { present: ours !== undefined, via: (ours ?? defaults[0])?.via },
      otherRoutesInTable: otherRoutes,
      rtTablesEntry,
      rpFilter,
      ipForward,
    },
    drift,
    inSync: drift.length === 0,
    warnings,
  };
}

/** Makes the router match the spec; each step checks first, so a second apply changes nothing. */
export async function applyRedirection(session: HostSession, specInput: unknown): Promise<ApplyResult> {
  const spec = parseTrafficRedirection(specInput);
  const router = new Router(session, spec);
  const changes: string[] = [];
  const warnings: string[] = [];
  const tableId = String(spec.table.id);

  // rt_tables: register the name (refuse when the id or the name is taken by something else).
  const content = await router.rtTables();
  const entries = parseRtTables(content);
  const idTaken = entries.find((e) => e.id === spec.table.id && e.name !== spec.table.name);
  if (idTaken) {
    throw new RedirectionConflictError(
      "table.id",
      `${session.host}: ${spec.rtTablesPath} already gives table ${spec.table.id} the name "${idTaken.name}"; ` +
        `pick a free table.id, or set table.name to "${idTaken.name}" if that table is meant for SPS`,
    );
  }
  const nameTaken = entries.find((e) => e.name === spec.table.name && e.id !== spec.table.id);
  if (nameTaken) {
    throw new RedirectionConflictError(
      "table.name",
      `${session.host}: ${spec.rtTablesPath} already uses the name "${spec.table.name}" for table ${nameTaken.id}; ` +
        `pick another table.name, or set table.id to ${nameTaken.id}`,
    );
  }
  if (!entries.some((e) => e.id === spec.table.id)) {
    const sep = content.length > 0 && !content.endsWith("\n") ? "\n" : "";
    await router.writeRtTables(`${content}${sep}${spec.table.id} ${spec.table.name}\n`);
    changes.push(`added "${spec.table.id} ${spec.table.name}" to ${spec.rtTablesPath}`);
  }

  // The SPS table: a default route to SPS.
  const routes = await router.routes();
  if (!routes.some((r) => r.destination === "default" && r.via === spec.sps.address)) {
    await router.ip(["route", "replace", ...routeArgs(spec)]);
    changes.push(`set the default route of table ${tableId} via SPS ${spec.sps.address}`);
  }

  // ip rule: fwmark → table (exactly one, with the declared priority if any).
  const ipRules = await router.ipRules();
  const good = ipRules.filter((r) => spec.rulePriority === undefined || r.priority === spec.rulePriority);
  for (const stale of ipRules.filter((r) => !good.includes(r))) {
    await router.ip(["rule", "del", "priority", String(stale.priority)]);
    changes.push(`removed ip rule ${stale.priority} (${stale.line}): wrong priority`);
  }
  if (good.length === 0) {
    await router.ip(["rule", "add", ...ipRuleArgs(spec)]);
    changes.push(`added ip rule fwmark ${markHex(spec.mark)} → table ${tableId}`);
  }

  // mangle PREROUTING: CONNMARK rules first (inserted at the top), the MARK rule after them.
  const desired = desiredMangleRules(spec);
  const tag = commentTag(spec);
  for (const rule of desired.filter((r) => r.kind !== "restore-mark")) {
    if (!(await router.ruleExists(rule))) {
      await router.iptables(["-I", "PREROUTING", "1", ...rule.args]);
      changes.push(`added iptables rule: ${rule.summary}`);
    }
  }
  const restore = desired.find((r) => r.kind === "restore-mark") as MangleRule;
  let listing = await router.listing();
  for (const stale of notInSpec(listing, desired, tag)) {
    await router.iptables(["-D", "PREROUTING", ...stale.args]);
    changes.push(`removed iptables rule not in the spec: ${stale.args.join(" ")}`);
  }
  listing = await router.listing();
  const restorePos = listing.find((l) => sameRule(l.args, restore.args))?.position;
  const lastSetMark = Math.max(
    0,
    ...listing
      .filter((l) => desired.some((d) => d.kind !== "restore-mark" && sameRule(l.args, d.args)))
      .map((l) => l.position),
  );
  if (await router.ruleExists(restore)) {
    if (restorePos !== undefined && restorePos < lastSetMark) {
      await router.iptables(["-D", "PREROUTING", ...restore.args]);
      await router.iptables(["-A", "PREROUTING", ...restore.args]);
      changes.push(
        `moved the MARK rule after the CONNMARK rules (it was at ${restorePos}, before ${lastSetMark})`,
      );
    }
  } else {
    await router.iptables(["-A", "PREROUTING", ...restore.args]);
    changes.push(`added iptables rule: ${restore.summary}`);
  }

  // rp_filter off where SPS spoofs client addresses.
  const previousRpFilter: Record<string, number> = {};
  for (const iface of rpFilterInterfaces(spec)) {
    const v = await router.rpFilter(iface);
    if (v === undefined) {
      throw new RedirectionConflictError(
        "sps.interface",
        `${session.host}: interface ${iface} has no /proc/sys/net/ipv4/conf/${iface}; check sps.interface against \`ip link\` on the router`,
      );
    }
    if (v !== 0) {
      previousRpFilter[iface] = v;
      await router.setRpFilter(iface, 0);
      changes.push(`set rp_filter of ${iface} to 0 (was ${v}) for IP spoofing`);
    }
  }
  if ((await router.ipv4Sysctl("ip_forward")) !== 1) warnings.push(NOT_FORWARDING);
  return { changes, previousRpFilter, warnings };
}

/** Removes everything `applyRedirection` added (only our own rules, route and rt_tables line). */
export async function removeRedirection(
  session: HostSession,
  specInput: unknown,
  options: RemoveOptions = {},
): Promise<{ removed: readonly string[] }> {
  const spec = parseTrafficRedirection(specInput);
  const router = new Router(session, spec);
  const removed: string[] = [];
  const tag = commentTag(spec);

  const listing = await router.listing();
  for (const rule of [...listing].reverse().filter((l) => l.comment === tag)) {
    await router.iptables(["-D", "PREROUTING", ...rule.args]);
    removed.push(`iptables rule: ${rule.args.join(" ")}`);
  }
  for (const r of await router.ipRules()) {
    await router.ip(["rule", "del", "priority", String(r.priority)]);
    removed.push(`ip rule ${r.priority}: ${r.line}`);
  }
  const routes = await router.routes();
  if (routes.some((r) => r.destination === "default" && r.via === spec.sps.address)) {
    await router.ip(["route", "del", ...routeArgs(spec)]);
    removed.push(`default route of table ${spec.table.id} via ${spec.sps.address}`);
  }
  const remaining = await router.routes();
  const content = await router.rtTables();
  if (
    remaining.length === 0 &&
    parseRtTables(content).some((e) => e.id === spec.table.id && e.name === spec.table.name)
  ) {
    await router.writeRtTables(withoutRtTablesEntry(content, spec.table.id, spec.table.name));
    removed.push(`"${spec.table.id} ${spec.table.name}" from ${spec.rtTablesPath}`);
  }
  for (const [iface, value] of Object.entries(options.restoreRpFilter ?? {})) {
    if (!rpFilterInterfaces(spec).includes(iface) || !Number.isInteger(value) || value < 0 || value > 2)
      continue;
    if ((await router.rpFilter(iface)) === 0) {
      await router.setRpFilter(iface, value);
      removed.push(`rp_filter of ${iface} back to ${value}`);
    }
  }
  return { removed };
}
