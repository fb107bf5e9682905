/**
 * SSH host-key verification: the configured key is a SHA-256 fingerprint (`SHA256:…`, as
 * `ssh-keygen -lf` prints) or one known_hosts line; the server's key must match it exactly.
 */
import { createHash } from "node:crypto";

/** OpenSSH-style SHA-256 fingerprint of a raw public key blob. */
export function fingerprintOfKeyBlob(blob: Buffer): string {
  return `SHA256:${createHash("sha256").update(blob).digest("base64").replace(/=+$/, "")}`;
}

/** The key blob of a known_hosts line (`[marker] hosts key-type base64 [comment]`). */
export function keyBlobOfKnownHostsLine(line: string): Buffer {
  const fields = line.trim().split(/\s+/);
  const typeIndex = fields.findIndex((f) => /^(ssh-|ecdsa-sha2-|sk-)/.test(f));
  const b64 = typeIndex >= 0 ? fields[typeIndex + 1] : undefined;
  if (b64 === undefined || !/^[A-Za-z0-9+/]+=*$/.test(b64))
    throw new Error("known_hosts line must read `<host> <key-type> <base64-key>`");
  return Buffer.from(b64, "base64");
}

/** The fingerprint the configured host key stands for. */
export function expectedFingerprint(hostKey: { sha256: string } | { knownHostsLine: string }): string {
  if ("sha256" in hostKey) return hostKey.sha256.replace(/=+$/, "");
  return fingerprintOfKeyBlob(keyBlobOfKnownHostsLine(hostKey.knownHostsLine));
}
