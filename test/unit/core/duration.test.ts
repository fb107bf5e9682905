import { strict as assert } from "node:assert";
import { formatDuration } from "../../../core/duration";

describe("executor: durations in deadline messages", () => {
  const table: Array<[number, string]> = [
    [0, "0 ms"],
    [250, "250 ms"],
    [1_000, "1 s"],
    [1_500, "1.5 s"],
    [45_000, "45 s"],
    [59_940, "59.9 s"],
    // Rounds up into the next unit instead of printing "60 s".
    [59_960, "1 min"],
    [60_000, "1 min"],
    [90_000, "1.5 min"],
    [5 * 60_000, "5 min"],
    [20 * 60_000, "20 min"],
    [3_599_000, "1 h"],
    [60 * 60_000, "1 h"],
    [90 * 60_000, "1.5 h"],
    [2 * 3_600_000, "2 h"],
  ];
  for (const [ms, text] of table) {
    it(`${ms} ms reads "${text}"`, () => assert.equal(formatDuration(ms), text));
  }

  it("a deadline scaled below one minute never reads as 0 min", () => {
    for (const ms of [1, 999, 10_000, 29_999, 59_000]) assert.doesNotMatch(formatDuration(ms), /^0 min$/);
  });
});
