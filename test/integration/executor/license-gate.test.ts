/**
 * The S11 license upload on a standalone node with no system-control channel (docs/design-notes.md#the-manual-web-interface-gate): the executor
 * stops at a manual gate with the web-interface steps; the next run resumes. Where the node's REST answer
 * cannot show the license's LTS major (emulator `licenseProductVersion: false`, docs/appliance-facts.md §6
 * [unknown]), the operator's `licenseConfirmed` (the SHA-256 the gate names) passes the gate once: it
 * does not repeat on every run, and a changed license file is a new gate (rules S2, S11).
 */
import assert from "node:assert/strict";
import { createHash } from "node:crypto";
import { createSystemControl } from "../../../provider/clients/system-control";
import { ExecutionError, executeClusterPlan, type ExecutionInputs } from "../../../provider/executor";
import { buildLicenseFile } from "../../../emulator/sps/license";
import { EmulatedCluster } from "./emulated-cluster";

const LICENSE_6 = buildLicenseFile(6);
const SHA_6 = createHash("sha256").update(LICENSE_6).digest("hex");

async function gateOf(run: Promise<unknown>): Promise<ExecutionError> {
  try {
    await run;
  } catch (e) {
    if (e instanceof ExecutionError && e.kind === "manual-step-required") return e;
    throw e;
  }
  assert.fail("the run did not stop at a manual gate");
}

describe("executor: the S11 license gate with no system-control channel (rules S2, S11)", function () {
  this.timeout(60_000);
  let cluster: EmulatedCluster | undefined;
  afterEach(async () => {
    await cluster?.stop();
    cluster = undefined;
  });

  async function start(emulator: Record<string, unknown> = {}): Promise<EmulatedCluster> {
    cluster = await EmulatedCluster.start({
      target: "6.0",
      nodes: [{ name: "sps1", version: "5.0.9", emulator }],
    });
    return cluster;
  }

  function manualInputs(c: EmulatedCluster, over: Partial<ExecutionInputs> = {}): ExecutionInputs {
    // No route: every system-control operation is the manual channel (the REST upgrade call reboots).
    const systemControl = createSystemControl({ nodes: { sps1: { address: "127.0.0.1" } } });
    return c.inputs({
      systemControl,
      licenses: { "6": { fileName: "sps-6.lic", content: Buffer.from(LICENSE_6), name: "sps-6" } },
      ...over,
    });
  }

  it("stops at the gate with the web-interface steps (file by name and hash, never its content); the next run resumes", async () => {
    const c = await start();
    const gate = await gateOf(executeClusterPlan(manualInputs(c)));
    assert.equal(gate.step?.action, "upload-license");
    assert.match(gate.message, /Open Basic Settings > System > License and upload sps-6\.lic/);
    assert.match(gate.message, new RegExp(`license declared as "sps-6" .*SHA-256 ${SHA_6}`));
    assert.match(gate.message, /restarting Traffic control drops every proxied connection/);
    assert.doesNotMatch(
      gate.message,
      /licenseConfirmed/,
      "REST can verify the result: no confirmation asked",
    );
    assert.ok(!gate.message.includes(LICENSE_6) && !gate.message.includes("EMU-6"), "no license content");
    // The reboot came from the upgrade call; no system-control operation reached the node.
    const node = c.fleet.node("sps1").node;
    assert.ok(c.events().every((e) => e.detail?.["via"] !== "system-control"));
    node.uploadLicense(LICENSE_6, "web-interface");
    const result = await executeClusterPlan(manualInputs(c));
    assert.equal(result.complete, true);
    const step = result.steps.find((s) => s.action === "upload-license");
    assert.equal(step?.status, "skipped");
    assert.match(step?.detail ?? "", /license already valid for 6 LTS/);
    assert.deepEqual(
      c
        .events()
        .filter((e) => e.name === "upload-license")
        .map((e) => e.detail?.["via"]),
      ["web-interface"],
    );
  });

  it("REST cannot show the major: the gate asks for licenseConfirmed, repeats without it, passes once with it", async () => {
    const c = await start({ licenseProductVersion: false });
    const first = await gateOf(executeClusterPlan(manualInputs(c)));
    assert.match(first.message, new RegExp(`set licenseConfirmed: "sha256:${SHA_6}" and run again`));
    c.fleet.node("sps1").node.uploadLicense(LICENSE_6, "web-interface");
    // Uploaded, but REST still cannot show it: without the confirmation the gate stands (never a silent pass).
    await gateOf(executeClusterPlan(manualInputs(c)));
    // A confirmation of another file does not count.
    const other = await gateOf(
      executeClusterPlan(manualInputs(c, { licenseConfirmed: [`sha256:${"0".repeat(64)}`] })),
    );
    assert.equal(other.step?.action, "upload-license");
    const confirmed = await executeClusterPlan(manualInputs(c, { licenseConfirmed: [`sha256:${SHA_6}`] }));
    assert.equal(confirmed.complete, true);
    const step = confirmed.steps.find((s) => s.action === "upload-license");
    assert.equal(step?.status, "skipped");
    assert.match(step?.detail ?? "", /operator confirmed sha256:[0-9a-f]{64}/);
    assert.deepEqual(c.store.current?.licenseRecords, { "sps1#6": { sha256: SHA_6, by: "operator" } });
    // No repeat: the next run (the confirmation still declared) has nothing to do.
    const mark = c.lastSeq();
    const again = await executeClusterPlan(manualInputs(c, { licenseConfirmed: [`sha256:${SHA_6}`] }));
    assert.ok(again.steps.every((s) => s.status === "skipped"));
    assert.deepEqual(c.writes(mark), []);
  });

  it("REST cannot show the major, a system-control route installs it: recorded, so the step is not repeated", async () => {
    const c = await start({ licenseProductVersion: false });
    const result = await executeClusterPlan(
      c.inputs({
        licenses: { "6": { fileName: "sps-6.lic", content: Buffer.from(LICENSE_6), name: "sps-6" } },
      }),
    );
    assert.equal(result.complete, true);
    const step = result.steps.find((s) => s.action === "upload-license");
    assert.equal(step?.status, "done");
    assert.match(step?.detail ?? "", new RegExp(`recorded sha256:${SHA_6}.*not verifiable through REST`));
    assert.deepEqual(c.store.current?.licenseRecords, { "sps1#6": { sha256: SHA_6, by: "system-control" } });
    assert.equal(c.events().filter((e) => e.name === "upload-license").length, 1);
  });
});
