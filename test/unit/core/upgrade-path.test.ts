import { strict as assert } from "node:assert";
import { Catalog } from "../../../core/catalog";
import { isSupportedHop, planNodePath } from "../../../core/upgrade-path";
import { formatRevision, parseRelease, parseRevision, parseVersionSpec } from "../../../core/version";
import { exampleCatalog } from "../../support/domain-fixtures";

function path(current: string, target: string, catalog: Catalog = exampleCatalog(), hardware?: string) {
  const p = planNodePath(
    { current: parseRevision(current), target: parseVersionSpec(target), ...(hardware ? { hardware } : {}) },
    catalog,
  );
  return {
    chain: p.hops.length ? [formatRevision(p.hops[0].from), ...p.hops.map((h) => formatRevision(h.to))] : [],
    kinds: p.hops.map((h) => h.kind),
    errors: p.findings.filter((f) => f.severity === "error"),
    warnings: p.findings.filter((f) => f.severity === "warning"),
  };
}

describe("upgrade path of one node (rules V3–V8)", () => {
  it("V6: 5.0.3 → 6.3 goes 5.0.3 → 5.0.9 → 6.0.7 → 6.3.2 (newest revision first, each hop on the newest revision)", () => {
    const p = path("5.0.3", "6.3");
    assert.deepEqual(p.chain, ["5.0.3", "5.0.9", "6.0.7", "6.3.2"]);
    assert.deepEqual(p.kinds, ["revision", "release", "release"]);
    assert.deepEqual(p.errors, []);
  });

  it("V6: a node already on the newest revision takes no revision hop", () => {
    assert.deepEqual(path("5.0.9", "6.0").chain, ["5.0.9", "6.0.7"]);
  });

  it("V6: an exact target revision is the last hop's landing point", () => {
    assert.deepEqual(path("6.0.7", "6.3.1").chain, ["6.0.7", "6.3.1"]);
  });

  it("V6: a target within the running release is one revision hop", () => {
    const p = path("6.0.4", "6.0");
    assert.deepEqual(p.chain, ["6.0.4", "6.0.7"]);
    assert.deepEqual(p.kinds, ["revision"]);
  });

  it("V5: 6.0 is reached from the newest revision of 5.0 or of the three FRs before it (5.9, 5.10, 5.11)", () => {
    const c = exampleCatalog();
    for (const ok of ["5.0", "5.9", "5.10", "5.11"])
      assert.equal(isSupportedHop(parseRelease(ok), parseRelease("6.0"), c), true, ok);
    for (const no of ["5.8", "5.1", "4.0", "6.0"])
      assert.equal(isSupportedHop(parseRelease(no), parseRelease("6.0"), c), false, no);
  });

  it("V5: 6.3 is reached from 6.0 or from 6.1, 6.2 (FRs after 6.0), never from 5.x", () => {
    const c = exampleCatalog();
    for (const ok of ["6.0", "6.1", "6.2"])
      assert.equal(isSupportedHop(parseRelease(ok), parseRelease("6.3"), c), true, ok);
    for (const no of ["5.11", "5.0"])
      assert.equal(isSupportedHop(parseRelease(no), parseRelease("6.3"), c), false, no);
  });

  it("V5: 5.11 is reached from 5.8, 5.9, 5.10 but not from 5.1", () => {
    const c = exampleCatalog();
    for (const ok of ["5.8", "5.9", "5.10", "5.0"])
      assert.equal(isSupportedHop(parseRelease(ok), parseRelease("5.11"), c), true, ok);
    assert.equal(isSupportedHop(parseRelease("5.1"), parseRelease("5.11"), c), false);
  });

  it("V5: anything else goes through the LTS first — from 4.x, 5.0 comes first", () => {
    assert.deepEqual(path("4.0.2", "6.0").chain, ["4.0.2", "4.0.6", "5.0.9", "6.0.7"]);
    assert.deepEqual(path("4.3.4", "6.3").chain, ["4.3.4", "5.0.9", "6.0.7", "6.3.2"]);
  });

  it("V5/V4: an old FR climbs through supported FR hops, three releases at a time at most", () => {
    const c = exampleCatalog().extendedWith(
      Catalog.parse({
        schemaVersion: 1,
        releases: [
          { version: "5.4", revisions: ["5.4.1"] },
          { version: "5.7", revisions: ["5.7.0"] },
        ],
      }),
    );
    const p = path("5.1.0", "5.11", c);
    assert.deepEqual(p.errors, []);
    assert.deepEqual(p.chain, ["5.1.0", "5.4.1", "5.7.0", "5.10.0", "5.11.2"]);
  });

  it("V5/V7: an FR whose next three FRs are missing from the catalog cannot be planned; the error names the releases to add", () => {
    const p = path("5.1.0", "5.11");
    assert.equal(p.errors[0].rule, "V7");
    assert.match(p.errors[0].message, /needs releases 5\.4, 5\.7, which the release catalog does not list/);
    assert.match(p.errors[0].message, /between 5\.1 and 5\.11/);
  });

  it("V5: the FRs that may enter 6.0 are 5.9–5.11 by number — with 5.11 missing from the catalog, 5.8 still cannot go straight to 6.0", () => {
    const without511 = Catalog.parse({
      ...exampleCatalog().toFile(),
      releases: exampleCatalog()
        .toFile()
        .releases.filter((r) => r.version !== "5.11"),
    });
    assert.equal(isSupportedHop(parseRelease("5.8"), parseRelease("6.0"), without511), false);
    const p = path("5.8.1", "6.0", without511);
    assert.deepEqual(p.errors, []);
    assert.deepEqual(p.chain, ["5.8.1", "5.10.0", "6.0.7"]);
    // With no FR 5.9–5.11 in the catalog at all, the plan is an error naming one to add.
    const thin = Catalog.parse({
      schemaVersion: 1,
      releases: [
        { version: "5.8", revisions: ["5.8.2"] },
        { version: "6.0", revisions: ["6.0.7"] },
      ],
    });
    const q = path("5.8.2", "6.0", thin);
    assert.deepEqual(q.chain, []);
    assert.equal(q.errors[0].rule, "V7");
    assert.match(q.errors[0].message, /needs release 5\.11, which the release catalog does not list/);
  });

  it("V5: a path into an LTS whose entry FRs no known guide states is 'not checked' (taken from the catalog)", () => {
    const c = Catalog.parse({
      schemaVersion: 1,
      releases: [
        { version: "6.13", revisions: ["6.13.1"] },
        { version: "6.14", revisions: ["6.14.0"] },
        { version: "7.0", revisions: ["7.0.3"] },
      ],
    });
    const p = path("6.14.0", "7.0", c);
    assert.deepEqual(p.chain, ["6.14.0", "7.0.3"]);
    const v5 = p.warnings.filter((w) => w.rule === "V5");
    assert.equal(v5.length, 1);
    assert.match(v5[0].message, /not checked: .*6\.14/);
    assert.deepEqual(
      path("5.11.2", "6.0").warnings.filter((w) => w.rule === "V5"),
      [],
      "6.0's entry FRs come from its guide",
    );
  });

  it("V5/V7: no supported path through the catalog is a blocking finding that names the release to add", () => {
    const c = Catalog.parse({
      schemaVersion: 1,
      releases: [
        { version: "4.0", revisions: ["4.0.6"] },
        { version: "6.0", revisions: ["6.0.7"] },
      ],
    });
    const p = path("4.0.6", "6.0", c);
    assert.equal(p.errors.length, 1);
    assert.equal(p.errors[0].rule, "V7");
    assert.match(p.errors[0].message, /needs release 5\.0/);
    assert.match(p.errors[0].message, /add the missing intermediate releases/);
  });

  it("V3: a declared version lower than the running one is an error, never an action", () => {
    const p = path("6.0.7", "6.0.4");
    assert.deepEqual(p.chain, []);
    assert.equal(p.errors[0].rule, "V3");
    assert.match(p.errors[0].message, /lower than the running 6\.0\.7/);
  });

  it("V3/V4: leaving the FR track for the LTS of the same major (6.2 → 6.0) is a downgrade", () => {
    const p = path("6.2.0", "6 LTS");
    assert.deepEqual(p.chain, []);
    assert.equal(p.errors[0].rule, "V3");
    assert.match(p.errors[0].message, /feature-release track/);
    assert.match(p.errors[0].message, /V4/);
  });

  it("V4: once on an FR the node keeps taking FRs until the next LTS (6.1 → 6.3 stays on the FR track)", () => {
    const p = path("6.1.0", "6.3");
    assert.deepEqual(p.chain, ["6.1.0", "6.1.1", "6.3.2"]);
    assert.ok(!p.chain.some((v) => v.startsWith("6.0.")));
  });

  it("V7: a target release missing from the catalog is a blocking finding naming it", () => {
    const p = path("6.0.7", "6.9");
    assert.equal(p.errors[0].rule, "V7");
    assert.match(p.errors[0].message, /^target release 6\.9 is not in the release catalog;/);
    assert.doesNotMatch(
      p.errors[0].message,
      /6 F9/,
      "no label made up for a release the catalog does not know",
    );
  });

  it("V7: a target revision missing from the catalog is a blocking finding naming it", () => {
    const p = path("6.0.7", "6.3.9");
    assert.equal(p.errors[0].rule, "V7");
    assert.match(p.errors[0].message, /6\.3\.9/);
  });

  it("V7: a running revision newer than a catalog that lists its release's revisions blocks (the newest revision is unknown)", () => {
    // Before: a warning ("the catalog may be out of date") and 6.0.9 → 6.3.2 planned as if 6.0.9 were
    // the newest 6.0 revision. The plan cannot show that, so it stops.
    const p = path("6.0.9", "6.3");
    assert.deepEqual(p.chain, []);
    assert.equal(p.errors[0].rule, "V7");
    assert.match(p.errors[0].message, /newer than the catalog's newest 6\.0 revision 6\.0\.7/);
  });

  it("V6: leaving a release the catalog lists only partially is 'not checked' and stops the run until confirmed, whether the running revision is unlisted or the newest listed", () => {
    const partial = Catalog.parse({
      schemaVersion: 1,
      releases: [
        { version: "5.0", revisions: ["5.0.0"], partial: true },
        { version: "5.10", revisions: [], partial: true },
        { version: "6.0", revisions: ["6.0.7"] },
      ],
    });
    for (const [from, leave] of [
      ["5.0.3", "5.0.3"],
      ["5.10.1", "5.10.1"],
    ]) {
      const planned = planNodePath(
        { current: parseRevision(from), target: parseVersionSpec("6.0") },
        partial,
      );
      const v6 = planned.findings.filter((f) => f.rule === "V6");
      assert.equal(v6.length, 1, from);
      assert.equal(v6[0].status, "not-checked");
      assert.equal(v6[0].confirm, `newest-revision ${leave}`);
      assert.deepEqual(
        planned.findings.filter((f) => f.severity === "error"),
        [],
        from,
      );
    }
    // Running the newest revision a partial entry lists: a newer, unlisted one may exist, so the run
    // stops the same way until it is confirmed (before, 'not checked' without a stop).
    const listed = planNodePath(
      { current: parseRevision("5.0.0"), target: parseVersionSpec("6.0") },
      partial,
    ).findings.filter((f) => f.rule === "V6");
    assert.equal(listed.length, 1);
    assert.equal(listed[0].status, "not-checked");
    assert.equal(listed[0].confirm, "newest-revision 5.0.0");
    assert.match(listed[0].message, /newest 5\.0 revision the release catalog lists.*may exist/);
    assert.match(listed[0].message, /add "newest-revision 5\.0\.0" to confirmed; the run stops/);
    // Below the newest listed: the plan's revision hop lands on it, and leaves from it — the same stop.
    const below = planNodePath(
      { current: parseRevision("6.0.5"), target: parseVersionSpec("6.3") },
      Catalog.parse({
        schemaVersion: 1,
        releases: [
          { version: "6.0", revisions: ["6.0.5", "6.0.7"], partial: true },
          { version: "6.3", revisions: ["6.3.2"] },
        ],
      }),
    );
    assert.equal(below.findings.find((f) => f.rule === "V6")?.confirm, "newest-revision 6.0.7");
    // A catalog entry that states the release's revisions needs no confirmation.
    const full = planNodePath(
      { current: parseRevision("6.0.7"), target: parseVersionSpec("6.3") },
      exampleCatalog(),
    );
    assert.deepEqual(
      full.findings.filter((f) => f.rule === "V6"),
      [],
    );
  });

  it("V8: Pyramid hardware is refused past 5 LTS (5.1 or later)", () => {
    const p = path("5.0.3", "5.1", exampleCatalog(), "pyramid");
    assert.equal(p.errors[0].rule, "V8");
    assert.deepEqual(p.chain, []);
    assert.deepEqual(path("5.0.3", "5.0", exampleCatalog(), "pyramid").errors, []);
  });

  it("V8: Pyramid is refused whatever the letter case ('Pyramid', ' PYRAMID ')", () => {
    for (const spelling of ["Pyramid", " PYRAMID ", "pyramid"]) {
      for (const target of ["5.11", "6.0"]) {
        const p = path("5.0.9", target, exampleCatalog(), spelling);
        assert.equal(p.errors[0]?.rule, "V8", `${spelling} → ${target}`);
        assert.deepEqual(p.chain, []);
      }
    }
  });

  it("V8: a node not declared virtual, with no hardware, past 5 LTS is 'not checked'; declared hardware or virtual clears it", () => {
    const v8 = (hardware?: string, virtual?: boolean, target = "6.0") =>
      planNodePath(
        {
          current: parseRevision("5.0.9"),
          target: parseVersionSpec(target),
          ...(hardware ? { hardware } : {}),
          ...(virtual !== undefined ? { virtual } : {}),
        },
        exampleCatalog(),
      ).findings.filter((f) => f.rule === "V8");
    for (const virtual of [false, undefined]) {
      const f = v8(undefined, virtual);
      assert.equal(f.length, 1, String(virtual));
      assert.equal(f[0].severity, "warning");
      assert.equal(f[0].status, "not-checked");
      assert.match(f[0].message, /declare hardware/);
    }
    assert.deepEqual(v8(undefined, true), []);
    assert.deepEqual(v8("t4", false), []);
    assert.deepEqual(v8(undefined, false, "5.0"), [], "staying on 5 LTS needs no hardware fact");
  });

  it("V6: an exact target older than the newest revision of its release is a warning naming the newest", () => {
    const p = path("6.0.0", "6.0.4");
    assert.deepEqual(p.chain, ["6.0.0", "6.0.4"]);
    assert.deepEqual(p.errors, []);
    const v6 = p.warnings.filter((w) => w.rule === "V6");
    assert.equal(v6.length, 1);
    assert.match(v6[0].message, /6\.0\.4 is not the newest revision of 6\.0 \(6\.0\.7/);
    assert.deepEqual(
      path("6.0.0", "6.0.7").warnings.filter((w) => w.rule === "V6"),
      [],
      "the newest revision gets no warning",
    );
    assert.deepEqual(
      path("6.0.0", "6.0").warnings.filter((w) => w.rule === "V6"),
      [],
      "a release target resolves to its newest revision",
    );
  });

  it("a node already on the target has nothing to do", () => {
    const p = path("6.3.2", "6.3");
    assert.deepEqual(p.chain, []);
    assert.deepEqual(p.errors, []);
  });
});
