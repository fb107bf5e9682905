import { strict as assert } from "node:assert";
import { DEFAULT_DEADLINES, rebootDeadlineMs } from "../../../core/deadlines";

describe("default wait deadlines from the seed documents", () => {
  it("S12: the web interface gets 30 minutes to come back before the run stops and reports", () => {
    assert.equal(DEFAULT_DEADLINES.webInterfaceBackMs, 30 * 60_000);
    assert.equal(rebootDeadlineMs(DEFAULT_DEADLINES, false), 30 * 60_000);
  });

  it("S10: the first boot is given its 20 minutes; P14: a storage reorganisation extends the reboot deadline", () => {
    assert.equal(DEFAULT_DEADLINES.firstBootMs, 20 * 60_000);
    assert.ok(rebootDeadlineMs(DEFAULT_DEADLINES, true) >= 30 * 60_000 + 30 * 60_000);
  });

  it("H2: the firmware sync to the secondary (usually within 60 s) has a deadline beyond 60 s", () => {
    assert.ok(DEFAULT_DEADLINES.secondarySyncMs > 60_000);
  });
});
