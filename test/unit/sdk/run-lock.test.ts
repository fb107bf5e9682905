// One run per cluster at a time (S9): a provider left running by a killed `pulumi up` and the next
// `up` must never both write the cluster's run file.
import { strict as assert } from "node:assert";
import { spawnSync } from "node:child_process";
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import {
  acquireRunLock,
  RunLockedError,
  stopRequestFile,
  stopRequestSignal,
} from "../../../provider/resources/checkpoint-store";

describe("run lock of a cluster's checkpoint (S9)", function () {
  let dir: string;
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), "sps-run-lock-"));
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it("refuses a second run while the holder lives, naming its pid and the lock file", () => {
    const file = join(dir, "dc1.json");
    const held = acquireRunLock(file);
    assert.throws(
      () => acquireRunLock(file),
      (e: unknown) =>
        e instanceof RunLockedError &&
        e.holder.pid === process.pid &&
        e.message.includes(`pid ${process.pid}`) &&
        e.message.includes(`${file}.lock`),
    );
    held.release();
    assert.equal(existsSync(`${file}.lock`), false);
    acquireRunLock(file).release();
  });

  it("takes over the lock of a holder that is gone (a SIGKILLed provider)", () => {
    const file = join(dir, "dc1.json");
    const gone = spawnSync(process.execPath, ["-e", "0"]).pid;
    assert.ok(gone);
    writeFileSync(`${file}.lock`, JSON.stringify({ pid: gone, startedAt: "2026-11-23T10:00:00Z" }));
    const held = acquireRunLock(file);
    assert.equal((JSON.parse(readFileSync(`${file}.lock`, "utf8")) as { pid: number }).pid, process.pid);
    held.release();
  });

  it("takes over a half-written lock file, and release leaves another holder's lock alone", () => {
    const file = join(dir, "dc1.json");
    writeFileSync(`${file}.lock`, "{");
    const held = acquireRunLock(file);
    writeFileSync(`${file}.lock`, JSON.stringify({ pid: 1 }));
    held.release();
    assert.equal(existsSync(`${file}.lock`), true, "not ours any more: kept");
  });
});

describe("stop file of a cluster's run (stop after the step in flight)", function () {
  let dir: string;
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), "sps-stop-"));
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it("aborts the run's signal once the file appears, with the file in the reason, and consumes it", async () => {
    const file = join(dir, "p.s.dc1.json");
    const stop = stopRequestSignal(file, 20);
    try {
      await new Promise((r) => setTimeout(r, 60));
      assert.equal(stop.signal.aborted, false);
      writeFileSync(stopRequestFile(file), "");
      for (let i = 0; i < 50 && !stop.signal.aborted; i++) await new Promise((r) => setTimeout(r, 20));
      assert.equal(stop.signal.aborted, true);
      assert.match(
        (stop.signal.reason as Error).message,
        /stop requested \(.*p\.s\.dc1\.json\.stop\).*pulumi up/,
      );
      assert.equal(existsSync(stopRequestFile(file)), false, "consumed, so the next up resumes");
    } finally {
      stop.dispose();
    }
  });

  it("ignores a stop file left from before the run", async () => {
    const file = join(dir, "p.s.dc1.json");
    writeFileSync(stopRequestFile(file), "");
    const stop = stopRequestSignal(file, 20);
    try {
      await new Promise((r) => setTimeout(r, 80));
      assert.equal(stop.signal.aborted, false);
      assert.equal(existsSync(stopRequestFile(file)), false);
    } finally {
      stop.dispose();
    }
  });
});
