import assert from "node:assert/strict";
import { firmwareInputSchema } from "../../../sdk/inputs";
import { fieldProblems } from "../../../core/validation";
import { restRequestDeadlineMs } from "../../../core/deadlines";

const base = {
  cluster: "branch",
  target: "6.3",
  nodes: [{ name: "sps-a", address: "https://sps-a.invalid", tls: { system: true } }],
};

function problems(extra: Record<string, unknown>): Array<{ property: string; reason: string }> {
  const r = firmwareInputSchema.safeParse({ ...base, ...extra });
  return r.success ? [] : fieldProblems(r.error);
}

describe("deadlines and intervals are bounded whole milliseconds", () => {
  it("refuses pollIntervalMs 1e300 and 1e-9, naming the field and the range", () => {
    for (const v of [1e300, 1e-9, 0, -5, 10.5, 120_000]) {
      const p = problems({ deadlines: { pollIntervalMs: v } });
      assert.equal(p[0]?.property, "deadlines.pollIntervalMs", `${v}: ${JSON.stringify(p)}`);
      assert.match(p[0]?.reason ?? "", /between 50 and 60000 \(50 ms to 1 min in milliseconds\)/);
    }
  });

  it("refuses absurd deadlines (a year, a millisecond) and a route deadline of 1e300", () => {
    assert.equal(
      problems({ deadlines: { firstBootMs: 365 * 24 * 3600_000 } })[0]?.property,
      "deadlines.firstBootMs",
    );
    assert.equal(problems({ deadlines: { firmwareTestMs: 1 } })[0]?.property, "deadlines.firmwareTestMs");
    const p = problems({ systemControl: { rebootNode: { channel: "manual", deadlineMs: 1e300 } } });
    assert.equal(p.length > 0, true);
    assert.match(JSON.stringify(p), /deadlineMs.*between 1000 and 172800000/);
  });

  it("restRequestMs (one REST request of a run): 1 s to 10 min, default 30 s", () => {
    for (const v of [0, 999, 10.5, 600_001, 1e300]) {
      const p = problems({ deadlines: { restRequestMs: v } });
      assert.equal(p[0]?.property, "deadlines.restRequestMs", `${v}: ${JSON.stringify(p)}`);
      assert.match(p[0]?.reason ?? "", /between 1000 and 600000 \(1 s to 10 min in milliseconds\)/);
    }
    assert.deepEqual(problems({ deadlines: { restRequestMs: 5000 } }), []);
    assert.equal(restRequestDeadlineMs({}), 30_000);
    assert.equal(restRequestDeadlineMs({ restRequestMs: 5000 }), 5000);
  });

  it("keeps sane values (the lab's 100 ms poll, 30 s test, hours of storage reorganisation)", () => {
    assert.deepEqual(
      problems({
        deadlines: { pollIntervalMs: 100, firmwareTestMs: 30_000, storageReorganisationMs: 6 * 3600_000 },
      }),
      [],
    );
  });
});
