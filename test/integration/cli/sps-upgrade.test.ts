/**
 * `sps-upgrade plan` driven exactly as plan-contract.md writes it: a real child process,
 * real files, exit codes 0/1/2, JSON on stdout, one clear message on stderr.
 */
import { strict as assert } from "node:assert";
import { spawnSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { parseInventory, plannerFleet } from "../../../core/inventory";
import { PlanDocument } from "../../../core/plan";

const ROOT = join(__dirname, "..", "..", "..");
const BIN = join(ROOT, "bin", "sps-upgrade.js");
const CATALOG = join(ROOT, "examples", "fleets", "catalog.json");

function parsePlan(text: string): PlanDocument {
  return JSON.parse(text) as PlanDocument;
}

function run(...args: string[]) {
  const r = spawnSync(process.execPath, [BIN, ...args], { encoding: "utf8", cwd: ROOT, timeout: 60_000 });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

describe("sps-upgrade plan (offline planner CLI)", function () {
  this.timeout(60_000);
  let dir: string;
  const file = (name: string, content: unknown) => {
    const p = join(dir, name);
    writeFileSync(p, typeof content === "string" ? content : JSON.stringify(content));
    return p;
  };

  before(() => {
    dir = mkdtempSync(join(tmpdir(), "sps-plan-"));
  });
  after(() => rmSync(dir, { recursive: true, force: true }));

  it("exit 0: prints the documented plan document with --json (standalone 5.0.3 → 6.3)", () => {
    const r = run(
      "plan",
      "--fleet",
      join(ROOT, "examples/fleets/standalone.json"),
      "--catalog",
      CATALOG,
      "--json",
    );
    assert.equal(r.code, 0, r.stderr);
    const doc = parsePlan(r.stdout);
    const c = doc.clusters[0];
    assert.equal(c.name, "branch-office");
    assert.equal(c.target, "6.3.2");
    assert.deepEqual(
      c.hops.map((h: { to: string }) => h.to),
      ["5.0.9", "6.0.7", "6.3.2"],
    );
    const license = c.steps.filter((s: { action: string }) => s.action === "upload-license");
    assert.equal(license.length, 1);
    assert.equal(license[0].hop, 2);
    for (const s of c.steps)
      assert.deepEqual(Object.keys(s).slice(0, 5), ["seq", "wave", "hop", "node", "action"]);
    for (const f of c.findings)
      assert.ok(["error", "warning"].includes(f.severity) && typeof f.rule === "string");
  });

  it("exit 0: the readable output shows hops, a wave table and findings", () => {
    const r = run(
      "plan",
      "--fleet",
      join(ROOT, "examples/fleets/central-management.json"),
      "--catalog",
      CATALOG,
      "--as-of",
      "2020-10-01",
    );
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stdout, /Cluster prod-eu → 6\.3\.2/);
    assert.match(r.stdout, /hops: 6\.0\.5 → 6\.0\.7 → 6\.3\.2/);
    assert.match(r.stdout, /wave 2 {2}\(hop 1 → 6\.0\.7\)/);
    assert.match(r.stdout, /\$ systemctl stop external-indexer\.service/);
    assert.match(r.stdout, /\[P14\]/);
  });

  it("exit 0 with an empty plan when nothing is to be done", () => {
    const f = file("done.json", {
      clusters: [{ name: "c", target: "6.3.2", nodes: [{ name: "n", version: "6.3.2" }] }],
    });
    const r = run("plan", "--fleet", f, "--catalog", CATALOG, "--json");
    assert.equal(r.code, 0);
    assert.deepEqual(parsePlan(r.stdout).clusters[0].steps, []);
  });

  it("V3: a downgrade exits 1 and the JSON document still carries the V3 error finding", () => {
    const r = run(
      "plan",
      "--fleet",
      join(ROOT, "examples/fleets/downgrade.json"),
      "--catalog",
      CATALOG,
      "--json",
    );
    assert.equal(r.code, 1);
    const f = parsePlan(r.stdout).clusters[0].findings;
    assert.ok(f.some((x: { rule: string; severity: string }) => x.rule === "V3" && x.severity === "error"));
  });

  it("V8: Pyramid hardware past 5 LTS exits 1", () => {
    const f = file("pyr.json", {
      clusters: [
        { name: "c", target: "6.0", nodes: [{ name: "old", version: "5.0.3", hardware: "pyramid" }] },
      ],
    });
    const r = run("plan", "--fleet", f, "--catalog", CATALOG, "--json");
    assert.equal(r.code, 1);
    assert.match(r.stdout, /"rule": "V8"/);
  });

  it("P8: a blocking preflight finding exits 1", () => {
    const f = file("p8.json", {
      clusters: [
        {
          name: "c",
          target: "6.0.7",
          nodes: [{ name: "n", version: "6.0.0", settings: { diskFillupLimitPercent: 99 } }],
        },
      ],
    });
    assert.equal(run("plan", "--fleet", f, "--catalog", CATALOG).code, 1);
  });

  it("exit 2: a malformed fleet names the file and the field path", () => {
    const r = run("plan", "--fleet", join(ROOT, "examples/fleets/malformed.json"), "--json");
    assert.equal(r.code, 2);
    assert.equal(r.stdout, "");
    assert.match(
      r.stderr,
      /examples\/fleets\/malformed\.json: clusters\[0\]\.nodes\[2\]\.version: "6\.x" is not a version/,
    );
  });

  it("exit 2: invalid JSON, an unreadable file, a missing field, an unknown field", () => {
    const bad = file("bad.json", "{ not json");
    assert.match(run("plan", "--fleet", bad).stderr, /bad\.json: the fleet file is not valid JSON/);
    const missing = run("plan", "--fleet", join(dir, "nope.json"));
    assert.equal(missing.code, 2);
    assert.match(missing.stderr, /nope\.json: cannot read the fleet file \(ENOENT\)/);
    const noTarget = file("nt.json", { clusters: [{ name: "c", nodes: [{ name: "n", version: "6.0.1" }] }] });
    const r1 = run("plan", "--fleet", noTarget);
    assert.equal(r1.code, 2);
    assert.match(r1.stderr, /clusters\[0\]\.target: is required/);
    const typo = file("typo.json", {
      clusters: [{ name: "c", target: "6.3", nodes: [{ name: "n", version: "6.0.1", role: ["x"] }] }],
    });
    const r2 = run("plan", "--fleet", typo);
    assert.equal(r2.code, 2);
    assert.match(r2.stderr, /clusters\[0\]\.nodes\[0\]\.role: unknown field "role"/);
  });

  it("exit 2: a bad catalog names the catalog file and its field path", () => {
    const cat = file("cat.json", { schemaVersion: 1, releases: [{ version: "6.0", revisions: ["6.0"] }] });
    const r = run("plan", "--fleet", join(ROOT, "examples/fleets/standalone.json"), "--catalog", cat);
    assert.equal(r.code, 2);
    assert.match(r.stderr, /cat\.json: releases\[0\]\.revisions\[0\]: is not a revision/);
  });

  it("exit 2: bad flags are usage errors", () => {
    assert.equal(run("plan").code, 2);
    assert.equal(run("plan", "--fleet", "x.json", "--bogus").code, 2);
    assert.equal(run("explode").code, 2);
    assert.match(run("plan", "--fleet", "x", "--max-parallel", "0").stderr, /--max-parallel/);
  });

  it("without --catalog the bundled catalog is used (V7: a target it lacks is named)", () => {
    const f = file("b.json", {
      clusters: [{ name: "c", target: "6.3", nodes: [{ name: "n", version: "6.0.4" }] }],
    });
    const r = run("plan", "--fleet", f, "--json");
    assert.equal(r.code, 0, r.stdout);
    const c = parsePlan(r.stdout).clusters[0];
    assert.deepEqual(c.hops, [
      { from: "6.0.4", to: "6.0.12" },
      { from: "6.0.12", to: "6.3.0" },
    ]);
    const r2 = run(
      "plan",
      "--fleet",
      file("c.json", { clusters: [{ name: "c", target: "6.4", nodes: [{ name: "n", version: "6.0.4" }] }] }),
      "--json",
    );
    assert.equal(r2.code, 1);
    assert.match(r2.stdout, /target release 6\.4 is not in the release catalog/);
  });

  it("--max-parallel splits a wave", () => {
    const nodes = ["a", "b", "c"].map((n) => ({ name: n, version: "6.3.0" }));
    const f = file("mp.json", { clusters: [{ name: "c", target: "6.3.2", nodes }] });
    const one = parsePlan(
      run("plan", "--fleet", f, "--catalog", CATALOG, "--json", "--max-parallel", "1").stdout,
    );
    assert.equal(new Set(one.clusters[0].steps.map((s) => s.wave)).size, 4);
  });

  it("estimate: the JSON adds estimate per step, wave, cluster and fleet; the readable output shows it", () => {
    const fleetFile = join(ROOT, "examples/fleets/standalone.json");
    const doc = parsePlan(run("plan", "--fleet", fleetFile, "--catalog", CATALOG, "--json").stdout);
    const c = doc.clusters[0];
    assert.ok(c.steps.every((s) => s.estimate && s.estimate.seconds >= s.estimate.lowSeconds));
    assert.equal(c.estimate?.waves.length, 4);
    assert.equal(
      c.estimate?.seconds,
      c.estimate?.waves.reduce((t, w) => t + w.seconds, 0),
    );
    assert.equal(doc.estimate?.seconds, c.estimate?.seconds);
    const text = run("plan", "--fleet", fleetFile, "--catalog", CATALOG).stdout;
    assert.ok(text.includes(`  estimate: ${c.estimate?.text}`), text);
    assert.match(text, /in service \(not waited for, S10\): metadb import/);
  });

  it("P13: a maintenanceWindow the estimate does not fit exits 1 with a blocking P13 naming the numbers", () => {
    const cluster = (window: string) => ({
      clusters: [
        { name: "c", target: "6.3.2", maintenanceWindow: window, nodes: [{ name: "n", version: "6.0.7" }] },
      ],
    });
    const tight = run("plan", "--fleet", file("w1.json", cluster("1h")), "--catalog", CATALOG, "--json");
    assert.equal(tight.code, 1);
    const c = parsePlan(tight.stdout).clusters[0];
    assert.deepEqual(c.maintenanceWindow, { seconds: 3600, text: "1 h" });
    const p13 = c.findings.find((f) => f.rule === "P13" && f.severity === "error");
    assert.match(p13?.message ?? "", /does not fit the maintenance window of 1 h .*over by/);
    const roomy = run("plan", "--fleet", file("w2.json", cluster("8h")), "--catalog", CATALOG);
    assert.equal(roomy.code, 0, roomy.stdout);
    assert.match(roomy.stdout, /maintenance window: 8 h \(fits\)/);
    const bad = run("plan", "--fleet", file("w3.json", cluster("tonight")), "--catalog", CATALOG);
    assert.equal(bad.code, 2);
    assert.match(bad.stderr, /clusters\[0\]\.maintenanceWindow: "tonight" is not a duration/);
  });

  it("--inventory: plans the inventory file SpsFleet.fromInventory and doctor read, exactly as its planner fleet with --fleet", () => {
    const inventory = join(ROOT, "examples", "inventory", "fleet-inventory.json");
    const fromInventory = run(
      "plan",
      "--inventory",
      inventory,
      "--catalog",
      CATALOG,
      "--json",
      "--as-of",
      "2026-01-01",
    );
    assert.equal(fromInventory.code, 0, fromInventory.stderr);
    const parsed = parseInventory(JSON.parse(readFileSync(inventory, "utf8")));
    if (!parsed.ok) throw new Error("example inventory does not parse");
    const fleet = plannerFleet(parsed.inventory);
    if (!fleet.ok) throw new Error("example inventory has no planner fleet");
    const fromFleet = run(
      "plan",
      "--fleet",
      file("inv-fleet.json", fleet.fleet),
      "--catalog",
      CATALOG,
      "--json",
      "--as-of",
      "2026-01-01",
    );
    assert.equal(fromFleet.code, 0, fromFleet.stderr);
    assert.deepEqual(parsePlan(fromInventory.stdout), parsePlan(fromFleet.stdout));
    assert.deepEqual(
      parsePlan(fromInventory.stdout).clusters.map((c) => c.name),
      parsed.inventory.clusters.map((c) => c.name),
    );
    // The readable output, too.
    assert.match(
      run("plan", "--inventory", inventory, "--catalog", CATALOG).stdout,
      /^Cluster branch-01 → /m,
    );
  });

  it("--inventory: exit 2 naming the file and the field path of a node without a version; --fleet with --inventory is a usage error", () => {
    const noVersion = file("inv-no-version.json", {
      schemaVersion: 1,
      defaults: { target: "6.3", tls: { system: true } },
      clusters: [{ name: "c1", nodes: [{ name: "n1", address: "https://n1.example.com" }] }],
    });
    const r = run("plan", "--inventory", noVersion, "--json");
    assert.equal(r.code, 2);
    assert.match(
      r.stderr,
      /inv-no-version\.json: clusters\[0\]\.nodes\[0\]\.version: is required for offline planning/,
    );
    assert.equal(r.stdout, "");
    const bad = run(
      "plan",
      "--inventory",
      file("inv-bad.json", { schemaVersion: 1, clusters: [{ name: "c1" }] }),
    );
    assert.equal(bad.code, 2);
    assert.match(bad.stderr, /inv-bad\.json: clusters\[0\]\.nodes/);
    const both = run("plan", "--fleet", noVersion, "--inventory", noVersion);
    assert.equal(both.code, 2);
    assert.match(both.stderr, /--fleet and --inventory: give one of them, not both/);
    assert.match(run("plan").stderr, /--fleet FLEET\.json \(or --inventory INVENTORY\.json\) is required/);
  });
});
