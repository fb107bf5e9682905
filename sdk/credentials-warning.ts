/**
 * `sps:credentials` set without `--secret` is stored in plaintext in the stack's config file (and in
 * every copy of it): the program warns once per run, naming the key and the fix. The engine tells the
 * program which config keys are secret in `PULUMI_CONFIG_SECRET_KEYS` (the Node.js language host sets
 * it; @pulumi/pulumi keeps it in its config store, read by runtime/config `isConfigSecret`).
 */
import * as pulumi from "@pulumi/pulumi";
import * as runtimeConfig from "@pulumi/pulumi/runtime/config";
import { CREDENTIALS_CONFIG_KEY } from "./credentials";

const SECRET_KEYS_ENV = "PULUMI_CONFIG_SECRET_KEYS";

/** The warning for plaintext credentials, or undefined when they are unset or secret. */
export function plaintextCredentialsWarning(
  value: string | undefined,
  isSecret: (key: string) => boolean,
): string | undefined {
  if (value === undefined || value.trim() === "" || isSecret(CREDENTIALS_CONFIG_KEY)) return undefined;
  return (
    `${CREDENTIALS_CONFIG_KEY} is not a secret config value: its logins and license texts are stored in ` +
    `plaintext in the stack's config file. Set it again with \`pulumi config set --secret ${CREDENTIALS_CONFIG_KEY} '<json>'\` ` +
    `(or \`pulumi config set --secret --path ...\`)`
  );
}

/** Whether the engine marked a config key secret for this run. */
export function configKeyIsSecret(key: string): boolean {
  const { isConfigSecret } = runtimeConfig as unknown as { isConfigSecret?: (k: string) => boolean };
  if (typeof isConfigSecret === "function" && isConfigSecret(key)) return true;
  try {
    const keys = JSON.parse(process.env[SECRET_KEYS_ENV] ?? "[]") as unknown;
    return Array.isArray(keys) && keys.includes(key);
  } catch {
    return false;
  }
}

let warned = false;

/**
 * Warns once per program run when `sps:credentials` is set in plaintext (called as resources are
 * declared); returns the warning given, if any.
 */
export function warnPlaintextCredentials(): string | undefined {
  if (warned) return undefined;
  warned = true;
  const text = plaintextCredentialsWarning(
    pulumi.runtime.getConfig(CREDENTIALS_CONFIG_KEY),
    configKeyIsSecret,
  );
  if (text) void pulumi.log.warn(text);
  return text;
}
