/**
 * The declared traffic redirection of one Linux router (seed sps-spp-join.txt, "Configuring advanced
 * routing on Linux"): which client connections are marked and sent to SPS, the routing table that
 * carries them, and whether SPS spoofs client addresses on the server side. Validated with zod at
 * the boundary; every problem names the field and the fix.
 */
import { SpsError } from "./errors";
import { z } from "zod";
import { formatPath, type FieldProblem } from "./field-problems";
import { fieldProblems } from "./validation";
import { inSubnet, isIpv4 } from "./next-hop";
import type { Equal, Same } from "./same-type";
import type { TrafficRedirectionSpec, TrafficRedirectionSpecInput } from "./redirection-spec-types";

/** Linux interface names: 1–15 characters, no slash, colon, whitespace or quote. */
const IFACE = /^[A-Za-z0-9_.@-]{1,15}$/;
const TAG = /^[A-Za-z0-9_.-]{1,48}$/;
const TABLE_NAME = /^[A-Za-z][A-Za-z0-9_-]{0,30}$/;
const RESERVED_TABLES = new Map<number, string>([
  [0, "unspec"],
  [253, "default"],
  [254, "main"],
  [255, "local"],
]);

const iface = (what: string) =>
  z.string({ error: `is required: the name of the router's interface ${what} (e.g. "eth0")` }).regex(IFACE, {
    error: `must be a Linux interface name (1-15 letters, digits, "_", ".", "-", "@"), e.g. "eth0"; check \`ip link\` on the router`,
  });

const ipv4 = (what: string) =>
  z
    .string({ error: `is required: ${what} as an IPv4 address` })
    .refine(isIpv4, { error: `must be an IPv4 address (${what}), e.g. "192.0.2.10"` });

const cidr = (what: string) =>
  z.string({ error: `must be ${what} as an IPv4 address or CIDR, e.g. "192.0.2.0/24"` }).refine(isCidr, {
    error: `must be ${what} as an IPv4 address or CIDR (a.b.c.d or a.b.c.d/n, n 0-32), e.g. "192.0.2.0/24"`,
  });

const command = (name: string) =>
  z
    .string()
    .regex(/^[A-Za-z0-9_./-]+$/, { error: "must be a command name or path" })
    .default(name);

const port = z.union(
  [
    z
      .number()
      .int({ error: "must be a whole port number" })
      .min(1, { error: "must be a port between 1 and 65535" })
      .max(65535, { error: "must be a port between 1 and 65535" }),
    z.string().regex(/^\d{1,5}[-:]\d{1,5}$/, {
      error: 'must be a port number or a range "from-to", e.g. "5900-5910"',
    }),
  ],
  { error: 'must be a port number (e.g. 3389) or a range "from-to" (e.g. "5900-5910")' },
);

const clientSelector = z.strictObject({
  /** Router interface facing the clients (`-i`). */
  interface: iface("facing the clients"),
  /** Only connections from these clients (`-s`); all clients when absent. */
  sourceCidr: cidr("the clients' network").optional(),
  /** The servers' network (`-d`); any destination when absent. */
  destinationCidr: cidr("the servers' network").optional(),
  /** Destination ports of the protocol to audit (`--dport`), one rule per entry. */
  ports: z.array(port, { error: "must be a list of ports, e.g. [22, 3389]" }).min(1, {
    error: "must list at least one port: only connections to these ports are sent to SPS",
  }),
});

const serverSelector = z.strictObject({
  /** Router interface facing the servers (`-i`). */
  interface: iface("facing the servers"),
  /** The servers' network (`-s`). */
  sourceCidr: cidr("the servers' network"),
  /** The servers' ports (`--sport`). */
  ports: z.array(port, { error: "must be a list of ports, e.g. [3389]" }).min(1, {
    error: "must list at least one port: the servers' answers from these ports are sent to SPS",
  }),
});

export const trafficRedirectionSpecSchema = z.strictObject({
  /** Tag in every iptables rule's comment (`pulumi-sps:<name>`): how rules are found again and removed. */
  name: z
    .string()
    .regex(TAG, { error: 'must be 1-48 letters, digits, "_", "." or "-" (it tags the iptables rules)' })
    .default("sps-redirect"),
  sps: z.strictObject(
    {
      /** SPS's address on the segment facing the router: the default route of the SPS table. */
      address: ipv4("SPS's address on the router's SPS-facing segment"),
      /** The router's interface facing SPS (excluded from the MARK rule; rp_filter target). */
      interface: iface("facing SPS"),
    },
    { error: 'is required: { address: "<SPS IPv4>", interface: "<router interface facing SPS>" }' },
  ),
  clientSide: z
    .array(clientSelector, { error: "must be a list of client-side selectors" })
    .min(1, { error: "must list at least one selector: which client connections go to SPS" }),
  /**
   * SPS uses the client's address towards the servers (SNAT > "Use original IP address of the
   * client"): the servers' answers are marked too, and rp_filter is turned off on the SPS interface
   * and on "all" so the router forwards packets SPS sends with the clients' addresses.
   */
  ipSpoofing: z
    .strictObject({
      serverSide: z
        .array(serverSelector)
        .min(1, { error: "must list at least one selector: the servers whose answers go to SPS" }),
    })
    .optional(),
  /** Connection mark and packet mark value. */
  mark: z
    .number({ error: "must be a number (the firewall mark, default 1)" })
    .int({ error: "must be a whole number" })
    .min(1, { error: "must be between 1 and 4294967295 (0 means unmarked)" })
    .max(0xffffffff, { error: "must be between 1 and 4294967295" })
    .default(1),
  table: z
    .strictObject({
      id: z
        .number({ error: "must be a number between 1 and 252" })
        .int({ error: "must be a whole number between 1 and 252" })
        .min(1, { error: "must be between 1 and 252 (0 and 253-255 are reserved)" })
        .max(252, { error: "must be between 1 and 252 (253 default, 254 main and 255 local are reserved)" })
        .default(103),
      name: z
        .string()
        .regex(TABLE_NAME, {
          error: 'must start with a letter and use letters, digits, "_" or "-" (e.g. "scb")',
        })
        .refine((n) => ![...RESERVED_TABLES.values()].includes(n), {
          error: 'must not be a reserved table name ("main", "local", "default", "unspec")',
        })
        .default("scb"),
    })
    .prefault({}),
  rulePriority: z
    .number({ error: "must be a number (ip rule priority)" })
    .int({ error: "must be a whole number" })
    .min(1, { error: "must be between 1 and 32765 (0 and 32766-32767 are the local/main/default rules)" })
    .max(32765, { error: "must be between 1 and 32765" })
    .optional(),
  /** Where the routing table's name is registered. */
  rtTablesPath: z
    .string()
    .regex(/^\/[^\0\n]*[^/]$/, { error: "must be an absolute file path, e.g. /etc/iproute2/rt_tables" })
    .default("/etc/iproute2/rt_tables"),
  /** Commands on the router (absolute paths allowed). */
  iptablesCommand: command("iptables"),
  ipCommand: command("ip"),
});

