/**
 * The system-control configuration: per node how to reach its core shell (ssh) and its BMC (ipmi),
 * and per operation which channel carries it, with its own deadline. Validated with zod; every
 * issue names the field and the fix (`SystemControlConfigError.issues`, `{property, reason}` as a
 * Pulumi `check` failure).
 */
import { z } from "zod";
import { SystemControlConfigError } from "./errors";
import {
  CHANNEL_KINDS,
  channelCan,
  SYSTEM_CONTROL_OPERATIONS,
  whyChannelCannot,
  type ChannelKind,
  type SystemControlOperation,
} from "./operations";

/** Which channels can carry which operation: every channel `whyChannelCannot` has no reason against. */
export const ALLOWED_CHANNELS: Record<SystemControlOperation, readonly ChannelKind[]> = Object.fromEntries(
  SYSTEM_CONTROL_OPERATIONS.map((op) => [op, CHANNEL_KINDS.filter((channel) => channelCan(op, channel))]),
) as Record<string, ChannelKind[]>;

/** Default deadline of each operation (ms). Waiting for a reboot to finish is the executor's job. */
export const DEFAULT_DEADLINES_MS: Record<SystemControlOperation, number> = {
  rebootNode: 60_000,
  rebootCluster: 60_000,
  shutdownSecondary: 300_000,
  powerOnSecondary: 120_000,
  activateSecondary: 300_000,
  readHaState: 30_000,
  readPowerState: 30_000,
  uploadLicense: 120_000,
};

/** Variables a `command` channel argv may use as `{{name}}`. */
export const TEMPLATE_VARIABLES = [
  "node",
  "address",
  "operation",
  "primary",
  "secondary",
  "licenseFile",
  "licenseName",
  "bmcHost",
  "bmcPort",
] as const;
export type TemplateVariable = (typeof TEMPLATE_VARIABLES)[number];

const NODE_NAME = /^[A-Za-z0-9][A-Za-z0-9._-]{0,62}$/;
const HOST = /^[A-Za-z0-9._:%-]{1,253}$/;
const SHA256_FINGERPRINT = /^SHA256:[A-Za-z0-9+/]{43}=?$/;
const TEMPLATE_REF = /\{\{\s*([^}]*?)\s*\}\}/g;

const host = z.string().regex(HOST, "must be a host name or IP address (loopback: 127.0.0.1 or ::1)");
const port = z.number().int().min(1).max(65535);
const deadlineMs = z.number().int().min(1).max(86_400_000).optional();

const hostKeySchema = z.union([
  z.object({
    sha256: z
      .string()
      .regex(SHA256_FINGERPRINT, "must look like SHA256:<43 base64 characters> (as `ssh-keygen -lf` prints)"),
  }),
  z.object({
    knownHostsLine: z.string().min(10, "must be one known_hosts line: `<host> <key-type> <base64-key>`"),
  }),
]);

const sshSchema = z.strictObject({
  port: port.default(22),
  username: z.string().min(1).default("root"),
  password: z.string().min(1).optional(),
  privateKey: z.string().min(1).optional(),
  passphrase: z.string().optional(),
  hostKey: hostKeySchema,
});

const ipmiSchema = z.strictObject({
  host,
  port: port.default(623),
  username: z.string().min(1),
  password: z.string().min(1).optional(),
  passwordFile: z.string().min(1).optional(),
  interface: z.enum(["lanplus", "lan"]).default("lanplus"),
  /** lanplus cipher suite. Given explicitly so ipmitool skips cipher-suite discovery. */
  cipherSuite: z.number().int().min(0).max(17).default(3),
  /** `soft` = ACPI graceful shutdown (`chassis power soft`), `off` = hard power off. */
  shutdownMethod: z.enum(["soft", "off"]).default("soft"),
  ipmitool: z.string().min(1).default("ipmitool"),
  pollIntervalMs: z.number().int().min(50).max(60_000).default(1000),
});

