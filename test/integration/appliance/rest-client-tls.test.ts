import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { ApplianceApiError } from "../../../provider/clients/sps/api-error";
import type { RunningFleet } from "../../../emulator/lab/fleet";
import { FleetHarness, singleNodeFleet } from "./emulated-fleet";

async function refused(promise: Promise<unknown>): Promise<ApplianceApiError> {
  try {
    await promise;
  } catch (e) {
    assert.ok(e instanceof ApplianceApiError, `expected ApplianceApiError, got ${String(e)}`);
    return e;
  }
  assert.fail("expected the connection to be refused");
}

describe("SPS REST client TLS verification against the emulator's own CA", function () {
  const harness = new FleetHarness();
  let fleet: RunningFleet;
  let other: RunningFleet;

  before(async function () {
    fleet = await harness.start(singleNodeFleet());
    other = await harness.start(singleNodeFleet());
  });

  after(async function () {
    await harness.stopAll();
  });

  function logins(f: RunningFleet): number {
    return f.events.list({ node: "sps1", name: "login" }).length;
  }

  it("accepts the appliance certificate issued by the configured CA bundle", async function () {
    assert.equal(await harness.client(fleet, "sps1").getFirmwareVersion(), "6.0.5");
  });

  it("refuses a certificate from another CA before sending credentials", async function () {
    const before = logins(fleet);
    const client = harness.client(fleet, "sps1", {
      tls: { mode: "ca", caPem: readFileSync(other.caCertPath, "utf8") },
    });
    const e = await refused(client.getInfo());
    assert.equal(e.failure, "tls");
    assert.ok(e.causeCode, "carries the TLS error code");
    assert.equal(logins(fleet), before);
  });

  it("refuses the self-signed fleet CA with the default system trust store", async function () {
    const client = harness.client(fleet, "sps1", { tls: { mode: "system" } });
    const e = await refused(client.getInfo());
    assert.equal(e.failure, "tls");
  });

  it("accepts the appliance whose certificate matches the pinned SHA-256 fingerprint", async function () {
    const pin = fleet.node("sps1").fingerprint256;
    const client = harness.client(fleet, "sps1", {
      tls: { mode: "pin", sha256Fingerprint: pin.replace(/:/g, "").toLowerCase() },
    });
    assert.equal(await client.getFirmwareVersion(), "6.0.5");
  });

  it("refuses a wrong pin before the request — and its Basic credentials — is sent", async function () {
    const before = logins(fleet);
    const httpBefore = fleet.events.list({ node: "sps1", kind: "http" }).length;
    const wrongPin = other.node("sps1").fingerprint256;
    const client = harness.client(fleet, "sps1", { tls: { mode: "pin", sha256Fingerprint: wrongPin } });
    const e = await refused(client.getInfo());
    assert.equal(e.failure, "tls");
    assert.equal(e.causeCode, "ERR_SPS_CERT_PIN_MISMATCH");
    assert.equal(logins(fleet), before);
    assert.equal(
      fleet.events.list({ node: "sps1", kind: "http" }).length,
      httpBefore,
      "no HTTP request reached the server",
    );
  });

  it("turns verification off only when asked explicitly, and says so loudly", async function () {
    const warnings: string[] = [];
    const client = harness.client(
      fleet,
      "sps1",
      { tls: { mode: "insecure", acknowledgeInsecure: true } },
      { log: { warn: (m) => warnings.push(m) } },
    );
    assert.equal(await client.getFirmwareVersion(), "6.0.5");
    assert.equal(warnings.length, 1);
    assert.match(warnings[0], /TLS certificate verification is DISABLED/);
    assert.throws(
      () => harness.client(fleet, "sps1", { tls: { mode: "insecure" } as never }),
      /acknowledgeInsecure/,
    );
  });

  it("refuses a plain http:// endpoint at construction", function () {
    assert.throws(() => harness.client(fleet, "sps1", { endpoint: "http://127.0.0.1:1" }), /HTTPS only/);
  });
});
