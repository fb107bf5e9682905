// The central-management example through the real engine: an HA search master, two managed hosts, two
// minions (one HA) and two indexer hosts (RHEL 6 and 7 style), upgraded 5.0 -> 6.0 -> 6.3. The preview
// shows both hops and the waves in rule C1 order, and each indexer's upgrade after every hop (I1); up
// converges; a second up changes nothing; the emulator's record has exactly one reboot per node and hop,
// and each indexer back at the hop's version between hop 1 and hop 2.
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
    // I1: each indexer is upgraded after every hop, to that hop's revision — in the firmware
    // resource's plan, after the hop's last appliance wave and before the next hop's first.
    for (const idx of ["idx-rhel6", "idx-rhel7"]) {
      const wave = (version: string): number =>
        Number(
          new RegExp(
            `"wave (\\d+) #\\d+ ${idx}: upgrade-indexer-package ${version.replace(/\./g, "\\.")}"`,
          ).exec(text)?.[1],
        );
      assert.ok(wave("6.0.12") > firstWave("sm", 1), `${idx} upgraded to 6.0.12 after hop 1`);
      assert.ok(wave("6.0.12") < firstWave("min1", 2), `${idx} upgraded to 6.0.12 before hop 2`);
      assert.ok(wave("6.3.0") > firstWave("sm", 2), `${idx} upgraded to 6.3.0 after hop 2`);
    }
    // Each indexer step with the exact command it runs, per OS (RHEL 6 `service`, RHEL 7 `systemctl`).
    assert.match(text, /idx-rhel6: stop-indexer 6\.0\.12"\s*\[\d+\]: "  \$ service external-indexer stop"/);
    assert.match(
      text,
      /idx-rhel7: stop-indexer 6\.0\.12"\s*\[\d+\]: "  \$ systemctl stop external-indexer\.service"/,
    );
    // The IndexerPackage resources only converge and verify the final version.
    assert.match(
      text,
      /"verify idx-rhel6 runs 6\.3\.0 \(now 6\.0\.1\): the cluster's firmware run upgrades it after every hop/,
    );
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
    // I1 from the emulator's record: each indexer came back running 6.0.12 (the RPM the host had
    // installed when its service started) after every node's hop-1 reboot and before hop 2's first
    // write to any node (its first 6.3.0 upload); then 6.3.0 after hop 2.
    const all = await events(ls.lab);
    const hop1Reboots = all.filter((e) => e.name === "reboot" && e.detail?.["afterReboot"] === "6.0.12");
    const hop2FirstWrite = all.find(
      (e) => e.kind === "action" && e.name === "upload-firmware" && e.detail?.["version"] === "6.3.0",
    );
    assert.ok(hop2FirstWrite, "hop 2 uploads 6.3.0");
    for (const idx of ["idx-rhel6", "idx-rhel7"]) {
      const seen = all.filter((e) => e.name === "indexer-worker-status" && e.detail?.["indexer"] === idx);
      const at = (service: string): number =>
        seen.find((e) => e.detail?.["service"] === service)?.seq ?? Number.NaN;
      assert.ok(
        at("running 6.0.12") > Math.max(...hop1Reboots.map((e) => e.seq)),
        `${idx}: 6.0.12 after hop 1`,
      );
      assert.ok(at("running 6.0.12") < hop2FirstWrite.seq, `${idx}: 6.0.12 before hop 2's first write`);
      assert.ok(at("running 6.3.0") > hop2FirstWrite.seq, `${idx}: 6.3.0 after hop 2`);
      assert.equal(ls.lab.indexerHosts[idx]?.installedVersion(), "6.3.0");
    }
  });

  it("reports no changes on a second up", async function () {
    const up = await ls.stack.up();
    assert.deepEqual(up.resourceChanges, { same: 6 });
  });
});
