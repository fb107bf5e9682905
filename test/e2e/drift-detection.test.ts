// Drift of a converged cluster (examples/drift-detection: an HA pair on 6.3 with its license, a plugin
// and an indexer host): out-of-band changes made through the emulator's control surface and on the
// indexer host show up in `pulumi refresh` and `pulumi preview --refresh`, with their kind.
import { strict as assert } from "node:assert";
import { readFileSync } from "node:fs";
import { SpsRestClient } from "../../provider/clients/sps/sps-rest-client";
import { control } from "../support/sps-lab";
import {
  drift,
  events,
  labStack,
  nodeModel,
  refreshDiff,
  upThroughGates,
  type LabStack,
} from "./sps-helpers";

describe("drift of a converged SPS cluster", function () {
  this.timeout(300_000);
  let ls: LabStack;

  before(async function () {
    ls = await labStack("drift-detection", { indexers: [{ name: "idx-edge", os: "rhel7" }] });
  });

  after(async function () {
    await ls?.dispose();
  });

  it("converges on up: license, plugin version and indexer package as declared", async function () {
    const up = await upThroughGates(ls);
    const nodes = up.outputs["nodes"] as Record<string, { version: string; state: string }>;
    assert.equal(nodes["sps-edge"]?.version, "6.3.0");
    const indexers = up.outputs["indexerStates"] as Record<string, { version: string; service: string }>;
    assert.deepEqual(indexers["idx-edge"], { version: "6.3.0", service: "running" });
    assert.match(up.stdout + up.stderr, /\[sps\] plugin\/edge\/sps-edge\/mfa-demo: installed 2\.1\.0/);
  });

  it("reports no changes on a second up", async function () {
    const up = await upThroughGates(ls);
    assert.deepEqual(up.resourceChanges, { same: 6 });
  });

  it("shows a rollback and a node stuck mid-hop (HA unit off)", async function () {
    await drift(ls.lab, "sps-edge", { version: "6.0.12" });
    await control(ls.lab, "POST", "/_emulator/nodes/sps-edge/system/power-off", { unit: "secondary" });
    const refresh = await refreshDiff(ls);
    assert.match(refresh, /rolled-back sps-edge: runs 6\.0\.12, last recorded 6\.3\.0/);
    assert.match(refresh, /stuck-mid-hop sps-edge: HA unit \w+ is powered off/);
    const preview = await ls.stack.preview({ refresh: true });
    assert.match(preview.diffText, /~ pulumi-nodejs:dynamic\/sps:ClusterFirmware: \(update\)/);
    assert.match(preview.diffText, /"hop 1: 6\.0\.12 -> 6\.3\.0"/);
    // The rollback leaves the 6.3.0 image of the earlier up in its slot, which that up's (deleted)
    // checkpoint no longer records: the preview names the slot `up` would stop at and how to adopt it.
    assert.match(
      preview.diffText,
      /foreign state \(sps-edge\) slot \d+: firmware 6\.3\.0 not put there by this stack's run; up stops there/,
    );
    assert.match(preview.diffText, /add \\?"adopt-slot sps-edge \d+ 6\.3\.0\\?" to confirmed/);
  });

  it("shows a node stuck mid-hop: a firmware activated in the web interface but not booted (S7, S9)", async function () {
    const node = ls.lab.fleet.node("sps-edge");
    const client = new SpsRestClient({
      endpoint: node.url,
      credentials: { username: ls.lab.username, password: ls.lab.password },
      tls: { mode: "ca", caPem: readFileSync(node.caCertPath, "utf8") },
    });
    // Set up what this test needs, whatever ran before: a healthy pair (P4 would refuse a degraded
    // one) running 6.0.12 with the 6.3.0 firmware still in a slot.
    await control(ls.lab, "POST", "/_emulator/nodes/sps-edge/system/power-on", { unit: "secondary" });
    const haStatus = async () => ((await nodeModel(ls.lab, "sps-edge"))["ha"] as { status: string }).status;
    for (let i = 0; i < 300 && (await haStatus()) !== "HA"; i++) await new Promise((r) => setTimeout(r, 100));
    assert.equal(await haStatus(), "HA");
    if ((await client.getFirmwareVersion()) !== "6.0.12")
      await drift(ls.lab, "sps-edge", { version: "6.0.12" });
    // What an admin leaves behind after "Activate" in the web interface without the reboot: the 6.3.0
    // slot is selected for the next boot. (Not through the REST upgrade call: it may reboot — it does in
    // the emulator's default reading, docs/appliance-facts.md §1.)
    const slots = await client.listFirmwareSlots();
    const target = slots.slots.find((s) => s.version === "6.3.0" && !s.current);
    assert.ok(target, `a 6.3.0 slot to activate: ${JSON.stringify(slots.slots)}`);
    await control(ls.lab, "POST", "/_emulator/nodes/sps-edge/webui/activate-firmware", { version: "6.3.0" });
    const refresh = await refreshDiff(ls);
    assert.match(
      refresh,
      /stuck-mid-hop sps-edge: firmware 6\.3\.0 is activated for the next boot but 6\.0\.12 runs/,
    );
    const reboots = async () =>
      (await events(ls.lab, { node: "sps-edge", kind: "action" })).filter((e) => e.name === "reboot").length;
    const rebootsBefore = await reboots();
    const up = await upThroughGates(ls);
    // The activation this stack's checkpoint does not record stops the run until the operator adopts
    // that slot (provider/executor/foreign-state.ts); the gate is passed as an operator would.
    assert.ok(
      up.gates.some((g) => new RegExp(`^confirm adopt-slot sps-edge ${target.id} 6\\.3\\.0$`).test(g)),
      `the run stopped at the activated slot and it was adopted: ${JSON.stringify(up.gates)}`,
    );
    assert.equal((await reboots()) - rebootsBefore, 1, "one reboot into the activated 6.3.0 (S9)");
    const nodes = up.outputs["nodes"] as Record<string, { version: string; state: string }>;
    assert.deepEqual(
      nodes["sps-edge"] && { version: nodes["sps-edge"].version, state: nodes["sps-edge"].state },
      { version: "6.3.0", state: "on-target" },
    );
    const refreshed = await refreshDiff(ls);
    assert.doesNotMatch(refreshed, /stuck-mid-hop|rolled-back/, "converged again after the up");
  });

  it("shows a changed plugin version", async function () {
    await drift(ls.lab, "sps-edge", { plugins: [{ name: "mfa-demo", version: "1.9.0", type: "aa" }] });
    const refresh = await refreshDiff(ls);
    assert.match(refresh, /plugin-version-changed sps-edge: plugin mfa-demo is 1\.9\.0, declared 2\.1\.0/);
    const preview = await ls.stack.preview({ refresh: true });
    assert.match(preview.diffText, /~ pulumi-nodejs:dynamic\/sps:Plugin: \(update\)/);
    assert.match(preview.diffText, /upload-plugin mfa-demo 2\.1\.0 to sps-edge \(runs 1\.9\.0\)/);
  });

  it("shows a changed indexer package and a stopped indexer service", async function () {
    const host = ls.lab.indexerHosts["idx-edge"];
    const rpms = ls.lab.indexerRpms;
    assert.ok(host && rpms);
    host.rpmUpgrade(rpms.v6_3_1_broken);
    host.setServiceRecord("stopped");
    const refresh = await refreshDiff(ls);
    assert.match(refresh, /indexer-version-changed idx-edge: runs 6\.3\.1, expected 6\.3\.0/);
    assert.match(refresh, /indexer-service-changed idx-edge: service is stopped, expected running/);
    const preview = await ls.stack.preview({ refresh: true });
    assert.match(preview.diffText, /~ pulumi-nodejs:dynamic\/sps:IndexerPackage: \(update\)/);
  });

  it("never stores or prints a password, license text or SSH key", async function () {
    const state = await ls.stack.exportState();
    const files = await ls.stack.stateText();
    const printed = ls.stack.transcript();
    const secrets = [ls.lab.password, ...Object.values(ls.lab.licenses), ls.lab.indexerKey ?? ""];
    assert.ok((ls.lab.indexerKey ?? "").includes("PRIVATE KEY"));
    for (const secret of secrets) {
      assert.equal(state.includes(secret), false, "exported state");
      assert.equal(files.includes(secret), false, "state files");
      assert.equal(printed.includes(secret), false, "printed output");
    }
  });
});
