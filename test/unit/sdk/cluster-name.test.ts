import assert from "node:assert/strict";
import { firmwareInputSchema } from "../../../sdk/inputs";
import { fieldProblems } from "../../../core/validation";

const base = {
  target: "6.3",
  nodes: [{ name: "sps-a", address: "https://sps-a.invalid", tls: { system: true } }],
};

function problems(extra: Record<string, unknown>): Array<{ property: string; reason: string }> {
  const r = firmwareInputSchema.safeParse({ ...base, ...extra });
  return r.success ? [] : fieldProblems(r.error);
}

describe("a cluster name the checkpoint file can carry, checked at preview", () => {
  it("a 230-character name is refused naming cluster (not ENAMETOOLONG at up)", () => {
    const p = problems({ cluster: "c".repeat(230) });
    assert.equal(p[0]?.property, "cluster");
    assert.match(p[0]?.reason ?? "", /at most 100 characters/);
  });

  it("project.stack.cluster over 255 characters is refused naming cluster and the fix", () => {
    const p = problems({ cluster: "branch", checkpointKey: `${"p".repeat(150)}.${"s".repeat(100)}.branch` });
    assert.equal(p[0]?.property, "cluster");
    assert.match(
      p[0]?.reason ?? "",
      /checkpoint file name would be \d+ characters, over the 255.*shorten the cluster name/,
    );
  });

  it("control characters are refused; an ordinary name passes", () => {
    assert.equal(problems({ cluster: "dc1\u001b[2J" })[0]?.property, "cluster");
    assert.deepEqual(problems({ cluster: "dc-1.branch_2" }), []);
  });
});
