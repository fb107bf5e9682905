// The scheduled drift job (docs/user-guide.md, "The drift job"): `pulumi refresh --preview-only --expect-no-changes` and
// `pulumi preview --refresh --expect-no-changes` through the real engine. Both exit 0 on a converged stack —
// right after the first `up`, which upgrades an HA pair 6.0.12 -> 6.3.0 (examples/drift-detection with
// its license, plugin and indexer host) — and 7 for each kind of drift; undone, the job passes again. One
// exception, by design: a node upgraded past the declared target makes the preview refuse (rule V3).
import { strict as assert } from "node:assert";
import { control } from "../support/sps-lab";
import { dayOffset } from "../../emulator/sps/license";
import {
  drift,
  driftJob,
  driftJobStep,
  labStack,
  nodeModel,
  upThroughGates,
  type DriftJobResult,
  type LabStack,
} from "./sps-helpers";

interface StateResource {
  urn: string;
  type: string;
  inputs?: Record<string, unknown>;
  outputs?: Record<string, unknown>;
}

const SPS_TYPE = /^pulumi-nodejs:dynamic\/sps:/;

describe("the drift job (refresh --preview-only / preview --refresh with --expect-no-changes)", function () {
  this.timeout(600_000);
  let ls: LabStack;

  const job = (): Promise<DriftJobResult> => driftJob(ls);

  async function assertPasses(what: string): Promise<void> {
    const r = await job();
    assert.deepEqual(
      { refresh: r.refresh, preview: r.preview },
      { refresh: 0, preview: 0 },
      `${what}:\n${r.text}`,
    );
  }

  async function assertFlags(kind: RegExp): Promise<void> {
    const r = await job();
    assert.deepEqual({ refresh: r.refresh, preview: r.preview }, { refresh: 7, preview: 7 }, r.text);
    assert.match(r.text, kind);
  }

  async function resources(): Promise<StateResource[]> {
    const doc = JSON.parse(await ls.stack.exportState()) as { deployment: { resources?: StateResource[] } };
    return (doc.deployment.resources ?? []).filter((r) => SPS_TYPE.test(r.type));
  }

  async function haStatus(): Promise<string> {
    return ((await nodeModel(ls.lab, "sps-edge"))["ha"] as { status: string }).status;
  }

  before(async function () {
    ls = await labStack("drift-detection", {
      indexers: [{ name: "idx-edge", os: "rhel7" }],
      nodeVersions: { "sps-edge": "6.0.12" },
    });
  });

  after(async function () {
    await ls?.dispose();
  });

  it("passes right after the first up (an upgrade): no plan of that up stays in the recorded inputs", async function () {
    // The HA pair's activation is the manual web-interface gate (H2); the helper passes it as an operator would.
    const up = await upThroughGates(ls);
    const nodes = up.outputs["nodes"] as Record<string, { version: string; state: string }>;
    assert.equal(nodes["sps-edge"]?.version, "6.3.0");
    const recorded = await resources();
    assert.equal(recorded.length, 4, JSON.stringify(recorded.map((r) => r.type)));
    for (const r of recorded) {
      assert.equal(r.inputs?.["plannedActions"], undefined, `${r.type} recorded inputs hold no plan`);
      assert.deepEqual(r.outputs?.["plannedActions"], [], `${r.type} has nothing left to do`);
    }
    await assertPasses("converged after the first up");
  });

  it("records nothing new on the first no-op up after it (the inputs its check returns are the recorded ones)", async function () {
    const inputs = async () => Object.fromEntries((await resources()).map((r) => [r.urn, r.inputs]));
    const before = await inputs();
    const up = await ls.stack.up();
    assert.deepEqual(up.resourceChanges, { same: 6 });
    assert.deepEqual(await inputs(), before);
  });

  it("flags a replaced license", async function () {
    const license = (await nodeModel(ls.lab, "sps-edge"))["license"] as {
      major: number;
      validNotAfter: string;
    };
    assert.ok(license?.validNotAfter, JSON.stringify(license));
    await drift(ls.lab, "sps-edge", { license: { major: license.major, validNotAfter: dayOffset(400) } });
    await assertFlags(/license-changed sps-edge: validNotAfter/);
    await drift(ls.lab, "sps-edge", {
      license: { major: license.major, validNotAfter: license.validNotAfter },
    });
    await assertPasses("license restored");
  });

  it("flags a changed plugin", async function () {
    await drift(ls.lab, "sps-edge", { plugins: [{ name: "mfa-demo", version: "1.9.0", type: "aa" }] });
    await assertFlags(/plugin-version-changed sps-edge: plugin mfa-demo is 1\.9\.0, declared 2\.1\.0/);
    await drift(ls.lab, "sps-edge", {
      plugins: [{ name: "mfa-demo", version: "2.1.0", type: "aa", implementation: "new" }],
    });
    await assertPasses("plugin restored");
  });

  it("flags a stopped indexer service", async function () {
    const host = ls.lab.indexerHosts["idx-edge"];
    assert.ok(host);
    host.setServiceRecord("stopped");
    await assertFlags(/indexer-service-changed idx-edge: service is stopped, expected running/);
    host.setServiceRecord("running 6.3.0");
    await assertPasses("indexer service running again");
  });

  it("flags an HA unit powered off (stuck mid-hop)", async function () {
    await control(ls.lab, "POST", "/_emulator/nodes/sps-edge/system/power-off", { unit: "secondary" });
    await assertFlags(/stuck-mid-hop sps-edge: HA unit \w+ is powered off/);
    await control(ls.lab, "POST", "/_emulator/nodes/sps-edge/system/power-on", { unit: "secondary" });
    const deadline = Date.now() + 60_000;
    while ((await haStatus()) !== "HA" && Date.now() < deadline) await new Promise((r) => setTimeout(r, 100));
    assert.equal(await haStatus(), "HA");
    await assertPasses("both units on again");
  });

  it("flags a rollback, then a firmware activated but not booted; passes again after the up that boots it", async function () {
    await drift(ls.lab, "sps-edge", { version: "6.0.12" });
    await assertFlags(/rolled-back sps-edge: runs 6\.0\.12, last recorded 6\.3\.0/);
    // What an admin leaves behind after "Upgrade" without the reboot (S7, S9): the 6.3.0 slot selected.
    // In the web interface: the emulator's default reading of the REST upgrade call reboots the node.
    await control(ls.lab, "POST", "/_emulator/nodes/sps-edge/webui/activate-firmware", { version: "6.3.0" });
    await assertFlags(
      /stuck-mid-hop sps-edge: firmware 6\.3\.0 is activated for the next boot but 6\.0\.12 runs/,
    );
    const up = await upThroughGates(ls);
    const nodes = up.outputs["nodes"] as Record<string, { version: string; state: string }>;
    assert.equal(nodes["sps-edge"]?.state, "on-target");
    await assertPasses("converged after the up that booted 6.3.0");
  });

  it("flags a firmware upgrade made out of band (the preview refuses the declaration: V3)", async function () {
    await drift(ls.lab, "sps-edge", { version: "6.5.0" });
    try {
      const refresh = await driftJobStep(ls, "refresh");
      assert.equal(refresh.code, 7, refresh.stdout);
      assert.match(refresh.stdout, /upgraded-out-of-band sps-edge: runs 6\.5\.0, last recorded 6\.3\.0/);
      // A node past the declared target is not a change an `up` would make: it would refuse (V3, never
      // downgrade), and so does the preview, naming the fix. The job fails either way.
      const preview = await driftJobStep(ls, "preview");
      assert.notEqual(preview.code, 0);
      assert.match(
        preview.stdout + preview.stderr,
        /rule V3 \(sps-edge\): declared 6\.3\.0 is lower than the running 6\.5\.0/,
      );
    } finally {
      await drift(ls.lab, "sps-edge", { version: "6.3.0" });
    }
    await assertPasses("back on 6.3.0");
  });

  it("flags a changed indexer package", async function () {
    const host = ls.lab.indexerHosts["idx-edge"];
    const rpms = ls.lab.indexerRpms;
    assert.ok(host && rpms);
    host.rpmUpgrade(rpms.v6_3_1_broken);
    await assertFlags(/indexer-version-changed idx-edge: runs 6\.3\.1, expected 6\.3\.0/);
  });
});
