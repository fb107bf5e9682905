/**
 * The inputs a plan needs (rules S2, S3, S11, P6, I3): which ones, the offline planner's findings where
 * the fleet file declares them ("not checked" where it does not), the CLI's check of the declared files,
 * and the preview's blocking finding.
 */
import { strict as assert } from "node:assert";
import { createHash } from "node:crypto";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { planCluster, planFleet } from "../../../core/fleet-plan";
import type { ClusterPlan } from "../../../core/plan";
import { requiredInputs } from "../../../core/plan-inputs";
import { withInputFileFindings } from "../../../cli/input-files";
import { inputFailures } from "../../../provider/resources/input-findings";
import { firmwareInputSchema } from "../../../sdk/inputs";
import { AS_OF, CLEAN_SETTINGS, exampleCatalog, fleet } from "../../support/domain-fixtures";

const base = {
  name: "c1",
  target: "6.3",
  nodes: [{ name: "sps1", version: "5.0.9", settings: CLEAN_SETTINGS }],
  indexers: [{ name: "idx1", os: "rhel7", version: "5.0.9" }],
};

function planOf(extra: Record<string, unknown> = {}): ClusterPlan {
  return planCluster(fleet({ clusters: [{ ...base, ...extra }] }).clusters[0], exampleCatalog(), {
    asOf: AS_OF,
  });
}

describe("plan inputs (rules S2, S3, S11, P6, I3)", () => {
  let dir: string;
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), "sps-plan-inputs-"));
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  /** A small file standing for an ISO in the test's folder, and its sha256. */
  function isoIn(name: string): { iso: string; sha: string } {
    const iso = join(dir, name);
    writeFileSync(iso, "iso");
    return { iso, sha: createHash("sha256").update("iso").digest("hex") };
  }

  /** The ClusterFirmware inputs of cluster c1 (one node, sps1) to 6.3 with these images. */
  function firmwareOf(firmware: Record<string, unknown>, more: Record<string, unknown> = {}) {
    return firmwareInputSchema.parse({
      cluster: "c1",
      target: "6.3",
      nodes: [{ name: "sps1", address: "https://sps1.example.net", tls: { system: true } }],
      firmware,
      ...more,
    });
  }

  it("lists a firmware image per hop, a license per LTS entered and the indexer RPMs, once each", () => {
    const p = planOf();
    const keys = requiredInputs(p.steps, p.target).map((i) =>
      i.kind === "license" ? `license ${i.major}` : `${i.kind} ${"version" in i ? i.version : ""}`,
    );
    // I1: an indexer RPM for each hop's revision, after that hop.
    assert.deepEqual(keys, [
      "firmware 6.0.7",
      "license 6",
      "indexer-package 6.0.7",
      "firmware 6.3.2",
      "indexer-package 6.3.2",
    ]);
  });

  it("planner: not declared → 'not checked' warnings; declared without the LTS or RPM → blocking findings", () => {
    const open = planOf();
    const s2 = open.findings.filter((f) => f.rule === "S2");
    assert.equal(s2.length, 1);
    assert.equal(s2[0].severity, "warning");
    assert.match(s2[0].message, /^not checked: license for 6 LTS .*declare licenses\["6"\]/);
    assert.ok(open.findings.some((f) => f.rule === "I3" && f.severity === "warning"));

    const declared = planOf({ licenses: { "5": { path: "/x/sps-5.lic" } }, indexerPackages: {} });
    const errors = declared.findings.filter((f) => f.severity === "error");
    assert.deepEqual(
      errors.map((f) => f.rule),
      ["S2", "I3", "I3"],
    );
    assert.match(
      errors[0].message,
      /no license for 6 LTS: the plan enters 6 LTS on sps1.*add licenses\["6"\]/,
    );
    assert.match(errors[1].message, /add indexerPackages\["6\.0\.7"\]/);
    assert.match(errors[2].message, /add indexerPackages\["6\.3\.2"\]/);
  });

  it("CLI: a declared file that is gone, or whose sha256 differs, is a blocking finding naming the field", () => {
    const lic = join(dir, "sps-6.lic");
    writeFileSync(lic, "license text");
    const good = createHash("sha256").update("license text").digest("hex");
    const f = fleet({
      clusters: [
        {
          ...base,
          indexers: [],
          licenses: { "6": { path: lic, sha256: "0".repeat(64) } },
          firmware: {
            "6.0.7": { path: join(dir, "gone.iso"), sha256: "1".repeat(64) },
            "6.3.2": { path: lic, sha256: "2".repeat(64) },
          },
        },
      ],
    });
    const doc = withInputFileFindings(f, planFleet(f, exampleCatalog(), { asOf: AS_OF }));
    const errors = doc.clusters[0].findings.filter(
      (x) => x.severity === "error" && /\.path:/.test(x.message),
    );
    assert.deepEqual(
      errors.map((x) => x.rule),
      ["S3", "S2", "S3"],
    );
    assert.match(errors[0].message, /^firmware\["6\.0\.7"\]\.path: .*gone\.iso does not exist/);
    assert.match(
      errors[1].message,
      new RegExp(`^licenses\\["6"\\]\\.path: .*has SHA-256 ${good}, not the declared 0{64}`),
    );
    // With the right sha256 the license passes.
    f.clusters[0].licenses = { "6": { path: lic, sha256: good } };
    const fixed = withInputFileFindings(f, planFleet(f, exampleCatalog(), { asOf: AS_OF }));
    assert.ok(!fixed.clusters[0].findings.some((x) => /^licenses/.test(x.message)));
  });

  it("preview: a license the plan needs but the cluster does not declare is a blocking check failure (S2, S11)", async () => {
    const { iso, sha } = isoIn("a.iso");
    const p = planOf({ indexers: [] });
    const f = firmwareOf({ "6.0.7": { path: iso, sha256: sha }, "6.3.2": { path: iso, sha256: sha } });
    const failures = await inputFailures(p, f, {});
    assert.deepEqual(
      failures.map((x) => x.property),
      ["licenses"],
    );
    assert.match(
      failures[0].reason,
      /^rule S2: licenses\["6"\]: no license for 6 LTS .*the run would refuse before changing anything$/,
    );
    const named = await inputFailures(p, { ...f, licenses: { "6": "sps-6" } }, {});
    assert.match(
      named[0].reason,
      /licenses\["6"\] names "sps-6", which sps:credentials\.licenses does not hold/,
    );
    assert.deepEqual(await inputFailures(p, { ...f, licenses: { "6": "sps-6" } }, { "sps-6": "text" }), []);
  });

  it('preview: a missing ISO is a blocking check failure naming firmware["X"].path, not a raw ENOENT at its step', async () => {
    const { iso, sha } = isoIn("b.iso");
    const p = planOf({ indexers: [] });
    const f = firmwareOf(
      { "6.0.7": { path: iso, sha256: sha }, "6.3.2": { path: join(dir, "gone-6.3.2.iso"), sha256: sha } },
      { licenses: { "6": "sps-6" } },
    );
    const failures = await inputFailures(p, f, { "sps-6": "text" });
    assert.deepEqual(
      failures.map((x) => x.property),
      ['firmware["6.3.2"].path'],
    );
    assert.match(failures[0].reason, /gone-6\.3\.2\.iso does not exist/);
  });
});
