/**
 * The rule table (core/rules.ts) and the catalogue (docs/rules.md) are one list: the same IDs
 * in the same order, each with the same "Source:" line; the planner evaluates every offline check of the
 * table, and a live check judges an appliance's answer as its offline twin judges the declared setting.
 */
import { strict as assert } from "node:assert";
import * as fs from "node:fs";
import * as path from "node:path";
import { nodeSchema } from "../../../core/fleet";
import { preflightNode, PREFLIGHT_ORDER, RULES, type RuleId } from "../../../core/rules";
import { planNodePath } from "../../../core/upgrade-path";
import { parseRevision, parseVersionSpec } from "../../../core/version";
import { CLEAN_SETTINGS, exampleCatalog } from "../../support/domain-fixtures";

/** Each "### ID — title" of docs/rules.md with its "Source:" paragraph joined into one line. */
function catalogue(): Array<{ id: string; source: string }> {
  const text = fs.readFileSync(path.join(__dirname, "..", "..", "..", "docs", "rules.md"), "utf8");
  const out: Array<{ id: string; source: string }> = [];
  for (const section of text.split(/^### /m).slice(1)) {
    const id = /^([A-Z]\d{1,2}) — /.exec(section)?.[1];
    const at = section.search(/^Source: /m);
    const source =
      at < 0
        ? undefined
        : section
            .slice(at + "Source: ".length)
            .split(/\n\s*\n/)[0]
            .trim();
    assert.ok(
      id !== undefined && source !== undefined,
      `docs/rules.md: no ID or Source line in "${section.slice(0, 40)}"`,
    );
    out.push({ id, source: source.replace(/\s*\n\s*/g, " ") });
  }
  return out;
}

function plan(node: Record<string, unknown>, target: string) {
  const n = nodeSchema.parse({ name: "n", ...node });
  const p = planNodePath(
    { current: parseRevision(n.version), target: parseVersionSpec(target) },
    exampleCatalog(),
  );
  return preflightNode(n, p.hops);
}

describe("rule table (core/rules.ts)", () => {
  it("has every rule of docs/rules.md and no other, in the same order, with the same Source line", () => {
    const docs = catalogue();
    assert.deepEqual(
      Object.keys(RULES),
      docs.map((r) => r.id),
    );
    for (const { id, source } of docs) assert.equal(RULES[id as RuleId].source, source, id);
  });

  it("the planner's preflight order names each rule with an offline check once, and only those", () => {
    const ordered = PREFLIGHT_ORDER.flat();
    const withOffline = (Object.keys(RULES) as RuleId[]).filter((id) => "offline" in RULES[id]);
    assert.deepEqual([...ordered].sort(), [...withOffline].sort());
    assert.equal(new Set(ordered).size, ordered.length);
  });

  it("P6 and P7 findings come plugin by plugin, as the plan listed them before the table", () => {
    const plugins = [
      { name: "Starling 2FA", version: "2.2.0" },
      { name: "other", version: "1.0" },
    ];
    const settings = { ...CLEAN_SETTINGS, starlingJoined: undefined };
    const rules = plan({ version: "6.0.5", plugins, settings }, "6.3")
      .filter((f) => f.rule === "P6" || f.rule === "P7")
      .map((f) => `${f.rule} ${/plugin (\S+)/.exec(f.message)?.[1] ?? ""}`);
    assert.deepEqual(rules, ["P6 Starling", "P7 Starling", "P6 other"]);
  });

  it("P8: the live check and the planner's check draw the same 50–98 line, from the same version", () => {
    for (const limit of [0, 49, 50, 75, 98, 99, 100]) {
      const live = RULES.P8.live({ diskFillupLimitPercent: limit }).ok;
      const declared = plan(
        { version: "6.0.0", settings: { ...CLEAN_SETTINGS, diskFillupLimitPercent: limit } },
        "6.0.4",
      );
      assert.equal(
        declared.some((f) => f.rule === "P8"),
        !live,
        String(limit),
      );
    }
    assert.equal(RULES.P8.from, "6.0.4");
  });

  it("P4: a degraded pair fails the live check unless the run degraded it itself, as the planner fails the declared status", () => {
    assert.equal(RULES.P4.live({ haStatus: "HA" }).ok, true);
    assert.equal(RULES.P4.live({ haStatus: "Degraded" }).ok, false);
    assert.equal(RULES.P4.live({ haStatus: "Degraded", pairDegradedByUs: true }).ok, true);
    const declared = plan(
      { version: "6.0.5", ha: true, settings: { ...CLEAN_SETTINGS, haStatus: "Degraded" } },
      "6.3",
    );
    assert.equal(declared.filter((f) => f.rule === "P4" && f.severity === "error").length, 1);
  });

  it("P2: RAID degraded by the run itself is not the appliance's problem; integrity and tainted files always are", () => {
    const health = {
      firmwareIntegrity: { core: "FAILED" },
      taintedFiles: { etc: 2 },
      raidStatus: "Degraded",
    };
    assert.deepEqual(RULES.P2.live({ health }).problems, [
      "firmware integrity core: FAILED",
      "2 tainted file(s) in etc",
      "RAID Degraded",
    ]);
    assert.deepEqual(RULES.P2.live({ health, pairDegradedByUs: true }).problems, [
      "firmware integrity core: FAILED",
      "2 tainted file(s) in etc",
    ]);
  });
});
