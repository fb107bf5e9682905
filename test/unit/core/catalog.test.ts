import { strict as assert } from "node:assert";
import { Catalog } from "../../../core/catalog";
import { catalogSchema } from "../../../core/catalog-schema";
import { defaultCatalog } from "../../../core/default-catalog";
import { supportWindow, isOutOfSupport } from "../../../core/support-window";
import { fieldProblems } from "../../../core/validation";
import { planNodePath } from "../../../core/upgrade-path";
import {
  formatRelease,
  formatRevision,
  parseRelease,
  parseRevision,
  parseVersionSpec,
} from "../../../core/version";
import { exampleCatalog } from "../../support/domain-fixtures";

describe("release catalog (rules V7, V2)", () => {
  it("V7: the newest revision of a release is the highest one listed, whatever the order", () => {
    const c = Catalog.parse({
      schemaVersion: 1,
      releases: [{ version: "6.0", revisions: ["6.0.12", "6.0.7", "6.0.9"] }],
    });
    assert.equal(formatRevision(c.newestRevision(parseRelease("6.0"))!), "6.0.12");
  });

  it("V7: the bundled catalog validates and every entry names its source", () => {
    const c = defaultCatalog();
    assert.ok(c.releases.length >= 10);
    for (const r of c.releases)
      assert.ok(r.sources.length > 0, `release ${r.release.major}.${r.release.minor} has no source`);
  });

  it("V7: a revision that does not belong to its release is refused with the field path", () => {
    const r = catalogSchema.safeParse({
      schemaVersion: 1,
      releases: [{ version: "6.0", revisions: ["6.0.1", "6.3.0"] }],
    });
    assert.equal(r.success, false);
    const p = fieldProblems(r.error);
    assert.deepEqual(
      p.map((x) => x.property),
      ["releases[0].revisions[1]"],
    );
    assert.match(p[0].reason, /not a revision of release 6\.0/);
  });

  it("V7: a release listed twice is refused", () => {
    const r = catalogSchema.safeParse({
      schemaVersion: 1,
      releases: [
        { version: "6.0", revisions: ["6.0.1"] },
        { version: "6.0", revisions: ["6.0.2"] },
      ],
    });
    assert.equal(r.success, false);
    assert.match(fieldProblems(r.error)[0].reason, /listed twice/);
  });

  it("V7: a user catalog extends the bundled one, replacing releases it redefines", () => {
    const user = Catalog.parse({
      schemaVersion: 1,
      releases: [
        { version: "6.0", revisions: ["6.0.99"] },
        { version: "9.0", revisions: ["9.0.0"] },
      ],
    });
    const merged = defaultCatalog().extendedWith(user);
    assert.equal(formatRevision(merged.newestRevision(parseRelease("6.0"))!), "6.0.99");
    assert.ok(merged.find(parseRelease("9.0")));
    assert.ok(merged.find(parseRelease("5.11")));
  });

  it("V2: an LTS is supported 3 years, or 1 year after the next LTS when that is later", () => {
    const c = Catalog.parse({
      schemaVersion: 1,
      releases: [
        { version: "5.0", published: "2017-08-30", revisions: ["5.0.0"] },
        { version: "6.0", published: "2020-11-01", revisions: ["6.0.0"] },
      ],
    });
    // 3 years → 2020-08-30, but the next LTS appeared 2020-11-01 → +1 year wins.
    assert.equal(supportWindow(parseRelease("5.0"), c)!.endsOn, "2021-11-01");
    assert.equal(supportWindow(parseRelease("6.0"), c)!.endsOn, "2023-11-01");
  });

  it("V2: a feature release is supported 6 months, or 2 months after the next release when later", () => {
    const c = exampleCatalog();
    // 6.1 published 2020-03-02: 6 months → 2020-09-02; next (6.2) 2020-06-01 + 2 months = 2020-08-01.
    const w = supportWindow(parseRelease("6.1"), c)!;
    assert.equal(w.endsOn, "2020-09-02");
    assert.equal(isOutOfSupport(w, "2020-09-03"), true);
    assert.equal(isOutOfSupport(w, "2020-09-02"), false);
  });

  it("V2: a release without a publication date has no known window (no finding is invented)", () => {
    assert.equal(supportWindow(parseRelease("6.0"), defaultCatalog()), undefined);
  });
});

describe("bundled catalog (rules V6, V7)", () => {
  it("every release names its source and is partial (newer revisions than the listed ones may exist)", () => {
    const c = defaultCatalog();
    for (const r of c.releases) {
      assert.ok(r.sources.length > 0, formatRelease(r.release));
      assert.equal(r.partial, true, formatRelease(r.release));
    }
  });

  it("a 5.0.3 node is not taken straight to 6.0 as if 5.0.3 were the newest 5.0 revision: the plan stops it for a confirmation", () => {
    const p = planNodePath(
      { current: parseRevision("5.0.3"), target: parseVersionSpec("6.0") },
      defaultCatalog(),
    );
    const v6 = p.findings.find((f) => f.rule === "V6" && f.confirm !== undefined);
    assert.ok(v6, JSON.stringify(p.findings));
    assert.equal(v6.confirm, "newest-revision 5.0.3");
    assert.ok(!p.findings.some((f) => /may be out of date/.test(f.message)));
  });

  it("a 5.10.1 node (5.10 is named by the guides, no revision is) is planned to 6.0, with the same stop", () => {
    const p = planNodePath(
      { current: parseRevision("5.10.1"), target: parseVersionSpec("6.0") },
      defaultCatalog(),
    );
    assert.deepEqual(
      p.findings.filter((f) => f.severity === "error"),
      [],
    );
    assert.equal(p.hops.length, 1);
    assert.equal(p.findings.find((f) => f.rule === "V6")?.confirm, "newest-revision 5.10.1");
  });

  it("an entry with no revision must say it is partial", () => {
    assert.throws(
      () => Catalog.parse({ schemaVersion: 1, releases: [{ version: "5.10", revisions: [] }] }),
      /must list at least one revision/,
    );
  });
});
