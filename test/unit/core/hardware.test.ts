import { strict as assert } from "node:assert";
import { fleetSchema } from "../../../core/fleet";
import { fieldProblems } from "../../../core/validation";
import { applianceNodeInputSchema } from "../../../sdk/inputs";

function fleetWith(hardware: unknown) {
  return {
    clusters: [{ name: "c", target: "6.0", nodes: [{ name: "n", version: "5.0.9", hardware }] }],
  };
}

describe("V8: hardware is a closed set checked at the boundary", () => {
  it("any letter case of a known name is accepted and stored in its canonical spelling", () => {
    for (const [written, canonical] of [
      ["Pyramid", "pyramid"],
      [" PYRAMID ", "pyramid"],
      ["T4", "t4"],
      ["3500", "3500"],
      ["Other", "other"],
    ]) {
      const f = fleetSchema.parse(fleetWith(written));
      assert.equal(f.clusters[0].nodes[0].hardware, canonical, written);
    }
  });

  it("an unknown hardware name ('pyramid-T4', 'pyramd') is refused, naming the field and the accepted values", () => {
    for (const bad of ["pyramid-T4", "pyramd", ""]) {
      const r = fleetSchema.safeParse(fleetWith(bad));
      assert.equal(r.success, false, bad);
      if (r.success) continue;
      const [p] = fieldProblems(r.error);
      assert.equal(p.property, "clusters[0].nodes[0].hardware");
      assert.match(p.reason, /not a known hardware; use one of "pyramid", "t1"/);
    }
  });

  it("the Pulumi node input refuses the same values", () => {
    const base = { name: "n", address: "https://sps.example.com", tls: { system: true } };
    assert.equal(applianceNodeInputSchema.safeParse({ ...base, hardware: "pyramid-T4" }).success, false);
    assert.equal(applianceNodeInputSchema.parse({ ...base, hardware: "Pyramid" }).hardware, "pyramid");
  });
});
