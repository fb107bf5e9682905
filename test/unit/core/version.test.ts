import { strict as assert } from "node:assert";
import {
  compareRevisions,
  formatRevision,
  isLts,
  parseRelease,
  parseRevision,
  parseVersionSpec,
  releaseLabel,
  VersionSyntaxError,
} from "../../../core/version";

describe("versions (rule V1)", () => {
  const spellings: Array<[string, string]> = [
    ["6.0.4", "revision 6.0.4"],
    ["6.3", "release 6.3"],
    ["5 F11", "release 5.11"],
    ["5F11", "release 5.11"],
    ["5 f11.2", "revision 5.11.2"],
    ["6 LTS", "release 6.0"],
    ["6.0 LTS", "release 6.0"],
    [" 7.0.3 ", "revision 7.0.3"],
  ];
  for (const [input, expected] of spellings) {
    it(`V1: parses "${input}" as ${expected}`, () => {
      const spec = parseVersionSpec(input);
      const text =
        spec.kind === "revision"
          ? `revision ${formatRevision(spec.revision)}`
          : `release ${spec.release.major}.${spec.release.minor}`;
      assert.equal(text, expected);
    });
  }

  for (const bad of ["6.x", "", "6", "v6.0.1", "6 F0", "6.0.1.2", "LTS", "six"]) {
    it(`V1: refuses "${bad}" with a message that shows the accepted spellings`, () => {
      assert.throws(
        () => parseVersionSpec(bad),
        (e: unknown) => {
          assert.ok(e instanceof VersionSyntaxError);
          assert.match(e.message, /is not a version \(use X\.Y\.Z/);
          return true;
        },
      );
    });
  }

  it("V1: Y == 0 is an LTS, Y > 0 a feature release, labelled X LTS / X F<Y>", () => {
    assert.equal(isLts(parseRelease("6.0")), true);
    assert.equal(isLts(parseRelease("6.3")), false);
    assert.equal(releaseLabel(parseRelease("6.0.4")), "6 LTS");
    assert.equal(releaseLabel(parseRelease("5.11")), "5 F11");
  });

  it("V1: compares numerically, not as text (5.11 > 5.9, 6.0.12 > 6.0.7)", () => {
    assert.ok(compareRevisions(parseRevision("5.11.0"), parseRevision("5.9.2")) > 0);
    assert.ok(compareRevisions(parseRevision("6.0.12"), parseRevision("6.0.7")) > 0);
    assert.equal(compareRevisions(parseRevision("6.0.7"), parseRevision("6.0.7")), 0);
  });

  it("V1: a bare release is not a revision", () => {
    assert.throws(() => parseRevision("6.3"), VersionSyntaxError);
  });
});
