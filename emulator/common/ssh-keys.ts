/**
 * Ed25519 SSH key pairs that always parse.
 *
 * ssh2's own Ed25519 key generator (`utils.generateKeyPairSync`) writes the public key with its leading zero bytes
 * stripped, so about one key in 256 is rejected by ssh2's own `parseKey` ("Malformed OpenSSH private
 * key"; upstream mscdex/ssh2 #1390, #1513). Here the key comes from Node's crypto and is written in the
 * OpenSSH formats ourselves, with the 32-byte public key and the 64-byte private key at their full length:
 *
 *   private: "openssh-key-v1\0", cipher "none", kdf "none", kdf options "", 1 key, the public key blob,
 *            then the private section (check int twice, key type, public key, seed || public key, comment,
 *            padding 1, 2, 3, … to a multiple of 8), PEM-armoured as "OPENSSH PRIVATE KEY";
 *   public:  "ssh-ed25519 <base64 of string "ssh-ed25519" + string public key> <comment>".
 *
 * Formats as OpenSSH's PROTOCOL.key and RFC 8709 define them.
 */
import { generateKeyPairSync, randomBytes } from "node:crypto";

export interface SshKeyPair {
  /** The private key in OpenSSH format (PEM armour "OPENSSH PRIVATE KEY"), unencrypted. */
  private: string;
  /** The public key as one authorized_keys line. */
  public: string;
}

const KEY_TYPE = "ssh-ed25519";
/** Node's crypto key type (its keys are exported whole, see freshEd25519). */
const ED25519 = "ed25519" as const;

function sshString(data: Buffer | string): Buffer {
  const body = typeof data === "string" ? Buffer.from(data, "utf8") : data;
  const len = Buffer.alloc(4);
  len.writeUInt32BE(body.length);
  return Buffer.concat([len, body]);
}

function uint32(n: number): Buffer {
  const b = Buffer.alloc(4);
  b.writeUInt32BE(n >>> 0);
  return b;
}

/** The raw 32-byte seed and public key of a fresh Ed25519 key from Node's crypto (JWK export). */
function freshEd25519(): { seed: Buffer; publicKey: Buffer } {
  const { privateKey } = generateKeyPairSync(ED25519);
  const jwk = privateKey.export({ format: "jwk" });
  if (typeof jwk.d !== "string" || typeof jwk.x !== "string")
    throw new Error("ed25519 key export gave no JWK d/x");
  const seed = Buffer.from(jwk.d, "base64url");
  const publicKey = Buffer.from(jwk.x, "base64url");
  if (seed.length !== 32 || publicKey.length !== 32)
    throw new Error("ed25519 key export gave a key of the wrong size");
  return { seed, publicKey };
}

/** A new Ed25519 key pair in OpenSSH formats; `comment` goes into both. */
export function generateEd25519KeyPair(comment = "sps-emulator"): SshKeyPair {
  const { seed, publicKey } = freshEd25519();
  const publicBlob = Buffer.concat([sshString(KEY_TYPE), sshString(publicKey)]);
  const check = randomBytes(4).readUInt32BE(0);
  const section = Buffer.concat([
    uint32(check),
    uint32(check),
    sshString(KEY_TYPE),
    sshString(publicKey),
    sshString(Buffer.concat([seed, publicKey])),
    sshString(comment),
  ]);
  const padLength = (8 - (section.length % 8)) % 8;
  const padding = Buffer.from(Array.from({ length: padLength }, (_, i) => i + 1));
  const body = Buffer.concat([
    Buffer.from("openssh-key-v1\0", "latin1"),
    sshString("none"),
    sshString("none"),
    sshString(""),
    uint32(1),
    sshString(publicBlob),
    sshString(Buffer.concat([section, padding])),
  ]);
  const lines = body.toString("base64").match(/.{1,70}/g) ?? [];
  return {
    private: ["-----BEGIN OPENSSH PRIVATE KEY-----", ...lines, "-----END OPENSSH PRIVATE KEY-----", ""].join(
      "\n",
    ),
    public: `${KEY_TYPE} ${publicBlob.toString("base64")} ${comment}`,
  };
}
