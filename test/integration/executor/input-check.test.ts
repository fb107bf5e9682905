/**
 * Every file the plan needs, checked before the first write to any node (rules S2, S3, S11, P6, I3):
 * a license missing for a new LTS, an unreadable or altered firmware image, a missing indexer RPM —
 * the run refuses with nothing written to the emulator's event record, and names each field.
 */
import assert from "node:assert/strict";
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { ExecutionError, executeClusterPlan } from "../../../provider/executor";
import { EmulatedCluster } from "./emulated-cluster";

describe("executor: the plan's inputs before the first write (rules S2, S3, S11, P6, I3)", function () {
  this.timeout(60_000);
  let cluster: EmulatedCluster | undefined;
  afterEach(async () => {
    await cluster?.stop();
    cluster = undefined;
  });

  function refused(rule: string, ...fields: RegExp[]): (e: unknown) => boolean {
    return (e: unknown) => {
      assert.ok(e instanceof ExecutionError, String(e));
      assert.equal(e.kind, "input-missing");
      assert.equal(e.rule, rule);
      assert.match(e.message, /nothing was changed/);
      for (const f of fields) assert.match(e.message, f);
      assert.equal(e.step, undefined, "no step ran");
      return true;
    };
  }

  it("no license for the LTS the plan enters: refused before any upload, reboot or call (S2, S11)", async () => {
    cluster = await EmulatedCluster.start({ target: "6.3", nodes: [{ name: "sps1", version: "5.0.9" }] });
    const cl = cluster;
    await assert.rejects(
      executeClusterPlan(cl.inputs({ licenses: { "5": cl.inputs().licenses!["5"] } })),
      refused("S2", /licenses\["6"\]: no license for 6 LTS \(needed on sps1/),
    );
    assert.deepEqual(cl.writes(), [], "nothing written to the appliance");
    assert.deepEqual(cl.reboots(), []);
    // With the license the same plan runs.
    const result = await executeClusterPlan(cl.inputs());
    assert.equal(result.complete, true);
  });

  it("a firmware image that is gone or altered, and a missing indexer RPM: each named, nothing written (S3, I3)", async () => {
    cluster = await EmulatedCluster.start({
      target: "6.3",
      nodes: [{ name: "sps1", version: "6.0.7" }],
      indexers: [{ name: "idx1", os: "rhel7", version: "6.0.7" }],
    });
    const cl = cluster;
    const [hop] = cl.plan.hops;
    const image = cl.firmware[hop.to];
    assert.ok(image && "path" in image);
    const altered = join(cl.workDir, "altered.iso");
    writeFileSync(altered, "not the declared image");
    await assert.rejects(
      executeClusterPlan(
        cl.inputs({
          firmware: { [hop.to]: { path: altered, sha256: image.sha256 } },
          indexers: {},
        }),
      ),
      refused(
        "S3",
        new RegExp(
          `firmware\\["${hop.to.replace(/\./g, "\\.")}"\\]\\.path: .*altered\\.iso has SHA-256 [0-9a-f]{64}, not the declared ${image.sha256}`,
        ),
        new RegExp(
          `indexerPackages\\["${hop.to.replace(/\./g, "\\.")}"\\]: no indexer RPM for SPS ${hop.to.replace(/\./g, "\\.")} \\(needed on idx1\\)`,
        ),
      ),
    );
    await assert.rejects(
      executeClusterPlan(
        cl.inputs({
          firmware: { [hop.to]: { path: join(cl.workDir, "gone.iso"), sha256: image.sha256 } },
          indexers: {},
          indexerPackages: { [hop.to]: { path: altered } },
        }),
      ),
      refused("S3", /gone\.iso does not exist/),
    );
    assert.deepEqual(cl.writes(), [], "nothing written to the appliance");
  });
});
