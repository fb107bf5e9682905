import { strict as assert } from "node:assert";
import { planCluster } from "../../../core/fleet-plan";
import { VERSION_CAUTIONS } from "../../../core/version-cautions";
import { AS_OF, CLEAN_SETTINGS, exampleCatalog, fleet } from "../../support/domain-fixtures";

function cautions(nodes: { name: string; version: string }[], target: string): string[] {
  const f = fleet({
    clusters: [{ name: "c", target, nodes: nodes.map((n) => ({ ...n, settings: CLEAN_SETTINGS })) }],
  });
  return planCluster(f.clusters[0], exampleCatalog(), { asOf: AS_OF })
    .findings.filter((x) => x.rule === "P16")
    .map((x) => x.message);
}

const has = (list: string[], re: RegExp) => list.some((m) => re.test(m));

describe("P16: version cautions the guides give, shown on a plan that crosses the version", () => {
  it("5.0.9 → 6.0 shows the 5.8.0 TLS 1.2 and case-insensitive detection, 5.9.0 GSSAPI, 5.10 SSLv3 and SPA risk score cautions, with their consequence and source", () => {
    const c = cautions([{ name: "a", version: "5.0.9" }], "6.0");
    assert.ok(has(c, /TLS 1\.2 regardless.*old browsers/), c.join("\n"));
    assert.ok(has(c, /case-insensitive/));
    assert.ok(has(c, /5\.9\.0.*client-username instead of client-username@REALM/));
    assert.ok(has(c, /5\.10 SSLv3 is not supported/));
    assert.ok(has(c, /risk scores/));
    assert.ok(has(c, /Release Notes/));
    assert.ok(has(c, /test the upgrade first in a virtual machine/));
    assert.ok(has(c, /only after the first boot/), "starting on 5.0: no upgrade logs until the first boot");
    assert.ok(
      c.every((m) => / — .*(Guide|release notes)/i.test(m)),
      "every caution names its source",
    );
  });

  it("a path that does not cross a version does not show its caution; a revision update shows only the release notes", () => {
    const c = cautions([{ name: "a", version: "6.0.5" }], "6.3");
    assert.ok(!has(c, /TLS 1\.2|case-insensitive|GSSAPI|SSLv3|risk scores|first boot/), c.join("\n"));
    assert.ok(has(c, /virtual machine/));
    const rev = cautions([{ name: "a", version: "6.0.4" }], "6.0");
    assert.deepEqual(rev.length, 1);
    assert.match(rev[0], /Release Notes/);
  });

  it("in a mixed cluster a caution names the nodes it concerns when not all", () => {
    const c = cautions(
      [
        { name: "old", version: "5.8.1" },
        { name: "new", version: "5.11.2" },
      ],
      "6.0",
    );
    const gss = c.find((m) => /GSSAPI/.test(m));
    assert.ok(gss);
    assert.match(gss, /nodes old\)/);
    assert.ok(!/nodes/.test(c.find((m) => /Release Notes/.test(m)) ?? "nodes"));
    // Given by the 6.0 guide for its own upgrade too: a 5.11 node entering 6.0 is told as well.
    assert.doesNotMatch(c.find((m) => /risk scores/.test(m)) ?? "", /nodes/);
  });

  it("every caution has a source and a version (or applies to every upgrade)", () => {
    for (const c of VERSION_CAUTIONS) {
      assert.ok(c.source.length > 0, c.id);
      for (const f of typeof c.from === "string" ? [c.from] : c.from)
        assert.match(f, /^(any|\d+\.\d+\.\d+)$/, c.id);
    }
  });
});
