// The central-management example through the real engine: an HA search master, two managed hosts, two
// minions (one HA) and two indexer hosts (RHEL 6 and 7 style), upgraded 5.0 -> 6.0 -> 6.3. The preview
// shows both hops and the waves in rule C1 order; up converges; a second up changes nothing; the
// emulator's record has exactly one reboot per node and hop.
import { strict as assert } from "node:assert";
import { events, labStack, upThroughGates, type LabStack } from "./sps-helpers";

const NODES = ["sm", "mh1", "mh2", "min1", "min2"];

describe("a central-management cluster with indexer hosts", function () {
  this.timeout(400_000);
  let ls: LabStack;

  before(async function () {
    ls = await labStack("central-management", {
      indexers: [
        { name: "idx-rhel6", os: "rhel6" },
        { name: "idx-rhel7", os: "rhel7" },
      ],
    });
  });

  after(async function () {
    await ls?.dispose();
  });

  it("previews both hops and the waves in C1 order, and the indexer steps with their commands' order", async function () {
    const preview = await ls.stack.preview();
    const text = preview.diffText.split("\nOutputs:")[0] ?? "";
    assert.match(text, /"hop 1: 5\.0\.0 -> 6\.0\.12"/);
    assert.match(text, /"hop 2: 6\.0\.12 -> 6\.3\.0"/);
    const lines = [...new Set([...text.matchAll(/"(wave \d+ hop \d+ #\d+ [^"]+)"/g)].map((m) => m[1] ?? ""))];
    const firstWave = (node: string, hop: number): number =>
      Math.min(
        ...lines
          .filter((l) => l.includes(` hop ${hop} `) && l.includes(` ${node}: `))
          .map((l) => Number(/^wave (\d+)/.exec(l)?.[1])),
      );
    for (const hop of [1, 2]) {
      assert.ok(firstWave("min1", hop) < firstWave("mh1", hop), `minions before managed hosts (hop ${hop})`);
      assert.ok(
        firstWave("mh1", hop) < firstWave("sm", hop),
        `managed hosts before the search master (hop ${hop})`,
      );
    }
    assert.ok(
      firstWave("sm", 1) < firstWave("min1", 2),
      "every node finishes hop 1 before hop 2 starts (C3)",
    );
    assert.match(text, /"wave 1 #1 idx-rhel6: backup-indexer-config 6\.3\.0"/);
    assert.match(text, /"wave 1 #4 idx-rhel7: upgrade-indexer-package 6\.3\.0"/);
  });

  it("converges on up: every node on 6.3.0, both indexers on 6.3.0 and running", async function () {
    // The HA search master's activation is the manual web-interface gate (H2), passed as an operator would.
    const up = await upThroughGates(ls);
    const nodes = up.outputs["nodes"] as Record<string, { version: string; state: string }>;
    for (const n of NODES)
      assert.deepEqual([n, nodes[n]?.version, nodes[n]?.state], [n, "6.3.0", "on-target"]);
    const indexers = up.outputs["indexerStates"] as Record<string, { version: string; service: string }>;
    assert.deepEqual(indexers, {
      "idx-rhel6": { version: "6.3.0", service: "running" },
      "idx-rhel7": { version: "6.3.0", service: "running" },
    });
    for (const n of NODES) {
      const reboots = await events(ls.lab, { node: n, name: "reboot" });
      assert.deepEqual(
        reboots.map((e) => e.detail?.["afterReboot"]),
        ["6.0.12", "6.3.0"],
        n,
      );
    }
  });

  it("reports no changes on a second up", async function () {
    const up = await ls.stack.up();
    assert.deepEqual(up.resourceChanges, { same: 6 });
  });
});
