/**
 * The license decision table (rules S2, S11; core/license-decision.ts): REST decides where it
 * shows the license's LTS major; where it cannot, the SHA-256 recorded at an install or confirmed by
 * the operator does — and a changed license file (new SHA-256) is always a new install.
 */
import assert from "node:assert/strict";
import {
  decideLicense,
  licenseConfirmation,
  licenseGateLines,
  type LicenseDecisionInput,
} from "../../../core/license-decision";

const OLD = "a".repeat(64);
const NEW = "b".repeat(64);

function decide(over: Partial<LicenseDecisionInput>): ReturnType<typeof decideLicense> {
  return decideLicense({ declaredMajor: 6, declaredSha256: NEW, rest: { major: null }, ...over });
}

describe("license decision (S2, S11)", () => {
  describe("REST shows the major: REST decides, records and confirmations do not count", () => {
    it("installed when the major matches and nothing differs", () => {
      assert.equal(decide({ rest: { major: 6 } }).kind, "installed");
    });
    it("install when the major differs, even with a matching record and confirmation", () => {
      const d = decide({
        rest: { major: 5 },
        recorded: { sha256: NEW, by: "operator" },
        confirmed: licenseConfirmation(NEW),
      });
      assert.deepEqual(d, {
        kind: "install",
        why: "runs a license for major 5, declared 6",
        confirmable: false,
      });
    });
    it("install when the installed license differs from the declared file", () => {
      const d = decide({ rest: { major: 6, differs: "license serial differs from the declared file" } });
      assert.equal(d.kind, "install");
      assert.match(d.why, /serial differs/);
    });
  });

  describe("REST cannot show the major ([unknown] fields, docs/appliance-facts.md §6)", () => {
    it("install, confirmable, with nothing recorded or confirmed", () => {
      const d = decide({});
      assert.equal(d.kind, "install");
      assert.equal(d.kind === "install" && d.confirmable, true);
      assert.match(d.why, /not verifiable through REST/);
    });
    it("installed when this file was recorded at an install through system control", () => {
      const d = decide({ recorded: { sha256: NEW, by: "system-control" } });
      assert.equal(d.kind, "installed");
      assert.match(d.why, /installed through system control/);
      assert.equal(d.kind === "installed" && d.recordNow, undefined);
    });
    it("installed when this file was confirmed earlier (recorded by the operator)", () => {
      const d = decide({ recorded: { sha256: NEW, by: "operator" } });
      assert.equal(d.kind, "installed");
      assert.match(d.why, /confirmed by the operator/);
    });
    it("installed on the operator's confirmation of the same SHA-256, which is recorded now", () => {
      const d = decide({ confirmed: licenseConfirmation(NEW) });
      assert.equal(d.kind, "installed");
      assert.deepEqual(d.kind === "installed" && d.recordNow, { sha256: NEW, by: "operator" });
    });
    it("install for a changed license file: the old record does not count", () => {
      const d = decide({ recorded: { sha256: OLD, by: "system-control" } });
      assert.equal(d.kind, "install");
      assert.match(d.why, new RegExp(`recorded file sha256:${OLD} is not the declared one`));
    });
    it("install for a changed license file: the old confirmation does not count", () => {
      const d = decide({ recorded: { sha256: OLD, by: "operator" }, confirmed: licenseConfirmation(OLD) });
      assert.equal(d.kind, "install");
      assert.match(d.why, /a changed license file is a new install/);
      assert.equal(d.kind === "install" && d.confirmable, true);
    });
  });

  describe("the manual gate's lines", () => {
    it("name the file by its declared name and hash, warn about Traffic control, and say how to confirm", () => {
      const lines = licenseGateLines({ name: "sps-6", sha256: NEW, confirmable: true });
      assert.match(lines[0] ?? "", /declared as "sps-6".*SHA-256 b{64}/);
      assert.ok(lines.some((l) => /restarting Traffic control drops every proxied connection/.test(l)));
      assert.ok(lines.some((l) => l.includes(`licenseConfirmed: "sha256:${NEW}"`)));
    });
    it("say nothing of a confirmation where REST can verify the result", () => {
      const lines = licenseGateLines({ name: "sps-6", sha256: NEW, confirmable: false });
      assert.ok(!lines.some((l) => /licenseConfirmed/.test(l)));
    });
  });
});
