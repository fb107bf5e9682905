/**
 * The license is read leniently from the fields public sources name (S2, S11): administration
 * guide labels (Customer, Serial, Limit type, Limit, Valid), the as-built generator's configuration
 * fields (product_version, serial, license_type, limt_type, valid_not_after in `info`), and whatever
 * cannot be read becomes a warning "not verifiable through REST", never a silent pass or fail.
 */
import assert from "node:assert/strict";
import { readLicense } from "../../../provider/clients/sps/license-reading";
import { licenseFacts, licenseValidFor } from "../../../provider/executor/node-state";

const NOW = new Date("2026-12-01T09:00:00Z");
const BY_HAND = /not verifiable through REST .*check Basic Settings > System > License/;

describe("license reading (S2, S11)", () => {
  it("reads the emulator's answer: major from product_version, validity from valid_not_after", () => {
    const r = readLicense(
      {
        customer: "Example Corp",
        serial: "EMU-7",
        limit: 100,
        product_version: "7.0",
        valid_not_after: "2030-12-31",
      },
      NOW,
    );
    assert.equal(r.major, 7);
    assert.equal(r.validity, "valid");
    assert.equal(r.customer, "Example Corp");
    assert.equal(r.limit, "100");
    assert.deepEqual(r.warnings, []);
  });

  it("reads the as-built generator's shape: the fields inside an `info` JSON text, limt_type (sic)", () => {
    const info = JSON.stringify({
      product_version: "6.0.12",
      serial: "ABC-123",
      license_type: "production",
      limt_type: "host",
      valid_not_after: "2026-06-30T00:00:00Z",
    });
    const r = readLicense({ info }, NOW);
    assert.equal(r.major, 6);
    assert.equal(r.serial, "ABC-123");
    assert.equal(r.licenseType, "production");
    assert.equal(r.limitType, "host");
    assert.equal(r.validNotAfter, "2026-06-30");
    assert.equal(r.validity, "expired");
  });

  it("reads the administration guide's labels; a missing major is a warning naming where to check", () => {
    const r = readLicense(
      {
        Customer: "Example",
        Serial: "S-1",
        "Limit type": "session",
        Limit: 50,
        Valid: "2027-01-01 - 2029-12-31",
      },
      NOW,
    );
    assert.equal(r.serial, "S-1");
    assert.equal(r.limitType, "session");
    assert.equal(r.validNotBefore, "2027-01-01");
    assert.equal(r.validity, "not-yet-valid");
    assert.equal(r.major, null);
    assert.equal(r.warnings.length, 1);
    assert.match(r.warnings[0] ?? "", BY_HAND);
    assert.match(r.warnings[0] ?? "", /LTS major/);
  });

  it("an answer with nothing readable: unknown validity and major, two warnings, never valid", () => {
    const r = readLicense({ something: "else" }, NOW);
    assert.equal(r.validity, "unknown");
    assert.equal(r.major, null);
    assert.equal(r.warnings.length, 2);
    for (const w of r.warnings) assert.match(w, BY_HAND);
    const facts = licenseFacts({ something: "else" }, NOW);
    assert.equal(facts.major, null);
    assert.equal(facts.state, null);
    assert.equal(licenseValidFor(facts, 7), false, "not verifiable is not valid");
    assert.equal(facts.warnings?.length, 2);
  });

  it("does not take the emulator's old invented fields (version, state) as facts", () => {
    const facts = licenseFacts({ version: "7 LTS", state: "valid" }, NOW);
    assert.equal(facts.major, null);
    assert.equal(facts.state, null);
  });
});
