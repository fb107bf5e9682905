/**
 * Host key verification, for every SSH connection of the project (indexer hosts and the SPS core
 * shell): the declared key (a known_hosts line or a SHA-256 fingerprint) against the key the server
 * presents. Pure.
 */
import { createHash } from "node:crypto";

/**
 * A declared host key: a known_hosts line, or the `SHA256:…` fingerprint `ssh-keygen -lf` prints
 * (named `sha256Fingerprint` in the indexer host options, `sha256` in the system-control config).
 */
export type HostKeyPin = { knownHostsLine: string } | { sha256Fingerprint: string } | { sha256: string };

const KEY_TYPE =
  /^(ssh-(ed25519|rsa|dss)|ecdsa-sha2-nistp(256|384|521)|sk-(ssh-ed25519|ecdsa-sha2-nistp256)@openssh\.com)$/;

export interface KnownHostKey {
  keyType: string;
  keyBlob: Buffer;
}

/** OpenSSH's `SHA256:<base64 without padding>` fingerprint of a public key blob. */
export function sha256Fingerprint(keyBlob: Buffer): string {
  return `SHA256:${createHash("sha256").update(keyBlob).digest("base64").replace(/=+$/, "")}`;
}

/**
 * Parses a known_hosts line (`[marker] hosts keytype base64 [comment]`), an `ssh-keyscan` line or a
 * bare public key line (`keytype base64 [comment]`). The host field is not consulted: the key is.
 */
export function parseKnownHostsLine(line: string): KnownHostKey {
  const tokens = line.trim().split(/\s+/);
  if (tokens[0] === "@revoked") throw new Error("hostKey.knownHostsLine: a @revoked line cannot be trusted");
  const at = tokens.findIndex((t) => KEY_TYPE.test(t));
  const keyType = at >= 0 ? tokens[at] : undefined;
  const encoded = at >= 0 ? tokens[at + 1] : undefined;
  if (keyType === undefined || encoded === undefined || !/^[A-Za-z0-9+/]+=*$/.test(encoded)) {
    throw new Error(
      "hostKey.knownHostsLine: no key found; expected `<host> <key type> <base64 key>` as printed by ssh-keyscan",
    );
  }
  const keyBlob = Buffer.from(encoded, "base64");
  // The blob starts with its own key type as an SSH string: a cheap check that the line is intact.
  const innerLength = keyBlob.length >= 4 ? keyBlob.readUInt32BE(0) : -1;
  if (innerLength < 0 || keyBlob.subarray(4, 4 + innerLength).toString("latin1") !== keyType) {
    throw new Error(`hostKey.knownHostsLine: the base64 key does not encode a ${keyType} key`);
  }
  return { keyType, keyBlob };
}

/** The fingerprint the host must present, from the declared host key option. */
export function expectedFingerprint(hostKey: HostKeyPin): string {
  if ("knownHostsLine" in hostKey)
    return sha256Fingerprint(parseKnownHostsLine(hostKey.knownHostsLine).keyBlob);
  const fingerprint = "sha256" in hostKey ? hostKey.sha256 : hostKey.sha256Fingerprint;
  return fingerprint.replace(/=+$/, "");
}

/**
 * Host key algorithms to offer so that the server presents the declared key type (a server with
 * several host keys would otherwise present whichever it prefers). Undefined: no restriction.
 */
export function hostKeyAlgorithmsFor(hostKey: HostKeyPin): string[] | undefined {
  if (!("knownHostsLine" in hostKey)) return undefined;
  const { keyType } = parseKnownHostsLine(hostKey.knownHostsLine);
  return keyType === "ssh-rsa" ? ["rsa-sha2-512", "rsa-sha2-256", "ssh-rsa"] : [keyType];
}
