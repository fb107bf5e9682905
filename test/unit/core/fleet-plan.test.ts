import { strict as assert } from "node:assert";
import { planCluster, planFleet } from "../../../core/fleet-plan";
import { ClusterPlan, PlanStep } from "../../../core/plan";
import { AS_OF, CLEAN_SETTINGS, exampleCatalog, fleet } from "../../support/domain-fixtures";

function plan(input: Parameters<typeof fleet>[0], maxParallel?: number): ClusterPlan {
  const f = fleet(input);
  return planCluster(f.clusters[0], exampleCatalog(), {
    asOf: AS_OF,
    ...(maxParallel ? { maxParallel } : {}),
  });
}

/** A standalone node with every preflight fact declared and passing. */
function node(name: string, version: string): object {
  return { name, version, settings: CLEAN_SETTINGS };
}

/** Plans a fleet of the one cluster given. */
function planOne(cluster: object): ClusterPlan {
  return plan({ clusters: [cluster] });
}

function actionsOf(p: ClusterPlan, node: string, hop?: number): string[] {
  return p.steps.filter((s) => s.node === node && (hop === undefined || s.hop === hop)).map((s) => s.action);
}

const cmCluster = {
  clusters: [
    {
      name: "prod-eu",
      target: "6.3",
      nodes: [
        {
          name: "sm",
          version: "6.0.5",
          roles: ["central-management", "search-master"],
          ha: true,
          settings: CLEAN_SETTINGS,
        },
        { name: "cm", version: "6.0.5", roles: ["managed-host"], settings: CLEAN_SETTINGS },
        { name: "min1", version: "6.0.5", roles: ["search-minion"], ha: true, settings: CLEAN_SETTINGS },
        { name: "min2", version: "6.0.5", roles: ["search-minion"], settings: CLEAN_SETTINGS },
      ],
      indexers: [
        { name: "idx6", os: "rhel6", version: "6.0.5" },
        { name: "idx7", os: "rhel7", version: "6.0.5" },
      ],
    },
  ],
} as const;

