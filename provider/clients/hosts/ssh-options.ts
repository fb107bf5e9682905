/**
 * The SSH connection options of one indexer host, validated with zod at the boundary. Every message
 * names the field and the fix; no message repeats a password, passphrase or key.
 */
import { SpsError } from "../../../core/errors";
import { z } from "zod";

const FINGERPRINT = /^SHA256:[A-Za-z0-9+/]{43}=?$/;

const privateKeyAuth = z.strictObject({
  method: z.literal("privateKey"),
  privateKeyPath: z
    .string({ error: "must be a path to an OpenSSH private key file" })
    .min(1, { error: "must not be empty: give the path of the private key file" })
    .optional(),
  privateKey: z
    .string({ error: "must be the private key text (PEM/OpenSSH format)" })
    .min(1, { error: "must not be empty: give the key text, or use privateKeyPath" })
    .optional(),
  passphrase: z.string({ error: "must be a string (the private key's passphrase)" }).optional(),
});

const agentAuth = z.strictObject({
  method: z.literal("agent"),
  agentSocket: z
    .string({ error: "must be the path of an ssh-agent socket" })
    .min(1, { error: "must not be empty: give the agent socket path, or omit it to use SSH_AUTH_SOCK" })
    .optional(),
});

const passwordAuth = z.strictObject({
  method: z.literal("password"),
  password: z
    .string({ error: "must be a string: the login password" })
    .min(1, { error: "must not be empty: give the login password, or use key authentication" }),
});

const auth = z.discriminatedUnion("method", [privateKeyAuth, agentAuth, passwordAuth], {
  error: 'must be an object with method "privateKey", "agent" or "password"',
});

const hostKey = z.union(
  [
    z.strictObject({
      knownHostsLine: z
        .string({ error: "must be a known_hosts line" })
        .min(1, { error: "must not be empty: paste the host's line from ssh-keyscan or known_hosts" }),
    }),
    z.strictObject({
      sha256Fingerprint: z.string({ error: "must be a string" }).regex(FINGERPRINT, {
        error:
          'must look like "SHA256:" followed by 43 base64 characters, as printed by `ssh-keygen -lf <host key>.pub`',
      }),
    }),
  ],
  {
    error:
      "is required: host key verification cannot be skipped. Give { knownHostsLine } (from ssh-keyscan) " +
      "or { sha256Fingerprint } (from ssh-keygen -lf on the host key)",
  },
);

const milliseconds = (fallback: number) =>
  z
    .number({ error: "must be a number of milliseconds" })
    .int({ error: "must be a whole number of milliseconds" })
    .positive({ error: "must be positive (milliseconds)" })
    .default(fallback);

const endpoint = z.strictObject({
  host: z
    .string({ error: "is required: the host's DNS name or IP address" })
    .min(1, { error: "must not be empty: give the host's DNS name or IP address" }),
  port: z
    .number({ error: "must be a number (the SSH port, usually 22)" })
    .int({ error: "must be a whole number between 1 and 65535" })
    .min(1, { error: "must be between 1 and 65535" })
    .max(65535, { error: "must be between 1 and 65535" })
    .default(22),
  username: z
    .string({ error: "is required: the login user (root, or a user with NOPASSWD sudo)" })
    .min(1, { error: "must not be empty: give the login user" }),
  auth,
  hostKey,
  connectTimeoutMs: milliseconds(20_000),
});

export const sshHostOptionsSchema = endpoint.extend({
  /** A bastion to reach the host through (its own key and host key). */
  jumpHost: endpoint.optional(),
  /** Default deadline of each remote command, unless the caller gives one. */
  commandTimeoutMs: milliseconds(120_000),
});

export type SshEndpointOptions = z.output<typeof endpoint>;
export type SshHostOptions = z.output<typeof sshHostOptionsSchema>;
export type SshHostOptionsInput = z.input<typeof sshHostOptionsSchema>;

export interface OptionIssue {
  property: string;
  reason: string;
}

export class SshOptionsError extends SpsError {
  static override readonly code: string = "SSH_OPTIONS_INVALID";
  readonly issues: readonly OptionIssue[];

  constructor(issues: readonly OptionIssue[]) {
    super(`invalid SSH host options: ${issues.map((i) => `${i.property} ${i.reason}`).join("; ")}`);
    this.issues = issues;
  }
}

/** Validates SSH options and returns every problem as { property, reason } (Pulumi `check` shape). */
export function validateSshHostOptions(
  input: unknown,
): { ok: true; options: SshHostOptions } | { ok: false; issues: OptionIssue[] } {
  const parsed = sshHostOptionsSchema.safeParse(input);
  if (parsed.success) {
    const keyIssues = privateKeyIssues(parsed.data);
    return keyIssues.length === 0 ? { ok: true, options: parsed.data } : { ok: false, issues: keyIssues };
  }
  return {
    ok: false,
    issues: parsed.error.issues.map((issue) => ({
      property: issue.path.length > 0 ? issue.path.map(String).join(".") : "(options)",
      reason: issue.code === "unrecognized_keys" ? unknownKeysReason(issue.keys) : issue.message,
    })),
  };
}

/** Like `validateSshHostOptions`, but throws `SshOptionsError`. */
export function parseSshHostOptions(input: unknown): SshHostOptions {
  const result = validateSshHostOptions(input);
  if (!result.ok) throw new SshOptionsError(result.issues);
  return result.options;
}

function unknownKeysReason(keys: readonly string[]): string {
  return `has unknown field(s) ${keys.map((k) => `"${k}"`).join(", ")}: remove them or fix their spelling`;
}

function privateKeyIssues(options: SshHostOptions): OptionIssue[] {
  const issues: OptionIssue[] = [];
  const check = (prefix: string, e: SshEndpointOptions): void => {
    if (e.auth.method !== "privateKey") return;
    const given = Number(e.auth.privateKeyPath !== undefined) + Number(e.auth.privateKey !== undefined);
    if (given !== 1) {
      issues.push({
        property: `${prefix}auth`,
        reason: "needs exactly one of privateKeyPath (a key file) or privateKey (the key text)",
      });
    }
  };
  check("", options);
  if (options.jumpHost) check("jumpHost.", options.jumpHost);
  return issues;
}
