/**
 * `sps-upgrade doctor` against emulated fleets (read-only): a healthy fleet, a degraded HA pair, a node
 * too old for the support-bundle API, a wrong CA, a wrong password and an unreachable node; exit codes
 * 0 / 1 / 2; --json; --write-facts makes `sps-upgrade plan` check rules it otherwise reports
 * "not checked" (P2, P8).
 */
import assert from "node:assert/strict";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { runCliCaptured, type CliRun } from "../../support/cli-run";
import { createFleetCa } from "../../../emulator/common/certificates";
import type { RunningFleet } from "../../../emulator/lab/fleet";
import { ADMIN, FleetHarness } from "../appliance/emulated-fleet";

const cli = (...args: string[]): Promise<CliRun> => runCliCaptured(args);

async function closedPort(): Promise<number> {
  const s = createServer();
  await new Promise<void>((r) => s.listen(0, "127.0.0.1", () => r()));
  const port = (s.address() as { port: number }).port;
  await new Promise<void>((r) => s.close(() => r()));
  return port;
}

interface JsonNode {
  name: string;
  version: string | null;
  ready: boolean;
  routes: Array<{ action: string; route: string; detail: string }>;
  facts: Record<string, unknown>;
  access: { reachable: boolean; tls: boolean; login: boolean; error?: string };
  blockers: string[];
}

