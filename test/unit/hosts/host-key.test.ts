import { strict as assert } from "node:assert";
import {
  expectedFingerprint,
  hostKeyAlgorithmsFor,
  parseKnownHostsLine,
  sha256Fingerprint,
} from "../../../provider/clients/hosts/host-key";

// Keys and fingerprints as ssh-keygen printed them (ssh-keygen -lf).
const ED25519 = "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIG979fGi8XSyIGnDQYAO6nhDE15BWUzdYEOZ7jKdqoGN";
const ED25519_FP = "SHA256:dampUcK66lT88RR46Ti7jJj1g0j1N7vnu37DI33EfuQ";
const RSA =
  "ssh-rsa AAAAB3NzaC1yc2EAAAADAQABAAABAQCwal+AtFJeppdr873o+wqxxYVbcOWfRlJ9W6ajlAo0ch18b982NsSQrzraHMJsOkr/I5zONXbmE8UPd/fucX7+axzt8RgSN3vRXV4J1VodT1TxKQnCJ/q2hjCz7GQfSW3ScWWguNzaFeq0WqTVXMFMLaKK1HgYMuu4Svy+RRTKjZcnu/iIOW8VsnpjvXC+eEBudQjsNgGtNXF4oFaKqWKxqWFWdKOYSVZRzwp/PZeqcSTJGkPBQt1kMod/TnqlICI4nzyvd1SX1b/L9bfjZbgabq9eHFMp9zEbtEcitNztuxJTFbR8U5KKLM8F26eCQwmUWR1VQ3T3K0g/Sf5ka+D3";
const RSA_FP = "SHA256:g0VZoVEo6bnNh9r2f9iSMxUCiIqvWIpBGpiQj+FvECg";

describe("host key verification helpers", () => {
  it("computes the same SHA-256 fingerprint as ssh-keygen -l", () => {
    assert.equal(sha256Fingerprint(parseKnownHostsLine(ED25519).keyBlob), ED25519_FP);
    assert.equal(sha256Fingerprint(parseKnownHostsLine(RSA).keyBlob), RSA_FP);
  });

  it("reads known_hosts lines, ssh-keyscan lines and bare public keys alike", () => {
    for (const line of [`[10.0.0.7]:2222 ${ED25519}`, `idx1.example,10.0.0.7 ${ED25519} comment`, ED25519]) {
      assert.equal(expectedFingerprint({ knownHostsLine: line }), ED25519_FP);
    }
  });

  it("refuses a line without a key, a damaged key and a @revoked line", () => {
    assert.throws(() => parseKnownHostsLine("idx1.example"), /no key found/);
    assert.throws(
      () => parseKnownHostsLine(`idx1 ssh-rsa ${ED25519.split(" ")[1]}`),
      /does not encode a ssh-rsa key/,
    );
    assert.throws(() => parseKnownHostsLine(`@revoked idx1 ${ED25519}`), /@revoked/);
  });

  it("accepts a fingerprint with or without base64 padding", () => {
    assert.equal(expectedFingerprint({ sha256Fingerprint: `${ED25519_FP}=` }), ED25519_FP);
  });

  it("asks the server for the declared key type (RSA: the SHA-2 signature algorithms first)", () => {
    assert.deepEqual(hostKeyAlgorithmsFor({ knownHostsLine: ED25519 }), ["ssh-ed25519"]);
    assert.deepEqual(hostKeyAlgorithmsFor({ knownHostsLine: RSA }), [
      "rsa-sha2-512",
      "rsa-sha2-256",
      "ssh-rsa",
    ]);
    assert.equal(hostKeyAlgorithmsFor({ sha256Fingerprint: ED25519_FP }), undefined);
  });
});
