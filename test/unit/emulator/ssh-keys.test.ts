import { strict as assert } from "node:assert";
import { execFileSync } from "node:child_process";
import { createPublicKey, createPrivateKey, sign, verify } from "node:crypto";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { utils } from "ssh2";
import { generateEd25519KeyPair } from "../../../emulator/common/ssh-keys";

describe("ed25519 SSH keys (emulator/common/ssh-keys.ts)", function () {
  this.timeout(120_000);

  it("5,000 generated key pairs all parse in ssh2, private and public, and belong together", () => {
    // ssh2's own generator fails this about once in 256 keys (a public key with a leading zero byte).
    let leadingZero = 0;
    for (let i = 0; i < 5_000; i++) {
      const pair = generateEd25519KeyPair(`k${i}`);
      const priv = utils.parseKey(pair.private);
      const pub = utils.parseKey(pair.public);
      assert.ok(
        !(priv instanceof Error),
        `key ${i}: ${priv instanceof Error ? priv.message : ""}\n${pair.private}`,
      );
      assert.ok(!(pub instanceof Error), `key ${i}: ${pub instanceof Error ? pub.message : ""}`);
      assert.equal(priv.type, "ssh-ed25519");
      assert.deepEqual(priv.getPublicSSH(), pub.getPublicSSH(), `key ${i}: private and public differ`);
      const blob = pub.getPublicSSH();
      if (blob[blob.length - 32] === 0) leadingZero++;
      if (i % 500 === 0) {
        const data = Buffer.from(`message ${i}`);
        const signature = priv.sign(data);
        assert.ok(!(signature instanceof Error));
        assert.equal(pub.verify(data, signature), true, `key ${i}: signature does not verify`);
      }
    }
    // With 5,000 keys a public key starting with a zero byte (the case ssh2's generator breaks) is all but
    // certain: about 19.5 are expected. The assertion only says the case was exercised at least once.
    assert.ok(
      leadingZero > 0,
      "no public key with a leading zero byte was generated: the bug's case was not exercised",
    );
  });

  it("writes the formats OpenSSH reads: Node's crypto agrees with the key's own public half", () => {
    const pair = generateEd25519KeyPair("check");
    assert.match(pair.private, /^-----BEGIN OPENSSH PRIVATE KEY-----\n/);
    assert.match(pair.public, /^ssh-ed25519 [A-Za-z0-9+/]+=* check$/);
    const parsed = utils.parseKey(pair.private);
    assert.ok(!(parsed instanceof Error));
    const pem = parsed.getPrivatePEM();
    const key = createPrivateKey(pem);
    const signature = sign(null, Buffer.from("x"), key);
    assert.equal(verify(null, Buffer.from("x"), createPublicKey(parsed.getPublicPEM()), signature), true);
    // OpenSSH itself reads the private key and derives the same public key line.
    const dir = mkdtempSync(join(tmpdir(), "sps-keys-"));
    try {
      const file = join(dir, "id_ed25519");
      writeFileSync(file, pair.private, { mode: 0o600 });
      const derived = execFileSync("ssh-keygen", ["-y", "-f", file], { encoding: "utf8" }).trim();
      assert.equal(derived.split(" ").slice(0, 2).join(" "), pair.public.split(" ").slice(0, 2).join(" "));
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
