// `recordFailure` / `hold` are SpsFleet's own (sdk/cluster.ts FLEET_BUDGET): not in the public
// SpsClusterArgs, so an SpsCluster alone can never record a failed run as a green `up`.
import { strict as assert } from "node:assert";
import * as pulumi from "@pulumi/pulumi";
import { FLEET_BUDGET, fleetRunInputs, type SpsClusterArgs } from "../../../sdk/cluster";
import * as sdk from "../../../sdk";

const base: SpsClusterArgs = {
  target: "6.3",
  nodes: [{ name: "sps-a", address: "https://sps-a.invalid", tls: { system: true } }],
  firmware: {},
};

const value = <T>(o: pulumi.Output<T>): Promise<T> => new Promise((resolve) => void o.apply(resolve));

describe("SpsCluster: the failure-budget inputs are internal", function () {
  it("are not part of the public SpsClusterArgs (a compile error) and are ignored if given anyway", function () {
    // @ts-expect-error recordFailure is not a public argument
    const withRecord: SpsClusterArgs = { ...base, recordFailure: true };
    // @ts-expect-error hold is not a public argument
    const withHold: SpsClusterArgs = { ...base, hold: { budget: 5, failedBefore: [] } };
    assert.deepEqual(fleetRunInputs(withRecord), {});
    assert.deepEqual(fleetRunInputs(withHold), {});
    assert.deepEqual(fleetRunInputs(base), {});
  });

  it("are set through SpsFleet's symbol-keyed option, which the package does not export", async function () {
    const made = fleetRunInputs({
      ...base,
      [FLEET_BUDGET]: { budget: 1, failedBefore: ["site-a"] },
    } as SpsClusterArgs);
    assert.equal(made.recordFailure, true);
    assert.ok(made.hold);
    assert.deepEqual(await value(made.hold), { budget: 1, failedBefore: ["site-a"] });
    assert.ok(!Object.values(sdk).includes(FLEET_BUDGET as never));
  });
});
