import assert from "node:assert/strict";
import { mkdtempSync, rmSync, statSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { evidenceDirProblem, prepareEvidenceDir } from "../../../provider/resources/evidence-dir";

describe("evidenceDir is checked before anything is written to a node", () => {
  let dir: string;
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), "evidence-"));
  });
  afterEach(() => {
    rmSync(dir, { recursive: true, force: true });
  });

  it("a file is refused at preview and before the run, naming evidenceDir and the fix", () => {
    const file = join(dir, "bundle.txt");
    writeFileSync(file, "x");
    assert.match(
      evidenceDirProblem(file) ?? "",
      /exists and is not a directory; give the path of a directory/,
    );
    assert.throws(() => prepareEvidenceDir(file), /^Error: evidenceDir: .*not a directory/);
    assert.match(evidenceDirProblem(join(file, "sub")) ?? "", /is a file, not a directory/);
  });

  it("a missing directory is fine at preview and created before the run", () => {
    const d = join(dir, "a", "b");
    assert.equal(evidenceDirProblem(d), undefined);
    prepareEvidenceDir(d);
    assert.ok(statSync(d).isDirectory());
  });
});
