// The demo program (root Pulumi.yaml): a fleet with a progressive rollout. The canary cluster (a
// standalone appliance) is upgraded and verified before the HA pair's cluster starts (dependsOn); dc1's
// two indexer hosts (RHEL 6 and 7 style, as scripts/demo.sh starts them) end on 6.3.0, running.
import { strict as assert } from "node:assert";
import * as fs from "node:fs";
import * as path from "node:path";
import { createTestStack, REPO_ROOT, type TestStack } from "../support/pulumi-engine";
import { startLab, type Lab } from "../support/sps-lab";
import { events, upThroughGates } from "./sps-helpers";

describe("a fleet rollout with a canary cluster (the demo program)", function () {
  this.timeout(300_000);
  let lab: Lab;
  let stack: TestStack;

  before(async function () {
    const fleet = JSON.parse(
      fs.readFileSync(path.join(REPO_ROOT, "examples", "demo", "fleet.json"), "utf8"),
    ) as unknown;
    lab = await startLab(fleet, {
      indexers: [
        { name: "idx-rhel6", os: "rhel6" },
        { name: "idx-rhel7", os: "rhel7" },
      ],
    });
    stack = await createTestStack({ programDir: REPO_ROOT, config: lab.config, secrets: lab.secrets });
  });

  after(async function () {
    await stack?.dispose();
    await lab?.stop();
  });

  it("finishes the canary cluster before the next cluster's first change", async function () {
    const up = await upThroughGates({ stack, lab });
    const nodes = up.outputs["nodes"] as Array<Record<string, { version: string }>>;
    assert.deepEqual(
      nodes.map((c) => Object.entries(c).map(([n, s]) => `${n}=${s.version}`)),
      [["sps-branch=6.3.0"], ["sps-ha=6.3.0"]],
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
        "idx-rhel6": { version: "6.3.0", service: "running" },
        "idx-rhel7": { version: "6.3.0", service: "running" },
      },
    ]);
    assert.deepEqual(
      ["idx-rhel6", "idx-rhel7"].map((h) => lab.indexerHosts[h]?.installedVersion()),
      ["6.3.0", "6.3.0"],
    );
  });
});