describe("fleet planner (plan-contract.md)", () => {
  it("S1/S2/S11: a standalone 5.0.3 node to 6.3 plans 5.0.3→5.0.9→6.0.7→6.3.2 with the license upload on the hop into 6", () => {
    const p = planOne({
      name: "one",
      target: "6.3",
      nodes: [node("sps", "5.0.3")],
    });
    assert.equal(p.target, "6.3.2");
    assert.deepEqual(p.hops, [
      { from: "5.0.3", to: "5.0.9" },
      { from: "5.0.9", to: "6.0.7" },
      { from: "6.0.7", to: "6.3.2" },
    ]);
    assert.ok(actionsOf(p, "sps", 2).includes("upload-license"));
    assert.ok(!actionsOf(p, "sps", 1).includes("upload-license"));
    assert.ok(!actionsOf(p, "sps", 3).includes("upload-license"));
    // S11: after the reboot, before the version check.
    const hop2 = actionsOf(p, "sps", 2);
    assert.ok(hop2.indexOf("reboot") < hop2.indexOf("upload-license"));
    assert.ok(hop2.indexOf("upload-license") < hop2.indexOf("verify-version"));
  });

  it("S5/S6/S7/S8/S9/S13/P12: a standalone hop is upload → test → activate → support bundle → reboot → verify", () => {
    const p = planOne({
      name: "one",
      target: "6.3",
      nodes: [node("sps", "6.0.7")],
    });
    assert.deepEqual(actionsOf(p, "sps", 1), [
      "upload-firmware",
      "test-firmware",
      "activate-firmware",
      "support-bundle",
      "reboot",
      "verify-version",
    ]);
  });

  it("H2: an HA pair hop follows the documented order, and H3: 6.0+ activates the secondary", () => {
    const p = planOne({
      name: "ha",
      target: "6.3",
      nodes: [{ ...node("pair", "6.0.7"), ha: true }],
    });
    assert.deepEqual(actionsOf(p, "pair", 1), [
      "upload-firmware",
      "test-firmware",
      "activate-firmware",
      "wait-secondary-sync",
      "shutdown-secondary",
      "support-bundle",
      "reboot",
      "verify-version",
      "power-on-secondary",
      "wait-secondary-rejoin",
      "activate-secondary",
      "verify-ha",
    ]);
  });

  it("H3: a hop to 5.11 has no activate-secondary step", () => {
    const p = planOne({
      name: "ha",
      target: "5.11",
      nodes: [{ ...node("pair", "5.9.2"), ha: true }],
    });
    const a = actionsOf(p, "pair", 1);
    assert.ok(a.includes("power-on-secondary"));
    assert.ok(!a.includes("activate-secondary"));
  });

  it("H1/S9: every node is rebooted exactly once per hop it takes, and no step reboots a cluster", () => {
    const p = plan(cmCluster);
    for (const node of ["sm", "cm", "min1", "min2"]) {
      for (const hop of [1, 2]) assert.equal(actionsOf(p, node, hop).filter((a) => a === "reboot").length, 1);
    }
    assert.ok(!p.steps.some((s) => /cluster/.test(s.action)));
  });

  it("S10: after a reboot, nothing acts on the node until it is back (the next step waits for it)", () => {
    const p = plan(cmCluster);
    for (const node of ["sm", "min1"]) {
      const a = actionsOf(p, node, 1);
      const next = a[a.indexOf("reboot") + 1];
      assert.ok(next === "verify-version" || next === "upload-license", `${node}: ${next}`);
    }
  });

  it("C1: per hop, minions come first, then managed hosts, then the search master (also CM)", () => {
    const p = plan(cmCluster);
    for (const hop of [1, 2]) {
      const firstWave = (n: string) =>
        Math.min(...p.steps.filter((s) => s.node === n && s.hop === hop).map((s) => s.wave));
      assert.ok(firstWave("min1") < firstWave("cm"));
      assert.equal(firstWave("min1"), firstWave("min2"));
      assert.ok(firstWave("cm") < firstWave("sm"));
    }
  });

  it("C1: a CM node that is not the search master goes before the search master", () => {
    const p = planOne({
      name: "c",
      target: "6.3",
      nodes: [
        { name: "sm", version: "6.0.7", roles: ["search-master"], settings: CLEAN_SETTINGS },
        {
          name: "cm",
          version: "6.0.7",
          roles: ["central-management", "search-local"],
          settings: CLEAN_SETTINGS,
        },
        node("mh", "6.0.7"),
      ],
    });
    const order = [...new Set(p.steps.filter((s) => s.hop === 1).map((s) => s.node))];
    assert.deepEqual(order, ["mh", "cm", "sm"]);
  });

  it("C2: nodes of one group share a wave (parallel), and maxParallel splits the group", () => {
    const nodes = Array.from({ length: 5 }, (_, i) => ({
      name: `m${i}`,
      version: "6.0.7",
      roles: ["search-minion" as const],
      settings: CLEAN_SETTINGS,
    }));
    const all = plan({ clusters: [{ name: "c", target: "6.3", nodes }] });
    assert.equal(new Set(all.steps.filter((s) => s.hop === 1).map((s) => s.wave)).size, 1);
    const two = plan({ clusters: [{ name: "c", target: "6.3", nodes }] }, 2);
    const waves = new Set(two.steps.filter((s) => s.hop === 1).map((s) => s.wave));
    assert.equal(waves.size, 3);
  });

  it("C3: no node starts hop k+1 before every node finished hop k", () => {
    const p = plan(cmCluster);
    const lastWaveOfHop1 = Math.max(...p.steps.filter((s) => s.hop === 1).map((s) => s.wave));
    const firstWaveOfHop2 = Math.min(...p.steps.filter((s) => s.hop === 2).map((s) => s.wave));
    assert.ok(lastWaveOfHop1 < firstWaveOfHop2);
  });

  it("C3: nodes on different versions are brought together hop by hop, with a warning", () => {
    const p = planOne({
      name: "mixed",
      target: "6.3",
      nodes: [node("a", "6.0.5"), node("b", "6.0.7")],
    });
    assert.deepEqual(p.hops, [
      { from: "6.0.5", to: "6.0.7" },
      { from: "6.0.7", to: "6.3.2" },
    ]);
    assert.deepEqual(actionsOf(p, "b", 1), []);
    assert.ok(actionsOf(p, "b", 2).includes("reboot"));
    assert.ok(p.findings.some((f) => f.rule === "C3" && f.severity === "warning"));
  });

  it("P1: every preflight and backup-config step comes before the first change, in wave 1", () => {
    const p = plan(cmCluster);
    const firstChange = p.steps.find((s) => s.action !== "preflight" && s.action !== "backup-config")!;
    const setup = p.steps.filter((s) => s.action === "preflight" || s.action === "backup-config");
    assert.equal(setup.length, 8);
    assert.ok(setup.every((s) => s.seq < firstChange.seq && s.wave === 1 && s.hop === null));
  });

  it("I1/I4: indexers are upgraded after each hop's appliance steps (never left older than SPS), with the per-OS commands", () => {
    const p = plan(cmCluster);
    assert.deepEqual(
      p.hops.map((h) => h.to),
      ["6.0.7", "6.3.2"],
    );
    const lastOfHop = (hop: number) =>
      Math.max(...p.steps.filter((s) => s.command === undefined && s.hop === hop).map((s) => s.wave));
    const firstOfHop = (hop: number) =>
      Math.min(...p.steps.filter((s) => s.command === undefined && s.hop === hop).map((s) => s.wave));
    const all = p.steps.filter((s) => s.node.startsWith("idx"));
    assert.ok(all.every((s) => s.hop === null));
    // Changed: indexers were upgraded once after the last hop, leaving SPS 6.0.7 newer than 6.0.5 indexers.
    const first = all.filter((s) => s.version === "6.0.7");
    assert.ok(first.length > 0 && first.every((s) => s.wave > lastOfHop(1) && s.wave < firstOfHop(2)));
    const idx = all.filter((s) => s.version === "6.3.2");
    assert.ok(idx.every((s) => s.wave > lastOfHop(2)));
    const cmd = (node: string, action: string) =>
      idx.find((s) => s.node === node && s.action === action)!.command;
    assert.equal(cmd("idx6", "stop-indexer"), "service external-indexer stop");
    assert.equal(cmd("idx7", "stop-indexer"), "systemctl stop external-indexer.service");
    assert.equal(cmd("idx7", "start-indexer"), "systemctl start external-indexer.service");
    assert.equal(
      cmd("idx6", "upgrade-indexer-package"),
      "yum upgrade -y /var/tmp/external-indexer-6.3.2.rpm",
    );
    assert.deepEqual(
      idx.filter((s) => s.node === "idx7").map((s) => s.action),
      [
        "backup-indexer-config",
        "copy-indexer-package",
        "stop-indexer",
        "upgrade-indexer-package",
        "start-indexer",
        "verify-indexer",
      ],
    );
  });

  it("I3: the indexer RPM for the SPS target is copied to the host before the service is stopped", () => {
    const p = plan(cmCluster);
    const host = p.steps.filter((s) => s.node === "idx7" && s.version === "6.3.2");
    const copy = host.find((s) => s.action === "copy-indexer-package")!;
    assert.match(copy.command!, /external-indexer-6\.3\.2\.rpm \/var\/tmp\/external-indexer-6\.3\.2\.rpm$/);
    assert.ok(copy.seq < host.find((s) => s.action === "stop-indexer")!.seq);
  });

  it("S3: a declared firmware image must carry a SHA-256 checksum to verify", () => {
    assert.throws(
      () =>
        fleet({
          clusters: [
            {
              name: "c",
              target: "6.3",
              nodes: [{ name: "n", version: "6.0.7" }],
              firmware: { "6.3.2": { path: "/isos/x.iso" } },
            },
          ],
        }),
      /sha256/,
    );
    assert.throws(
      () =>
        fleet({
          clusters: [
            {
              name: "c",
              target: "6.3",
              nodes: [{ name: "n", version: "6.0.7" }],
              firmware: { "6.3.2": { path: "/x.iso", sha256: "abc" } },
            },
          ],
        }),
      /SHA-256 checksum \(64 hex digits\)/,
    );
  });

  it("I2: the indexer configuration backup path depends on the installed indexer (5.11 vs 6.x)", () => {
    const p = planOne({
      name: "c",
      target: "6.0",
      nodes: [node("n", "5.11.2")],
      indexers: [{ name: "old", os: "rhel7", version: "5.11.2" }],
    });
    const backup = p.steps.find((s) => s.action === "backup-indexer-config")!;
    assert.match(backup.command!, /^cp -p \/opt\/external-indexer\/etc\/indexer\/indexerworker\.cfg /);
    assert.match(backup.command!, /indexer-certs\.cfg/);
  });

  it("I1: an indexer already at or past the SPS target is left alone", () => {
    const p = planOne({
      name: "c",
      target: "6.3",
      nodes: [node("n", "6.0.7")],
      indexers: [{ name: "new", os: "rhel8", version: "6.3.2" }],
    });
    assert.ok(!p.steps.some((s) => s.node === "new"));
  });

  it("P6/S4/S15: plugin builds are uploaded before a release hop and upgraded after the last hop", () => {
    const p = planOne({
      name: "c",
      target: "6.3",
      nodes: [
        {
          name: "n",
          version: "5.11.2",
          plugins: [
            {
              name: "aa-plugin",
              version: "1.0.0",
              builds: { "6.0": "1.1.0-DEPRECATED", "6.3": "2.0.0" },
            },
          ],
          settings: CLEAN_SETTINGS,
        },
      ],
    });
    const hop1 = actionsOf(p, "n", 1);
    assert.equal(hop1[0], "upload-plugin");
    assert.ok(!hop1.includes("upgrade-plugin"));
    const hop2 = actionsOf(p, "n", 2);
    assert.equal(hop2[0], "upload-plugin");
    assert.equal(hop2[hop2.length - 1], "upgrade-plugin");
    assert.equal(p.steps.find((s) => s.action === "upgrade-plugin")!.plugin, "aa-plugin");
    assert.deepEqual(
      p.findings.filter((f) => f.severity === "error"),
      [],
    );
  });

  it("V7: when firmware images are declared, a hop without one is a blocking finding", () => {
    const p = planOne({
      name: "c",
      target: "6.3",
      nodes: [node("n", "6.0.5")],
      firmware: { "6.0.7": { path: "/isos/sps-6.0.7.iso", sha256: "a".repeat(64) } },
    });
    const e = p.findings.filter((f) => f.severity === "error");
    assert.equal(e.length, 1);
    assert.equal(e[0].rule, "V7");
    assert.match(e[0].message, /6\.3\.2/);
  });

  it("P13/S16: a cluster with work gets the maintenance-window and Desktop Player notes", () => {
    const p = plan(cmCluster);
    assert.ok(p.findings.some((f) => f.rule === "P13" && /maintenance window/.test(f.message)));
    assert.ok(p.findings.some((f) => f.rule === "S16" && /Desktop Player/.test(f.message)));
  });

  it("V2: support findings use the --as-of date", () => {
    const cluster = fleet({
      clusters: [{ name: "c", target: "6.1", nodes: [{ name: "n", version: "6.0.7" }] }],
    }).clusters[0];
    const before = planCluster(cluster, exampleCatalog(), { asOf: "2020-05-01" });
    assert.ok(!before.findings.some((f) => f.rule === "V2" && /^target/.test(f.message)));
    const after = planCluster(cluster, exampleCatalog(), { asOf: "2021-01-01" });
    assert.ok(
      after.findings.some(
        (f) => f.rule === "V2" && /target 6\.1\.1 .* out of support since 2020-09-02/.test(f.message),
      ),
    );
    assert.ok(
      after.findings.some(
        (f) =>
          f.rule === "V2" && /running release 6\.0 \(6 LTS\) leaves support on 2022-11-18/.test(f.message),
      ),
    );
  });

  it("V6: an exact older target revision is warned about once per cluster, and the plan goes on", () => {
    const p = planOne({
      name: "c",
      target: "6.0.4",
      nodes: [node("a", "6.0.0"), node("b", "6.0.0")],
    });
    const v6 = p.findings.filter((f) => f.rule === "V6");
    assert.equal(v6.length, 1);
    assert.equal(v6[0].severity, "warning");
    assert.equal(v6[0].node, undefined);
    assert.deepEqual(p.hops, [{ from: "6.0.0", to: "6.0.4" }]);
  });

  it("a converged cluster has an empty plan", () => {
    const p = planOne({
      name: "c",
      target: "6.3",
      nodes: [{ name: "n", version: "6.3.2" }],
      indexers: [{ name: "i", os: "rhel9", version: "6.3.2" }],
    });
    assert.deepEqual(p.steps, []);
    assert.deepEqual(p.hops, []);
  });

  it("seq is 1..n and waves never decrease", () => {
    const doc = planFleet(fleet(cmCluster), exampleCatalog(), { asOf: AS_OF });
    const steps: PlanStep[] = doc.clusters[0].steps;
    steps.forEach((s, i) => assert.equal(s.seq, i + 1));
    for (let i = 1; i < steps.length; i++) assert.ok(steps[i].wave >= steps[i - 1].wave);
  });
});
