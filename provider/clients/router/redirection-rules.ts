/**
 * Pure part of the Linux-router redirection: the exact iptables / ip arguments a spec asks for
 * (the documented commands, plus a comment tag so our rules can be found again), and parsers for
 * what the router reports (`iptables -S`, `ip rule show`, `ip route show table`, rt_tables).
 */
import type { TrafficRedirectionSpec } from "../../../core/redirection-spec";

export type MangleRuleKind = "client-mark" | "server-mark" | "restore-mark";

export interface MangleRule {
  readonly kind: MangleRuleKind;
  /** Arguments after `-t mangle -A PREROUTING` (also valid after `-C` / `-D` / `-I PREROUTING 1`). */
  readonly args: readonly string[];
  /** One-line description for plans and drift messages. */
  readonly summary: string;
}

export function commentTag(spec: TrafficRedirectionSpec): string {
  return `pulumi-sps:${spec.name}`;
}

function portArg(p: number | string): string {
  return typeof p === "number" ? String(p) : p.replace("-", ":");
}

export function markHex(mark: number): string {
  return `0x${mark.toString(16)}`;
}

/**
 * The mangle PREROUTING rules in the order they must end up: every CONNMARK --set-mark rule (client
 * side, then server side when SPS spoofs client addresses) before the rule that turns the
 * connection mark into the packet mark ("This rule must be placed after the CONNMARK rules").
 */
export function desiredMangleRules(spec: TrafficRedirectionSpec): MangleRule[] {
  const tag = commentTag(spec);
  const mark = String(spec.mark);
  const tagged = ["-m", "comment", "--comment", tag];
  // Both sides end alike: our comment tag, then the CONNMARK that sets the connection mark.
  const setMark = [...tagged, "-j", "CONNMARK", "--set-mark", mark];
  const notFromSps = ["!", "-i", spec.sps.interface, "-m", "connmark", "--mark", mark];
  const rules: MangleRule[] = [];
  for (const sel of spec.clientSide) {
    for (const p of sel.ports) {
      const args = ["-i", sel.interface, "-p", "tcp"];
      if (sel.sourceCidr) args.push("-s", sel.sourceCidr);
      if (sel.destinationCidr) args.push("-d", sel.destinationCidr);
      args.push("--dport", portArg(p), ...setMark);
      rules.push({
        kind: "client-mark",
        args,
        summary: `mark connections entering ${sel.interface}${sel.sourceCidr ? ` from ${sel.sourceCidr}` : ""} to ${sel.destinationCidr ?? "any"} tcp/${portArg(p)}`,
      });
    }
  }
  for (const sel of spec.ipSpoofing?.serverSide ?? []) {
    for (const p of sel.ports) {
      rules.push({
        kind: "server-mark",
        args: ["-i", sel.interface, "-p", "tcp", "-s", sel.sourceCidr, "--sport", portArg(p), ...setMark],
        summary: `mark server answers entering ${sel.interface} from ${sel.sourceCidr} tcp/${portArg(p)}`,
      });
    }
  }
  rules.push({
    kind: "restore-mark",
    args: [...notFromSps, ...tagged, "-j", "MARK", "--set-mark", mark],
    summary: `turn connection mark ${mark} into packet mark ${mark} (except packets from SPS on ${spec.sps.interface})`,
  });
  return rules;
}

/** The `ip rule` selector (after `ip rule add|del`). */
export function ipRuleArgs(spec: TrafficRedirectionSpec): string[] {
  const args = ["fwmark", markHex(spec.mark), "table", String(spec.table.id)];
  if (spec.rulePriority !== undefined) args.push("priority", String(spec.rulePriority));
  return args;
}

/** The `ip route` of the SPS table (after `ip route replace|del`). */
export function routeArgs(spec: TrafficRedirectionSpec): string[] {
  return ["default", "via", spec.sps.address, "table", String(spec.table.id)];
}

/** Interfaces whose rp_filter must be 0 when SPS spoofs client addresses ("all" included). */
export function rpFilterInterfaces(spec: TrafficRedirectionSpec): string[] {
  return spec.ipSpoofing ? [spec.sps.interface, "all"] : [];
}

/**
 * Splits one `iptables -S` line into its arguments (iptables-save quoting: double quotes with
 * backslash escapes around values that contain spaces).
 */
export function splitIptablesLine(line: string): string[] {
  const out: string[] = [];
  let cur = "";
  let inWord = false;
  let quoted = false;
  for (let i = 0; i < line.length; i++) {
    const ch = line[i];
    if (quoted) {
      if (ch === "\\" && i + 1 < line.length) {
        cur += line[++i];
      } else if (ch === '"') {
        quoted = false;
      } else cur += ch;
    } else if (ch === '"') {
      quoted = true;
      inWord = true;
    } else if (ch === " " || ch === "\t") {
      if (inWord) out.push(cur);
      cur = "";
      inWord = false;
    } else {
      cur += ch;
      inWord = true;
    }
  }
  if (inWord) out.push(cur);
  return out;
}

