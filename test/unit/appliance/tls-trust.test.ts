// The one conversion of a declared TLS trust (SDK inputs, inventory nodes, doctor) into the client's trust.
import { strict as assert } from "node:assert";
import { trustOfDeclared } from "../../../provider/clients/sps/tls-trust";

const PEM = "-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----\n";
const FP = "AB".repeat(32);

describe("trustOfDeclared: a declared trust as the client verifies it", () => {
  it("a CA bundle verifies the chain and the host name", () => {
    assert.deepEqual(trustOfDeclared({ caPem: PEM }), { mode: "ca", caPem: PEM });
  });

  it("a fingerprint pins the appliance's own certificate", () => {
    assert.deepEqual(trustOfDeclared({ sha256Fingerprint: FP }), { mode: "pin", sha256Fingerprint: FP });
  });

  it("system: true trusts the machine's CA store", () => {
    assert.deepEqual(trustOfDeclared({ system: true }), { mode: "system" });
  });

  it("never turns a declaration into 'insecure' (verification is never skipped by conversion)", () => {
    for (const d of [{ caPem: PEM }, { sha256Fingerprint: FP }, { system: true as const }, {}])
      assert.notEqual(trustOfDeclared(d).mode, "insecure");
  });
});