/** The node's web interface as declared (scheme, host and port), for the manual channel's instructions. */
const webAddress = z
  .string()
  .regex(/^https:\/\/[^/?#\s]+\/$/, "must be the https:// origin of the web interface, ending in /");

const nodeSchema = z.strictObject({
  address: host,
  webAddress: webAddress.optional(),
  ssh: sshSchema.optional(),
  ipmi: ipmiSchema.optional(),
});

const routeSchema = z.discriminatedUnion("channel", [
  z.strictObject({ channel: z.literal("ssh"), deadlineMs }),
  z.strictObject({ channel: z.literal("ipmi"), deadlineMs }),
  z.strictObject({
    channel: z.literal("command"),
    argv: z
      .array(z.string())
      .min(1, "must name the program and its arguments, e.g. ['/usr/local/bin/power', '{{node}}']"),
    env: z.record(z.string(), z.string()).optional(),
    deadlineMs,
  }),
  z.strictObject({ channel: z.literal("manual"), note: z.string().optional(), deadlineMs }),
]);

const operationsShape = Object.fromEntries(
  SYSTEM_CONTROL_OPERATIONS.map((op) => [op, routeSchema.optional()]),
) as {
  [K in SystemControlOperation]: z.ZodOptional<typeof routeSchema>;
};

export const systemControlConfigSchema = z
  .strictObject({
    nodes: z.record(z.string(), nodeSchema),
    operations: z.strictObject(operationsShape).default({}),
  })
  .superRefine((cfg, ctx) => {
    const issue = (path: (string | number)[], message: string): void =>
      ctx.addIssue({ code: "custom", path, message });
    for (const [name, node] of Object.entries(cfg.nodes)) {
      if (!NODE_NAME.test(name)) issue(["nodes", name], "node name: use letters, digits, '.', '_' or '-'");
      if (node.ssh && !node.ssh.password && !node.ssh.privateKey)
        issue(
          ["nodes", name, "ssh"],
          "needs a credential: set `password` or `privateKey` (PEM/OpenSSH text)",
        );
      if (node.ipmi && (node.ipmi.password === undefined) === (node.ipmi.passwordFile === undefined))
        issue(
          ["nodes", name, "ipmi"],
          "set exactly one of `password` or `passwordFile` (the password never goes on the ipmitool command line)",
        );
    }
    const needs: Record<"ssh" | "ipmi", SystemControlOperation[]> = { ssh: [], ipmi: [] };
    for (const op of SYSTEM_CONTROL_OPERATIONS) {
      const route = cfg.operations[op];
      if (!route) continue;
      if (!ALLOWED_CHANNELS[op].includes(route.channel)) {
        const why = whyChannelCannot(op, route.channel);
        issue(["operations", op, "channel"], `${why}; use one of: ${ALLOWED_CHANNELS[op].join(", ")}`);
        continue;
      }
      if (route.channel === "ssh" || route.channel === "ipmi") needs[route.channel].push(op);
      if (route.channel === "command") {
        route.argv.forEach((arg, i) => {
          for (const m of arg.matchAll(TEMPLATE_REF)) {
            const v = m[1] ?? "";
            if (!(TEMPLATE_VARIABLES as readonly string[]).includes(v))
              issue(
                ["operations", op, "argv", i],
                `unknown template variable {{${v}}}; known: ${TEMPLATE_VARIABLES.map((t) => `{{${t}}}`).join(", ")}`,
              );
          }
        });
        if (route.argv[0] !== undefined && route.argv[0].trim() === "")
          issue(["operations", op, "argv", 0], "the program must not be empty");
      }
    }
    // ssh-routed operations may target any node; ipmi only acts on HA nodes (secondaries), so a
    // standalone node without a BMC is fine — but at least one node must have one.
    if (needs.ssh.length > 0)
      for (const [name, node] of Object.entries(cfg.nodes)) {
        if (!node.ssh)
          issue(
            ["nodes", name, "ssh"],
            `missing: ${needs.ssh.map((op) => `operations.${op}`).join(", ")} ${needs.ssh.length === 1 ? "uses" : "use"} the ssh channel, so every node needs \`ssh\` settings (port, username, password or privateKey, hostKey)`,
          );
      }
    if (needs.ipmi.length > 0 && !Object.values(cfg.nodes).some((n) => n.ipmi))
      issue(
        ["nodes"],
        `${needs.ipmi.map((op) => `operations.${op}`).join(", ")} ${needs.ipmi.length === 1 ? "uses" : "use"} the ipmi channel, but no node has \`ipmi\` settings: add nodes.<secondary>.ipmi (host, port, username, password or passwordFile)`,
      );
  });

export type SystemControlConfig = z.output<typeof systemControlConfigSchema>;
export type SystemControlConfigInput = z.input<typeof systemControlConfigSchema>;
export type NodeConfig = SystemControlConfig["nodes"][string];
export type IpmiTargetConfig = NonNullable<NodeConfig["ipmi"]>;
export type OperationRoute = z.output<typeof routeSchema>;

/** Validates a configuration; throws `SystemControlConfigError` whose issues name field and fix. */
export function parseSystemControlConfig(input: unknown): SystemControlConfig {
  const parsed = systemControlConfigSchema.safeParse(input);
  if (parsed.success) return parsed.data;
  throw new SystemControlConfigError(
    parsed.error.issues.map((issue) => ({
      property: issue.path.map(String).join(".") || "(root)",
      reason: issue.message,
    })),
  );
}

/** The route of an operation: as configured, or the manual channel when none is (safe default). */
export function routeOf(config: SystemControlConfig, op: SystemControlOperation): OperationRoute {
  return config.operations[op] ?? { channel: "manual" };
}

export function deadlineOf(config: SystemControlConfig, op: SystemControlOperation): number {
  return routeOf(config, op).deadlineMs ?? DEFAULT_DEADLINES_MS[op];
}

/** Every secret in the configuration, for redaction of messages. */
export function secretsOf(config: SystemControlConfig): string[] {
  const out: string[] = [];
  for (const node of Object.values(config.nodes)) {
    for (const s of [node.ssh?.password, node.ssh?.privateKey, node.ssh?.passphrase, node.ipmi?.password])
      if (s) out.push(s);
  }
  return out;
}
