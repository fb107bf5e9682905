/**
 * G53 (SPS Administration Guide, "Upgrading SPS (single node)": read the Upgrade Notes of the uploaded
 * firmware): after the upload and before the upgrade call, the run's output shows the slot's
 * `upgrade_notes`, and with an evidence directory they are kept as a file beside the support bundles.
 */
import assert from "node:assert/strict";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { emulatedUpgradeNotes } from "../../../emulator/sps/emulated-node";
import { EmulatedCluster } from "./emulated-cluster";

describe("executor: the Upgrade Notes of the uploaded firmware (G53)", function () {
  this.timeout(60_000);
  let cluster: EmulatedCluster | undefined;
  let evidenceDir: string | undefined;
  afterEach(async () => {
    await cluster?.stop();
    cluster = undefined;
    if (evidenceDir) rmSync(evidenceDir, { recursive: true, force: true });
    evidenceDir = undefined;
  });

  it("are shown after the upload and before the upgrade call, and kept in the evidence directory", async () => {
    cluster = await EmulatedCluster.start({ target: "6.0", nodes: [{ name: "sps1", version: "5.0.9" }] });
    const cl = cluster;
    const dir = (evidenceDir = mkdtempSync(join(tmpdir(), "sps-notes-")));
    const result = await cl.runToEnd(() => cl.inputs({ evidenceDir: dir }));
    assert.equal(result.complete, true);
    const at = (action: string, phase: string) =>
      cl.progress.findIndex((p) => p.node === "sps1" && p.action === action && p.phase === phase);
    const shown = cl.progress.find(
      (p) => p.action === "test-firmware" && p.phase === "done" && /Upgrade Notes/.test(p.message),
    );
    assert.ok(shown, JSON.stringify(cl.progress.filter((p) => p.action === "test-firmware")));
    assert.match(
      shown.message,
      /Upgrade Notes of the uploaded firmware 6\.0\.7 \(read them before the upgrade\)/,
    );
    // The appliance's text, line feed kept and indented, its tab kept.
    assert.match(shown.message, /\n {4}Upgrade notes of SPS 6\.0\.7\n {4}\tRead the upgrade guide/);
    const shownAt = cl.progress.indexOf(shown);
    assert.ok(shownAt > at("upload-firmware", "done"), "shown after the upload");
    assert.ok(shownAt < at("activate-firmware", "start"), "shown before the upgrade call");
    // Kept whole in the evidence directory, its path, size and SHA-256 in the checkpoint.
    const kept = (result.checkpoint.evidence ?? []).filter((e) => e.when === "upgrade-notes");
    assert.equal(kept.length, 1);
    assert.equal(kept[0].node, "sps1");
    assert.equal(readFileSync(kept[0].path, "utf8"), emulatedUpgradeNotes("6.0.7"));
    assert.match(shown.message, /kept: Upgrade Notes .*upgrade-notes.*\.txt/);
    // The recorded detail (the stack's state) names them, without their text.
    const detail = result.steps.find((s) => s.action === "test-firmware")?.detail ?? "";
    assert.match(detail, /Upgrade Notes of 6\.0\.7 shown; kept: /);
    assert.doesNotMatch(detail, /Read the upgrade guide/);
  });
});
