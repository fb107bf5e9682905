import assert from "node:assert/strict";
import { ApplianceApiError, redactText, redactValue } from "../../../provider/clients/sps/api-error";
import { normalizeFingerprint, TlsTrustSchema } from "../../../provider/clients/sps/tls-trust";

describe("ApplianceApiError and redaction", function () {
  it("carries appliance, method, path, status and SPS error type in its message", function () {
    const e = new ApplianceApiError({
      appliance: "sps1:443",
      method: "POST",
      path: "/api/firmware/upgrade",
      failure: "http",
      status: 400,
      errorType: "FirmwareTestFailed",
      detail: "The upgrade test failed.",
    });
    assert.equal(
      e.message,
      "SPS sps1:443: POST /api/firmware/upgrade failed: HTTP 400 FirmwareTestFailed: The upgrade test failed.",
    );
    assert.equal(e.toJSON().errorType, "FirmwareTestFailed");
  });

  it("redacts known secrets, session cookies and Authorization headers from text", function () {
    const text =
      "login as admin:Sup3rSecret failed; Cookie: session_id=abcdef0123; Authorization: Basic YWRtaW46U3VwM3JTZWNyZXQ=";
    const out = redactText(text, ["Sup3rSecret"]);
    assert.ok(!out.includes("Sup3rSecret"));
    assert.ok(!out.includes("abcdef0123"));
    assert.ok(!out.includes("YWRtaW46"));
    assert.equal(redactText("Basic Settings > System", []), "Basic Settings > System", "ordinary words stay");
  });

  it("drops secret-looking fields from error details and keeps the rest verbatim", function () {
    const details = {
      password: "x",
      spp_api_token: "t",
      psk: "p",
      test_summary: "Upgrade is not allowed;\n  keep me",
      nested: [{ session_id: "s" }],
    };
    assert.deepEqual(redactValue(details, []), {
      password: "[redacted]",
      spp_api_token: "[redacted]",
      psk: "[redacted]",
      test_summary: "Upgrade is not allowed;\n  keep me",
      nested: [{ session_id: "[redacted]" }],
    });
  });

  it("accepts pins with or without colons and refuses an unacknowledged insecure mode", function () {
    assert.equal(normalizeFingerprint("ab:cd"), "ABCD");
    assert.ok(TlsTrustSchema.safeParse({ mode: "pin", sha256Fingerprint: "a".repeat(64) }).success);
    assert.ok(!TlsTrustSchema.safeParse({ mode: "pin", sha256Fingerprint: "abc" }).success);
    assert.ok(!TlsTrustSchema.safeParse({ mode: "insecure" }).success);
    assert.ok(TlsTrustSchema.safeParse({ mode: "insecure", acknowledgeInsecure: true }).success);
  });
});