export interface ListedRule {
  /** 1-based position in the chain. */
  readonly position: number;
  /** Arguments after `-A PREROUTING`. */
  readonly args: readonly string[];
  readonly comment: string | undefined;
  readonly target: string | undefined;
}

/** Parses `iptables -t mangle -S PREROUTING` into the chain's rules with their positions. */
export function parseChainListing(stdout: string, chain = "PREROUTING"): ListedRule[] {
  const rules: ListedRule[] = [];
  for (const line of stdout.split("\n")) {
    const words = splitIptablesLine(line.trim());
    if (words[0] !== "-A" || words[1] !== chain) continue;
    const args = words.slice(2);
    const c = args.indexOf("--comment");
    const j = args.indexOf("-j");
    rules.push({
      position: rules.length + 1,
      args,
      comment: c >= 0 ? args[c + 1] : undefined,
      target: j >= 0 ? args[j + 1] : undefined,
    });
  }
  return rules;
}

export interface ObservedIpRule {
  readonly priority: number;
  readonly fwmark: number | undefined;
  /** Table as printed: a number, or a name from rt_tables. */
  readonly table: string | undefined;
  readonly line: string;
}

export function parseIpRules(stdout: string): ObservedIpRule[] {
  const out: ObservedIpRule[] = [];
  for (const raw of stdout.split("\n")) {
    const line = raw.trim();
    const m = /^(\d+):\s+(.*)$/.exec(line);
    if (!m) continue;
    const rest = m[2];
    const fw = /\bfwmark (0x[0-9a-f]+|\d+)(?:\/0x[0-9a-f]+)?/i.exec(rest);
    const table = /\b(?:lookup|table) (\S+)/.exec(rest);
    out.push({
      priority: Number(m[1]),
      fwmark: fw ? Number(fw[1]) : undefined,
      table: table ? table[1] : undefined,
      line: rest,
    });
  }
  return out;
}

export interface ObservedRoute {
  readonly destination: string;
  readonly via: string | undefined;
  readonly dev: string | undefined;
  readonly line: string;
}

export function parseRoutes(stdout: string): ObservedRoute[] {
  return stdout
    .split("\n")
    .map((l) => l.trim())
    .filter((l) => l.length > 0)
    .map((line) => {
      const words = line.split(/\s+/);
      const at = (k: string): string | undefined => {
        const i = words.indexOf(k);
        return i >= 0 ? words[i + 1] : undefined;
      };
      return { destination: words[0], via: at("via"), dev: at("dev"), line };
    });
}

export interface RtTablesEntry {
  readonly id: number;
  readonly name: string;
  readonly lineIndex: number;
}

/** Parses an rt_tables file (`<id> <name>` lines, `#` comments). */
export function parseRtTables(content: string): RtTablesEntry[] {
  const out: RtTablesEntry[] = [];
  content.split("\n").forEach((raw, lineIndex) => {
    const line = raw.replace(/#.*$/, "").trim();
    const m = /^(\d+|0x[0-9a-f]+)\s+(\S+)$/i.exec(line);
    if (m) out.push({ id: Number(m[1]), name: m[2], lineIndex });
  });
  return out;
}

/** The rt_tables content without our entry (other lines kept byte for byte). */
export function withoutRtTablesEntry(content: string, id: number, name: string): string {
  const drop = new Set(
    parseRtTables(content)
      .filter((e) => e.id === id && e.name === name)
      .map((e) => e.lineIndex),
  );
  return content
    .split("\n")
    .filter((_, i) => !drop.has(i))
    .join("\n");
}

/** Does a listed rule carry the same arguments as a desired one (as iptables prints them back)? */
export function sameRule(listed: readonly string[], desired: readonly string[]): boolean {
  return normalize(listed) === normalize(desired);
}

/**
 * iptables prints rules back normalized (`-m tcp` added, `--set-mark 1` as `--set-xmark 0x1/0xffffffff`,
 * `--mark 1` as `--mark 0x1`, /32 added to hosts, option order changed); comparing the sets of
 * option/value pairs in a canonical spelling is enough to tell our rules apart.
 */
function normalize(args: readonly string[]): string {
  const pairs: string[] = [];
  for (let i = 0; i < args.length; i++) {
    let a = args[i];
    let negated = false;
    if (a === "!") {
      negated = true;
      a = args[++i];
    }
    if (!a.startsWith("-")) continue;
    const values: string[] = [];
    while (i + 1 < args.length && !args[i + 1].startsWith("-") && args[i + 1] !== "!") {
      values.push(args[++i]);
    }
    if (a === "-m" && values[0] === "tcp") continue;
    let v = values.join(" ");
    if (a === "--set-xmark") {
      a = "--set-mark";
      v = v.replace(/\/0xffffffff$/, "");
    }
    if (a === "--set-mark" || a === "--mark") v = /^0x/i.test(v) ? String(Number(v)) : v;
    if ((a === "-s" || a === "-d") && !v.includes("/")) v = `${v}/32`;
    pairs.push(`${negated ? "!" : ""}${a}=${v}`);
  }
  return pairs.sort().join(" ");
}
