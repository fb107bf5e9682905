// The upgrade test's summary as the step's done line quotes it: its first line, no trailing separator.
import { strict as assert } from "node:assert";
import { firstLine } from "../../../provider/executor/appliance-steps";

describe("executor: the appliance's summary line in a step's outcome", function () {
  it('"Upgrade is allowed;" reads "Upgrade is allowed"; the first line only', function () {
    assert.equal(firstLine("Upgrade is allowed;\nmore detail"), "Upgrade is allowed");
    assert.equal(firstLine("Upgrade is allowed; "), "Upgrade is allowed");
    assert.equal(firstLine("Upgrade is not allowed: low disk"), "Upgrade is not allowed: low disk");
  });
});
