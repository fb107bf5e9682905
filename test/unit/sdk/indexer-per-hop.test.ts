// The Pulumi path follows the upgrade guide's "always upgrade your external indexer when you upgrade SPS"
// (I1): the firmware resource plans each declared indexer host's upgrade after every hop, to that hop's
// SPS revision, and its preview refuses a plan whose per-hop RPM is not declared, naming the field.
import assert from "node:assert/strict";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { INDEXER_ACTIONS } from "../../../core/plan";
import { firmwareInputSchema } from "../../../sdk/inputs";
import { planFirmware } from "../../../provider/resources/firmware-plan";
import { inputFailures, sdkIndexerFields } from "../../../provider/resources/input-findings";

describe("SpsCluster indexers: upgraded after every hop, not once at the end (I1)", () => {
  let dir: string;
  const rpm = (v: string): string => join(dir, `external-indexer-${v}.rpm`);
  const inputs = (packages: Record<string, { path: string }>) =>
    firmwareInputSchema.parse({
      cluster: "prod",
      target: "6.3",
      nodes: [{ name: "sps1", address: "https://sps1.invalid", tls: { system: true } }],
      firmware: Object.fromEntries(
        ["6.0.12", "6.3.0"].map((v) => [v, { path: join(dir, `sps-${v}.iso`), sha256: "a".repeat(64) }]),
      ),
      indexers: [
        {
          name: "idx1",
          os: "rhel7",
          host: "127.0.0.1",
          hostKeySha256: "SHA256:47DEQpj8HBSa+/TImW+5JCeuQeRkm5NMpJWZG3hSuFU",
          packages,
        },
      ],
    });
  // SPS 5.0.0 → 6.0.12 → 6.3.0; the indexer runs 6.0.1 (ahead of 5.0, behind 6.0.12).
  const live = { sps1: { version: "5.0.0" }, idx1: { version: "6.0.1" } };

  before(() => {
    dir = mkdtempSync(join(tmpdir(), "indexer-per-hop-"));
    for (const v of ["6.0.12", "6.3.0"]) writeFileSync(rpm(v), "rpm");
  });
  after(() => rmSync(dir, { recursive: true, force: true }));

  it("plans the indexer's upgrade to each hop's revision after that hop and before the next hop's first step", () => {
    const { plan, failures } = planFirmware(
      inputs({ "6.0.12": { path: rpm("6.0.12") }, "6.3.0": { path: rpm("6.3.0") } }),
      live,
    );
    assert.deepEqual(failures, []);
    assert.ok(plan);
    assert.deepEqual(
      plan.hops.map((h) => h.to),
      ["6.0.12", "6.3.0"],
    );
    const copies = plan.steps.filter((s) => s.node === "idx1" && s.action === "copy-indexer-package");
    assert.deepEqual(
      copies.map((s) => s.version),
      ["6.0.12", "6.3.0"],
    );
    const lastHop1 = Math.max(...plan.steps.filter((s) => s.hop === 1).map((s) => s.seq));
    const firstHop2 = Math.min(...plan.steps.filter((s) => s.hop === 2).map((s) => s.seq));
    const hop1Indexer = plan.steps.filter((s) => s.node === "idx1" && s.version === "6.0.12");
    assert.deepEqual(
      hop1Indexer.map((s) => s.action),
      [...INDEXER_ACTIONS],
    );
    for (const s of hop1Indexer) assert.ok(s.seq > lastHop1 && s.seq < firstHop2, JSON.stringify(s));
  });

  it("a multi-hop plan with only the target's RPM declared: the preview names the missing per-hop package", async () => {
    const f = inputs({ "6.3.0": { path: rpm("6.3.0") } });
    const { plan } = planFirmware(f, live);
    assert.ok(plan);
    const failures = (await inputFailures(plan, f, {})).filter((p) => /indexer/.test(p.property));
    assert.equal(failures.length, 1, JSON.stringify(failures));
    assert.equal(failures[0]?.property, 'indexers[0].packages["6.0.12"]');
    assert.match(failures[0]?.reason ?? "", /rule I3: no indexer RPM for SPS 6\.0\.12 for "idx1"/);
    assert.match(failures[0]?.reason ?? "", /add indexers\[0\]\.packages\["6\.0\.12"\] with its path/);
  });

  it("a run started without a preview refuses naming the program's field too", () => {
    const f = inputs({ "6.3.0": { path: rpm("6.3.0") } });
    assert.equal(
      sdkIndexerFields(
        'indexerHostPackages["idx1"]["6.0.12"]: no indexer RPM for SPS 6.0.12 (needed on idx1); add indexerHostPackages["idx1"]["6.0.12"] with its path (rule I3)',
        f,
      ),
      'indexers[0].packages["6.0.12"]: no indexer RPM for SPS 6.0.12 (needed on idx1); add indexers[0].packages["6.0.12"] with its path (rule I3)',
    );
  });

  it("a declared per-hop RPM that is not there: named with its path", async () => {
    const f = inputs({ "6.0.12": { path: join(dir, "gone.rpm") }, "6.3.0": { path: rpm("6.3.0") } });
    const { plan } = planFirmware(f, live);
    assert.ok(plan);
    const failures = (await inputFailures(plan, f, {})).filter((p) => /indexer/.test(p.property));
    assert.equal(failures[0]?.property, 'indexers[0].packages["6.0.12"].path');
    assert.match(failures[0]?.reason ?? "", /gone\.rpm does not exist/);
  });

  it("an indexer host whose version cannot be read: no plan, the failure names the host field", () => {
    const { plan, failures } = planFirmware(
      inputs({ "6.0.12": { path: rpm("6.0.12") }, "6.3.0": { path: rpm("6.3.0") } }),
      { sps1: { version: "5.0.0" }, idx1: { error: "connect ECONNREFUSED 127.0.0.1:22" } },
    );
    assert.equal(plan, undefined);
    assert.equal(failures[0]?.property, "indexers[0].host");
    assert.match(failures[0]?.reason ?? "", /ECONNREFUSED.*sps:credentials\.indexer/);
  });

  it("an indexer already at the target: no indexer step, nothing to declare", () => {
    const { plan } = planFirmware(inputs({}), { sps1: { version: "5.0.0" }, idx1: { version: "6.3.0" } });
    assert.ok(plan);
    assert.equal(
      plan.steps.some((s) => s.node === "idx1"),
      false,
    );
  });
});