describe("sps-upgrade doctor against emulated fleets (read-only readiness)", function () {
  this.timeout(60_000);
  const harness = new FleetHarness();
  let dir: string;
  let fleet: RunningFleet;
  let credentialsFile: string;

  before(async () => {
    dir = mkdtempSync(join(tmpdir(), "doctor-test-"));
    fleet = await harness.start({
      clusters: [
        {
          name: "dc1",
          nodes: [
            { name: "sps7", version: "7.0.3", roles: ["central-management", "search-master"] },
            { name: "ha7", version: "7.0.3", ha: true, roles: ["managed-host", "search-minion"] },
          ],
        },
        { name: "old", nodes: [{ name: "sps6", version: "6.0.5" }] },
      ],
    });
    credentialsFile = join(dir, "credentials.json");
    writeFileSync(
      credentialsFile,
      JSON.stringify({ appliance: { username: ADMIN.username, password: ADMIN.password } }),
    );
  });
  after(async () => {
    await harness.stopAll();
    rmSync(dir, { recursive: true, force: true });
  });

  function inventory(overrides: Record<string, Record<string, unknown>> = {}, extra: unknown[] = []): string {
    const node = (name: string, version: string, rest: Record<string, unknown> = {}) => ({
      name,
      version,
      address: fleet.node(name).url,
      ...rest,
      ...overrides[name],
    });
    const file = join(dir, `inventory-${Math.random().toString(36).slice(2)}.json`);
    writeFileSync(
      file,
      JSON.stringify({
        defaults: { target: "7.0", tls: { caFile: fleet.node("sps7").caCertPath } },
        clusters: [
          {
            name: "dc1",
            nodes: [
              node("sps7", "7.0.3", { roles: ["central-management", "search-master"] }),
              node("ha7", "7.0.3", { ha: true, roles: ["managed-host", "search-minion"] }),
            ],
          },
          { name: "old", target: "6.3", nodes: [node("sps6", "6.0.5")] },
          ...extra,
        ],
      }),
    );
    return file;
  }

  const json = async (...args: string[]): Promise<{ code: number; nodes: JsonNode[]; stderr: string }> => {
    const r = await cli("doctor", ...args, "--json", "--credentials", credentialsFile);
    return { code: r.code, nodes: (JSON.parse(r.stdout) as { nodes: JsonNode[] }).nodes, stderr: r.stderr };
  };

  it("a healthy fleet: the table, every node ready, exit 0; nothing written to any node", async () => {
    const writesBefore = fleet.events.list().filter((e) => e.kind === "action" && e.name !== "login").length;
    const r = await cli("doctor", "--inventory", inventory(), "--credentials", credentialsFile);
    assert.equal(r.code, 0, r.stdout + r.stderr);
    assert.match(r.stdout, /^node\s+cluster\s+reach\s+tls\s+login\s+version/);
    assert.match(r.stdout, /^sps7\s+dc1\s+yes\s+yes\s+yes\s+7\.0\.3\s+central-management\+search-master/m);
    assert.match(r.stdout, /all 3 node\(s\) ready/);
    assert.match(r.stdout, /reboot\s+manual gate/);
    const writesAfter = fleet.events.list().filter((e) => e.kind === "action" && e.name !== "login").length;
    assert.equal(writesAfter, writesBefore, "doctor is read-only");
  });

  it("--json: per node name, version, ready, routes and facts; a node too old for the support-bundle API takes the manual gate", async () => {
    const { code, nodes } = await json("--inventory", inventory());
    assert.equal(code, 0);
    const by = Object.fromEntries(nodes.map((n) => [n.name, n]));
    assert.equal(by.sps7?.version, "7.0.3");
    assert.equal(by.sps7?.ready, true);
    assert.equal(by.sps7?.facts.healthOk, true);
    assert.equal(typeof by.sps7?.facts.diskFillupLimitPercent, "number");
    assert.equal(typeof by.sps7?.facts.freeFirmwareSlots, "number");
    const route = (n: string, a: string) => by[n]?.routes.find((r) => r.action === a)?.route;
    // As up decides it: without evidenceDir the bundle is downloaded by hand even where REST offers it.
    assert.equal(route("sps7", "support-bundle"), "manual gate");
    assert.match(
      by.sps7?.routes.find((r) => r.action === "support-bundle")?.detail ?? "",
      /no evidenceDir is set/,
    );
    const withDir = Object.fromEntries(
      (await json("--inventory", inventory(), "--evidence-dir", join(dir, "evidence"))).nodes.map((n) => [
        n.name,
        n,
      ]),
    );
    assert.equal(withDir.sps7?.routes.find((r) => r.action === "support-bundle")?.route, "REST");
    assert.equal(withDir.sps6?.routes.find((r) => r.action === "support-bundle")?.route, "manual gate");
    assert.match(
      withDir.sps6?.routes.find((r) => r.action === "support-bundle")?.detail ?? "",
      /no support-bundle in the node's REST tree/,
    );
    assert.equal(route("sps7", "upload-firmware"), "REST");
    assert.equal(route("sps7", "upload-license"), "manual gate");
    assert.equal(route("ha7", "power-on-secondary"), "manual gate");
    assert.equal(route("sps7", "power-on-secondary"), undefined, "no HA step on a standalone node");
  });

  it("the routes follow the system-control routing as up decides it: ssh is our wrapper, ipmi IPMI; a node without a core shell is refused, as up refuses it", async () => {
    const sc = join(dir, "system-control.json");
    writeFileSync(
      sc,
      JSON.stringify({ rebootNode: { channel: "ssh" }, powerOnSecondary: { channel: "ipmi" } }),
    );
    // No coreShell declared: up refuses this configuration, so doctor reports it, and shows no wrapper route.
    const refused = await json("--inventory", inventory(), "--system-control", sc);
    assert.equal(refused.code, 1);
    const bare = refused.nodes.find((n) => n.name === "ha7")!;
    assert.deepEqual(bare.routes, []);
    assert.match(
      bare.blockers.join("\n"),
      /nodes\["ha7"\]\.coreShell: missing: systemControl\.rebootNode uses the ssh channel/,
    );
    // Declared (the core shell is not contacted: no routed operation reads through it here).
    const shell = { host: "127.0.0.1", port: 2222, hostKeySha256: `SHA256:${"A".repeat(43)}` };
    const creds = join(dir, "creds-channels.json");
    writeFileSync(
      creds,
      JSON.stringify({
        appliance: { username: ADMIN.username, password: ADMIN.password },
        coreShell: { username: "root", password: "shell-Passw0rd" },
        ipmi: { username: "bmc", password: "bmc-Passw0rd" },
      }),
    );
    const file = inventory({
      sps7: { coreShell: shell },
      sps6: { coreShell: shell },
      ha7: {
        coreShell: shell,
        bmc: { a: { host: "127.0.0.1", port: 6231 }, b: { host: "127.0.0.1", port: 6232 } },
      },
    });
    const r = await cli(
      "doctor",
      "--inventory",
      file,
      "--json",
      "--credentials",
      creds,
      "--system-control",
      sc,
    );
    const ha = (JSON.parse(r.stdout) as { nodes: JsonNode[] }).nodes.find((n) => n.name === "ha7")!;
    assert.equal(ha.routes.find((r) => r.action === "reboot")?.route, "wrapper");
    assert.match(
      ha.routes.find((r) => r.action === "reboot")?.detail ?? "",
      /pulumi-sps-wrapper, operator-installed, not an SPS command/,
    );
    assert.equal(ha.routes.find((r) => r.action === "power-on-secondary")?.route, "IPMI");
    // The HA activation: a manual gate unless upgradeCall "selects" is declared (as up decides it).
    assert.equal(ha.routes.find((r) => r.action === "activate-firmware")?.route, "manual gate");
  });

  it("a wrong CA, a wrong password and an unreachable node: each named, exit 1, no password in the output", async () => {
    const otherCa = await createFleetCa(join(dir, "other-ca"), "Some other CA");
    const port = await closedPort();
    const creds = join(dir, "creds-wrong.json");
    writeFileSync(
      creds,
      JSON.stringify({
        appliance: { username: ADMIN.username, password: ADMIN.password },
        nodes: { ha7: { username: ADMIN.username, password: "Wrong-Passw0rd-4711" } },
      }),
    );
    const file = inventory({
      sps7: { tls: { caFile: otherCa.caCertPath } },
      sps6: { address: `https://127.0.0.1:${port}` },
    });
    const r = await cli("doctor", "--inventory", file, "--json", "--credentials", creds);
    assert.equal(r.code, 1);
    assert.ok(!r.stdout.includes("Wrong-Passw0rd-4711") && !r.stdout.includes(ADMIN.password));
    const by = Object.fromEntries(
      (JSON.parse(r.stdout) as { nodes: JsonNode[] }).nodes.map((n) => [n.name, n]),
    );
    assert.deepEqual(
      [by.sps7?.access.reachable, by.sps7?.access.tls, by.sps7?.access.login],
      [true, false, false],
      "wrong CA: reachable, TLS trust fails",
    );
    assert.match(by.sps7?.blockers[0] ?? "", /TLS trust failed/);
    assert.deepEqual(
      [by.ha7?.access.tls, by.ha7?.access.login],
      [true, false],
      "wrong password: login fails",
    );
    assert.match(by.ha7?.blockers[0] ?? "", /login failed/);
    assert.equal(by.sps6?.access.reachable, false);
    assert.match(by.sps6?.blockers[0] ?? "", /not reachable/);
    assert.equal(by.sps6?.version, null);
  });

  it("bad input exits 2: no credentials, a broken inventory; --help exits 0", async () => {
    const saved = process.env["SPS_UPGRADE_CREDENTIALS"];
    delete process.env["SPS_UPGRADE_CREDENTIALS"];
    try {
      const none = await cli("doctor", "--inventory", inventory());
      assert.equal(none.code, 2);
      assert.match(none.stderr, /no REST login: set \$SPS_UPGRADE_CREDENTIALS/);
    } finally {
      if (saved !== undefined) process.env["SPS_UPGRADE_CREDENTIALS"] = saved;
    }
    const broken = join(dir, "broken.json");
    writeFileSync(
      broken,
      JSON.stringify({ clusters: [{ name: "x", nodes: [{ name: "a", address: "http://a" }] }] }),
    );
    const bad = await cli("doctor", "--inventory", broken, "--credentials", credentialsFile);
    assert.equal(bad.code, 2);
    assert.match(bad.stderr, /clusters\[0\]\.nodes\[0\]\.address/);
    const help = await cli("doctor", "--help");
    assert.equal(help.code, 0);
    assert.match(help.stdout, /^usage: sps-upgrade doctor/);
    assert.equal(
      (await cli("doctor", "--inventory", inventory(), "--password", "x")).code,
      2,
      "no password flag",
    );
  });

  it("--write-facts: plan on the facts read reports fewer rules 'not checked' than on the declared fleet", async () => {
    const inv = inventory();
    const declared = join(dir, "declared-fleet.json");
    // The declared fleet: the planner's fleet of the same inventory, with no facts.
    const { plannerFleet, parseInventory } = await import("../../../core/inventory");
    const parsed = parseInventory(JSON.parse(readFileSync(inv, "utf8")));
    assert.ok(parsed.ok);
    const pf = plannerFleet(parsed.inventory);
    assert.ok(pf.ok);
    writeFileSync(declared, JSON.stringify(pf.fleet));
    const withFacts = join(dir, "fleet-with-facts.json");
    const r = await cli(
      "doctor",
      "--inventory",
      inv,
      "--credentials",
      credentialsFile,
      "--write-facts",
      withFacts,
    );
    assert.equal(r.code, 0, r.stdout);
    const notChecked = async (file: string): Promise<number> => {
      const p = await cli("plan", "--fleet", file, "--json", "--as-of", "2026-12-01");
      const doc = JSON.parse(p.stdout) as {
        clusters: Array<{ findings: Array<{ status?: string; rule: string; node?: string }> }>;
      };
      const list = doc.clusters.flatMap((c) => c.findings).filter((f) => f.status === "not-checked");
      console.log(
        `      ${file.endsWith("declared-fleet.json") ? "declared" : "with facts"}: ${list.map((f) => `${f.rule}/${f.node ?? "-"}`).join(" ")}`,
      );
      return list.length;
    };
    const before = await notChecked(declared);
    const after = await notChecked(withFacts);
    console.log(
      `      plan "not checked" findings: declared facts ${before}, after doctor --write-facts ${after}`,
    );
    assert.ok(after < before, `${after} < ${before}`);
    const written = JSON.parse(readFileSync(withFacts, "utf8")) as {
      clusters: Array<{ nodes: Array<{ name: string; version: string; settings: Record<string, unknown> }> }>;
    };
    const sps7 = written.clusters[0]?.nodes.find((n) => n.name === "sps7");
    assert.equal(sps7?.settings.healthOk, true);
    assert.equal(typeof sps7?.settings.diskFillupLimitPercent, "number");
  });

  it("last: a degraded HA pair will stop the run: exit 1, the blocker named", async () => {
    fleet.systemControl("ha7").shutdownSecondary();
    try {
      const { code, nodes } = await json("--inventory", inventory());
      assert.equal(code, 1);
      const ha = nodes.find((n) => n.name === "ha7")!;
      assert.equal(ha.ready, false);
      assert.match(ha.blockers.join("\n"), /P2: health not OK \(RAID Degraded\)/);
      assert.equal(nodes.find((n) => n.name === "sps7")?.ready, true);
    } finally {
      // Last test of the file: the pair needs (real) minutes to resync at time scale 1.
      fleet.systemControl("ha7").powerOn("secondary");
    }
  });
});
