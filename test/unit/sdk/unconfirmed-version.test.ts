import assert from "node:assert/strict";
import { firmwareInputSchema } from "../../../sdk/inputs";
import { planFirmware } from "../../../provider/resources/firmware-plan";

describe("a node that cannot be read but has a declared version", () => {
  const f = firmwareInputSchema.parse({
    cluster: "branch",
    target: "6.0",
    nodes: [{ name: "sps-a", address: "https://sps-a.invalid", version: "6.0.5", tls: { system: true } }],
  });

  it("is planned from the declaration with a finding (V3 not checked live), not silently", () => {
    const { plan } = planFirmware(f, {
      "sps-a": { error: "SPS sps-a: GET /api/info failed: (ECONNREFUSED)" },
    });
    const finding = plan?.findings.find((x) => x.node === "sps-a" && /not confirmed live/.test(x.message));
    assert.ok(finding, JSON.stringify(plan?.findings));
    assert.equal(finding.rule, "V3");
    assert.equal(finding.severity, "warning");
    assert.equal(finding.status, "not-checked");
    assert.match(finding.message, /ECONNREFUSED.*declared nodes\[0\]\.version 6\.0\.5/);
  });

  it("a node read live has no such finding", () => {
    const { plan } = planFirmware(f, { "sps-a": { version: "6.0.5" } });
    assert.equal(
      plan?.findings.some((x) => /not confirmed live/.test(x.message)),
      false,
    );
  });
});
