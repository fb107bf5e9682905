// Under a fleet's failure budget above 0 (provider/resources/firmware-provider.ts recordsAsResult): which
// stopped runs are recorded as `outcome: "failed"` (the engine goes on, the gates count them) and
// which still fail in the engine so that nothing later starts — the operator's stop ("aborted": the
// stop file, the engine gone) and a manual gate ("manual-step-required": H2 activation, a manual
// SystemControl channel) are not appliance failures.
import { strict as assert } from "node:assert";
import type { ExecutionFailureKind } from "../../../provider/executor/types";
import { recordsAsResult } from "../../../provider/resources/firmware-provider";

const KINDS: Record<ExecutionFailureKind, "record" | "throw"> = {
  "firmware-test-failed": "record",
  "rollback-detected": "record",
  "web-interface-not-back": "record",
  deadline: "record",
  "preflight-blocked": "record",
  "input-missing": "record",
  "step-failed": "record",
  "foreign-state": "record",
  "unreadable-answers": "record",
  aborted: "throw",
  "manual-step-required": "throw",
};

describe("firmware under a failure budget: which stops are recorded", function () {
  it("records an appliance failure, throws on the operator's stop and on a manual gate", function () {
    for (const [kind, expected] of Object.entries(KINDS))
      assert.equal(recordsAsResult({ recordFailure: true }, kind) ? "record" : "throw", expected, kind);
  });

  it("throws on every kind without recordFailure (budget 0)", function () {
    for (const kind of Object.keys(KINDS)) {
      assert.equal(recordsAsResult({}, kind), false, kind);
      assert.equal(recordsAsResult({ recordFailure: false }, kind), false, kind);
    }
  });
});
