// The demo program (root Pulumi.yaml): a fleet with a progressive rollout. The canary cluster (a
// standalone appliance) is upgraded and verified before the HA pair's cluster starts (dependsOn); dc1's
// two indexer hosts (RHEL 6 and 7 style, as scripts/demo.sh starts them) end on 8.0.0, running; every
// node's support bundle (S8) is in the evidence directory with its SHA-256 in the outputs.
import { strict as assert } from "node:assert";
import { createHash } from "node:crypto";
import * as fs from "node:fs";
import * as path from "node:path";
import { createTestStack, REPO_ROOT, type TestStack } from "../support/pulumi-engine";
import { startLab, type Lab } from "../support/sps-lab";
import { demoFleet, events, systemControlEvents, upThroughGates } from "./sps-helpers";

describe("a fleet rollout with a canary cluster (the demo program)", function () {
  this.timeout(300_000);
  let lab: Lab;
  let stack: TestStack;

  before(async function () {
    const fleet = demoFleet();
    lab = await startLab(fleet, {
      indexers: [
        { name: "idx-rhel6", os: "rhel6" },
        { name: "idx-rhel7", os: "rhel7" },
      ],
      indexerVersions: { installed: "7.0.3", offered: "8.0.0" }, // as scripts/demo.sh
    });
    stack = await createTestStack({ programDir: REPO_ROOT, config: lab.config, secrets: lab.secrets });
  });

  after(async function () {
    await stack?.dispose();
    await lab?.stop();
  });

  it("finishes the canary cluster before the next cluster's first change", async function () {
    const up = await upThroughGates({ stack, lab });
    // The standalone canary has no system-control channel (docs/design-notes.md): its S11 license upload was the
    // manual web-interface gate, and no system-control operation reached it.
    assert.ok(
      up.gates.some((g) => g.startsWith("sps-branch license ")),
      up.gates.join(", "),
    );
    assert.deepEqual(await systemControlEvents(lab, "sps-branch"), []);
    const nodes = up.outputs["nodes"] as Array<Record<string, { version: string }>>;
    assert.deepEqual(
      nodes.map((c) => Object.entries(c).map(([n, s]) => `${n}=${s.version}`)),
      [["sps-branch=8.0.0"], ["sps-ha=8.0.0"]],
    );
    // Logins are reads; a later `up` (after dc1's manual activation gate) logs in to the converged canary.
    const changes = (l: Awaited<ReturnType<typeof events>>) => l.filter((e) => e.name !== "login");
    const canary = changes(await events(lab, { node: "sps-branch", kind: "action" }));
    const rest = changes(await events(lab, { node: "sps-ha", kind: "action" }));
    const lastCanary = Math.max(...canary.map((e) => e.seq));
    const firstRest = Math.min(...rest.map((e) => e.seq));
    assert.ok(canary.length > 0 && rest.length > 0);
    assert.ok(lastCanary < firstRest, `canary's last action #${lastCanary} before dc1's first #${firstRest}`);
    assert.deepEqual(up.outputs["indexerStates"], [
      {},
      {
        "idx-rhel6": { version: "8.0.0", service: "running" },
        "idx-rhel7": { version: "8.0.0", service: "running" },
      },
    ]);
    assert.deepEqual(
      ["idx-rhel6", "idx-rhel7"].map((h) => lab.indexerHosts[h]?.installedVersion()),
      ["8.0.0", "8.0.0"],
    );

    // S8: each node's support bundle, made before its reboot, is in the evidence directory
    // (fleet:evidenceDir), the file is what the outputs say it is, and no credential is in its name.
    type Evidence = { node: string; hop: number; when: string; path: string; bytes: number; sha256: string };
    const evidence = (up.outputs["evidence"] as Evidence[][]).flat();
    // Beside each bundle, the firmware's Upgrade Notes read after the upload (G53) are kept as evidence.
    assert.deepEqual(evidence.map((e) => `${e.node} hop ${e.hop} ${e.when}`).sort(), [
      "sps-branch hop 1 before-reboot",
      "sps-branch hop 1 upgrade-notes",
      "sps-ha hop 1 before-reboot",
      "sps-ha hop 1 upgrade-notes",
    ]);
    const dir = lab.config["fleet:evidenceDir"] ?? "";
    const secrets = [lab.password, lab.username, lab.indexerKey ?? "", ...Object.values(lab.licenses)];
    for (const e of evidence) {
      assert.equal(path.dirname(e.path), dir, e.path);
      const content = fs.readFileSync(e.path);
      assert.ok(content.length > 0);
      assert.equal(content.length, e.bytes);
      assert.equal(createHash("sha256").update(content).digest("hex"), e.sha256);
      const name = path.basename(e.path);
      for (const s of secrets) assert.ok(s.length > 0 && !name.includes(s), `${name} carries a credential`);
    }
    // The emulator made one bundle per node, on 7.0.3 and before the node's reboot (its event record).
    for (const node of ["sps-branch", "sps-ha"]) {
      const record = await events(lab, { node, kind: "action" });
      const bundles = record.filter((ev) => ev.name === "support-bundle-start");
      const reboot = record.find((ev) => ev.name === "reboot");
      assert.equal(bundles.length, 1, `${node}: ${record.map((ev) => ev.name).join(",")}`);
      assert.equal(bundles[0]?.detail?.["version"], "7.0.3");
      assert.ok(reboot && (bundles[0]?.seq ?? Infinity) < reboot.seq, `${node}: bundle before the reboot`);
    }
  });
});