export type { TrafficRedirectionSpec, TrafficRedirectionSpecInput } from "./redirection-spec-types";
export type RedirectionSchemaIsSpec = Same<
  Equal<z.output<typeof trafficRedirectionSpecSchema>, TrafficRedirectionSpec>
>;
export type RedirectionSchemaTakesSpecInput = Same<
  Equal<z.input<typeof trafficRedirectionSpecSchema>, TrafficRedirectionSpecInput>
>;

export class TrafficRedirectionSpecError extends SpsError {
  static override readonly code: string = "REDIRECTION_SPEC_INVALID";
  readonly problems: readonly FieldProblem[];

  constructor(problems: readonly FieldProblem[]) {
    super(`invalid traffic redirection: ${problems.map((p) => `${p.property}: ${p.reason}`).join("; ")}`);
    this.problems = problems;
  }
}

/** Validates a declared redirection: every problem as { property, reason } (Pulumi `check` shape). */
export function validateTrafficRedirection(
  input: unknown,
): { ok: true; spec: TrafficRedirectionSpec } | { ok: false; problems: FieldProblem[] } {
  const parsed = trafficRedirectionSpecSchema.safeParse(input);
  if (!parsed.success) return { ok: false, problems: fieldProblems(parsed.error) };
  const problems = crossFieldProblems(parsed.data);
  return problems.length === 0 ? { ok: true, spec: parsed.data } : { ok: false, problems };
}

/** Like `validateTrafficRedirection`, but throws `TrafficRedirectionSpecError`. */
export function parseTrafficRedirection(input: unknown): TrafficRedirectionSpec {
  const r = validateTrafficRedirection(input);
  if (!r.ok) throw new TrafficRedirectionSpecError(r.problems);
  return r.spec;
}

function crossFieldProblems(spec: TrafficRedirectionSpec): FieldProblem[] {
  const problems: FieldProblem[] = [];
  const problem = (path: (string | number)[], reason: string): void =>
    void problems.push({ property: formatPath(path), reason });
  const checkPorts = (path: (string | number)[], ports: readonly (number | string)[]): void => {
    ports.forEach((p, i) => {
      if (typeof p !== "string") return;
      const [from, to] = p.split(/[-:]/).map(Number) as [number, number];
      if (from < 1 || to > 65535 || from >= to)
        problem(
          [...path, "ports", i],
          `"${p}" is not a valid range: use "from-to" with 1 <= from < to <= 65535`,
        );
    });
  };
  spec.clientSide.forEach((sel, i) => {
    const path = ["clientSide", i];
    if (sel.interface === spec.sps.interface)
      problem(
        [...path, "interface"],
        `is the SPS-facing interface (sps.interface "${spec.sps.interface}"): connections are marked where they enter from the clients; give the interface facing the clients`,
      );
    const to = sel.destinationCidr;
    if (to && inCidr(spec.sps.address, to) && to !== "0.0.0.0/0")
      problem(
        [...path, "destinationCidr"],
        `contains SPS's own address ${spec.sps.address}: connections to SPS itself would be redirected to SPS; narrow it to the servers' network`,
      );
    checkPorts(path, sel.ports);
  });
  spec.ipSpoofing?.serverSide.forEach((sel, i) => {
    const path = ["ipSpoofing", "serverSide", i];
    if (sel.interface === spec.sps.interface)
      problem(
        [...path, "interface"],
        `is the SPS-facing interface: give the router interface facing the servers`,
      );
    checkPorts(path, sel.ports);
  });
  return problems;
}

export function isCidr(text: string): boolean {
  const [addr, prefix, ...rest] = text.split("/");
  if (rest.length > 0 || addr === undefined || !isIpv4(addr)) return false;
  if (prefix === undefined) return true;
  return /^\d{1,2}$/.test(prefix) && Number(prefix) <= 32;
}

function inCidr(ip: string, c: string): boolean {
  return inSubnet(ip, c.includes("/") ? c : `${c}/32`);
}
