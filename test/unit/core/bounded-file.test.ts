import assert from "node:assert/strict";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { InputFileTooLargeError, readTextFileBounded } from "../../../core/bounded-file";
import { runCli, type CliIo } from "../../../cli/sps-upgrade";
import { readInventoryFile, InventoryFileError } from "../../../sdk/inventory-file";

const CATALOG = join(__dirname, "..", "..", "..", "examples", "fleets", "catalog.json");

describe("input files are read up to a cap", () => {
  it("/dev/zero (endless, no size) is refused at the cap, naming the file", () => {
    assert.throws(
      () => readTextFileBounded("/dev/zero", 1024 * 1024),
      (e: unknown) =>
        e instanceof InputFileTooLargeError && /\/dev\/zero is larger than 1048576 bytes/.test(e.message),
    );
  });

  it("a regular file over the cap is refused before it is read; one under it is read", () => {
    const dir = mkdtempSync(join(tmpdir(), "bounded-"));
    try {
      const f = join(dir, "x.json");
      writeFileSync(f, "x".repeat(100));
      assert.throws(() => readTextFileBounded(f, 99), InputFileTooLargeError);
      assert.equal(readTextFileBounded(f, 100).length, 100);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it("sps-upgrade plan --fleet /dev/zero exits 2 with a clear message", async () => {
    let err = "";
    const io: CliIo = { stdout: () => undefined, stderr: (t) => (err += t), today: () => "2026-12-01" };
    const code = await runCli(["plan", "--fleet", "/dev/zero", "--catalog", CATALOG], io);
    assert.equal(code, 2, err);
    assert.match(err, /\/dev\/zero: the fleet file is larger than \d+ bytes \(or not a regular file\)/);
  });

  it("an inventory file /dev/zero is refused naming the file", () => {
    assert.throws(
      () => readInventoryFile("/dev/zero"),
      (e: unknown) => e instanceof InventoryFileError && /larger than \d+ bytes/.test(e.message),
    );
  });
});
