// The license gap of a node whose REST answer cannot show the license's LTS major (docs/appliance-facts.md §6:
// the GET's fields are not documented [unknown]; emulator `licenseProductVersion: false`), through the
// real engine with examples/standalone (no system-control channel). The License resource stops
// at the manual gate (web-interface steps, the file by its declared name and SHA-256); without the fix the
// drift job would exit 7 forever. After the operator's upload and `licenseConfirmed` (the SHA-256 the gate
// names) `up` converges and the drift job exits 0 — run after run; a changed license file (a new SHA-256)
// is a new install again (rules S2, S11).
import { strict as assert } from "node:assert";
import { createHash } from "node:crypto";
import { buildLicenseFile, dayOffset } from "../../emulator/sps/license";
import {
  driftJob,
  events,
  labStack,
  licenseGateIn,
  passLicenseGate,
  systemControlEvents,
  type LabStack,
} from "./sps-helpers";
import { LAB_LICENSE_END } from "../support/sps-lab";

const sha256 = (text: string): string => createHash("sha256").update(text).digest("hex");

describe("a license REST cannot verify: the manual gate once, licenseConfirmed, then a quiet drift job (S2, S11)", function () {
  this.timeout(600_000);
  let ls: LabStack;
  let declared: string;

  async function upError(): Promise<string> {
    try {
      await ls.stack.up();
    } catch (e) {
      return e instanceof Error ? e.message : String(e);
    }
    throw new Error("up succeeded, expected the license gate");
  }

  before(async function () {
    ls = await labStack("standalone", {
      nodeVersions: { "sps-branch": "6.3.0" },
      nodeEmulator: {
        "sps-branch": { license: { major: 6, validNotAfter: LAB_LICENSE_END }, licenseProductVersion: false },
      },
    });
    declared = sha256(ls.lab.licenses["sps-6"] ?? "");
  });

  after(async function () {
    await ls?.dispose();
  });

  it("stops up at the License resource's manual gate, naming the file by name and hash and the confirmation", async function () {
    const message = await upError();
    assert.deepEqual(licenseGateIn(message), { node: "sps-branch", license: "sps-6" });
    assert.match(message, /Manual step required: uploadLicense on node sps-branch/);
    assert.match(message, /Open Basic Settings > System > License and upload sps-6\.lic/);
    assert.match(message, /restarting Traffic control drops every proxied connection/);
    assert.match(message, /not verifiable through REST/);
    assert.ok(message.includes(`set licenseConfirmed: "sha256:${declared}"`), message);
    for (const text of Object.values(ls.lab.licenses)) assert.ok(!message.includes(text), "no license text");
    // The drift job flags the pending upload (what it did forever before the fix).
    const job = await driftJob(ls);
    assert.equal(job.preview, 7, job.text);
    // Without the confirmation the gate stands (never a silent pass).
    assert.ok(licenseGateIn(await upError()));
  });

  it("converges once the operator uploaded the file and confirmed its SHA-256; the drift job exits 0, run after run", async function () {
    await passLicenseGate(ls.lab, { node: "sps-branch", license: "sps-6" });
    await ls.stack.setConfig("licenseConfirmed", `sha256:${declared}`);
    const up = await ls.stack.up();
    assert.match(up.stdout + up.stderr, /the operator confirmed sha256:[0-9a-f]{64} \(licenseConfirmed\)/);
    for (let run = 0; run < 2; run++) {
      const job = await driftJob(ls);
      assert.deepEqual({ refresh: job.refresh, preview: job.preview }, { refresh: 0, preview: 0 }, job.text);
    }
    const again = await ls.stack.up();
    assert.equal(again.resourceChanges["update"] ?? 0, 0, JSON.stringify(again.resourceChanges));
    // Only the hash is in the state: never the license text.
    const state = await ls.stack.exportState();
    for (const text of Object.values(ls.lab.licenses)) assert.equal(state.includes(text), false);
    // No system-control channel reached the node: the upload was the operator's, in the web interface.
    assert.deepEqual(await systemControlEvents(ls.lab, "sps-branch"), []);
    assert.deepEqual(
      (await events(ls.lab, { node: "sps-branch", name: "upload-license" })).map((e) => e.detail?.["via"]),
      ["web-interface"],
    );
  });

  it("plans a new install for a changed license file (a new SHA-256): the old confirmation does not count", async function () {
    const renewed = buildLicenseFile(6, dayOffset(7 * 365), "Lab Corp");
    const credentials = JSON.parse(ls.lab.secrets["sps:credentials"] ?? "{}") as {
      licenses: Record<string, string>;
    };
    credentials.licenses["sps-6"] = renewed;
    await ls.stack.setConfig("sps:credentials", JSON.stringify(credentials), true);
    const job = await driftJob(ls);
    assert.equal(job.preview, 7, job.text);
    const message = await upError();
    assert.ok(message.includes(`set licenseConfirmed: "sha256:${sha256(renewed)}"`), message);
    assert.match(message, /a changed license file is a new install/);
  });
});
