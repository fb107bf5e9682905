/**
 * Recordings close the loop with real appliances: the client's parsers against answers kept in the
 * repository (test/recordings/, built from the guides' documented samples), served by an emulated
 * node seeded from the recording (emulator/sps/recorded-answers.ts); and `doctor --record DIR` saves what
 * a node answered — without cookies, passwords, tokens or license texts — in a form the emulator can
 * be seeded with again.
 */
import assert from "node:assert/strict";
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { runCliCaptured, type CliRun } from "../../support/cli-run";
import { readLicense } from "../../../provider/clients/sps/license-reading";
import { RecordingSchema, recordedAnswer, writeRecording } from "../../../provider/clients/sps/recording";
import { readCapabilities } from "../../../provider/clients/sps/rest-capabilities";
import { indexersSeen } from "../../../provider/clients/sps/indexer-workers";
import { seedFromRecording } from "../../../emulator/sps/recorded-answers";
import { ADMIN, FleetHarness, singleNodeFleet } from "./emulated-fleet";

const RECORDINGS = join(__dirname, "..", "..", "recordings");

const cli = (...args: string[]): Promise<CliRun> => runCliCaptured(args);

describe("recordings: parsers against recorded answers, doctor --record, the emulator seeded from a recording", function () {
  this.timeout(60_000);
  const harness = new FleetHarness();
  let dir: string;
  before(() => {
    dir = mkdtempSync(join(tmpdir(), "recordings-test-"));
  });
  after(async () => {
    await harness.stopAll();
    rmSync(dir, { recursive: true, force: true });
  });

  it("every recording kept in the repository is valid", () => {
    const files = readdirSync(RECORDINGS).filter((f) => f.endsWith(".json"));
    assert.ok(files.length > 0);
    for (const f of files) RecordingSchema.parse(JSON.parse(readFileSync(join(RECORDINGS, f), "utf8")));
  });

  it("the client reads the guides' sample answers (info, slots, health, license, disk fill-up, REST tree)", async () => {
    const fleet = await harness.start(singleNodeFleet("7.0.3"));
    seedFromRecording(
      fleet.node("sps1").node,
      JSON.parse(readFileSync(join(RECORDINGS, "guide-samples-sps1.json"), "utf8")),
    );
    const client = harness.client(fleet, "sps1");
    const info = await client.getInfo();
    assert.equal(info.firmwareVersion, "5.7.0", "the recorded answer, not the emulator's 7.0.3");
    assert.deepEqual(info.roles, ["central-management", "search-master"]);
    assert.equal(info.versionLabel, "5 F7");
    const slots = await client.listFirmwareSlots();
    assert.equal(slots.emptySlots, 3);
    assert.equal(slots.currentSlot, 1);
    assert.deepEqual(
      slots.slots.filter((s) => !s.empty).map((s) => s.version),
      ["5.7.0", "5.6.0"],
    );
    const health = await client.getHealth();
    assert.equal(health.raidStatus, "OK");
    assert.equal(health.firmwareIntegrity.core, "OK");
    assert.deepEqual(indexersSeen(health.raw), [{ ip: "10.40.0.21", workers: 3 }]);
    const license = readLicense((await client.getLicense()).raw, new Date("2026-12-01T00:00:00Z"));
    assert.equal(license.major, 5);
    assert.equal(license.validity, "valid");
    assert.equal(license.limitType, "host");
    assert.equal((await client.getDiskFillupPrevention()).usedSpaceRatioLimit, 80);
    assert.deepEqual(await readCapabilities(client), {
      supportBundle: true,
      firmwareFetch: true,
      firmwareUpload: true,
      firmwareTest: true,
      firmwareUpgrade: true,
    });
  });

  it("doctor --record saves the read answers without cookies, passwords or license texts; a node seeded from it reads the same", async () => {
    const fleet = await harness.start(singleNodeFleet("7.0.3"));
    const node = fleet.node("sps1");
    // A license answer carrying a license text (e.g. a PEM-like blob) must not be recorded.
    const inv = join(dir, "inventory.json");
    writeFileSync(
      inv,
      JSON.stringify({
        defaults: { target: "7.0", tls: { caFile: node.caCertPath } },
        clusters: [{ name: "solo", nodes: [{ name: "sps1", address: node.url }] }],
      }),
    );
    const creds = join(dir, "creds.json");
    writeFileSync(
      creds,
      JSON.stringify({ appliance: { username: ADMIN.username, password: ADMIN.password } }),
    );
    const out = join(dir, "recorded");
    const r = await cli("doctor", "--inventory", inv, "--credentials", creds, "--json", "--record", out);
    assert.equal(r.code, 0, r.stdout + r.stderr);
    const text = readFileSync(join(out, "solo__sps1.json"), "utf8");
    assert.ok(!text.includes(ADMIN.password), "no password");
    assert.ok(!/session_id=|set-cookie/i.test(text), "no cookie");
    assert.ok(!text.includes(Buffer.from(`${ADMIN.username}:${ADMIN.password}`).toString("base64")));
    const recording = RecordingSchema.parse(JSON.parse(text));
    const paths = recording.answers.map((a) => a.path).sort();
    for (const p of [
      "/api/info",
      "/api/firmware/slots",
      "/api/health_status",
      "/api/configuration/management/license",
    ])
      assert.ok(paths.includes(p), `${p} recorded (${paths.join(", ")})`);
    assert.ok(!paths.some((p) => p.startsWith("/api/authentication")), "no login answer");
    const facts = (JSON.parse(r.stdout) as { nodes: Array<{ facts: unknown; version: string }> }).nodes[0];

    // Replay: a fresh node on another version, seeded from the recording, gives doctor the same facts.
    const replay = await harness.start(singleNodeFleet("6.0.5"));
    seedFromRecording(replay.node("sps1").node, recording);
    const inv2 = join(dir, "inventory2.json");
    writeFileSync(
      inv2,
      JSON.stringify({
        defaults: { target: "7.0", tls: { caFile: replay.node("sps1").caCertPath } },
        clusters: [{ name: "solo", nodes: [{ name: "sps1", address: replay.node("sps1").url }] }],
      }),
    );
    const again = await cli("doctor", "--inventory", inv2, "--credentials", creds, "--json");
    const replayed = (JSON.parse(again.stdout) as { nodes: Array<{ facts: unknown; version: string }> })
      .nodes[0];
    assert.equal(replayed?.version, "7.0.3");
    assert.deepEqual(replayed?.facts, facts?.facts);
  });

  it("recordings of same-named nodes in two clusters go to two files (<cluster>__<node>.json), neither overwritten", () => {
    const answer = (version: string) => ({
      method: "GET" as const,
      path: "/api/info",
      status: 200,
      contentType: "application/json",
      body: { body: { firmware_version: version } },
    });
    const out = join(dir, "two-clusters");
    rmSync(out, { recursive: true, force: true });
    mkdirSync(out, { recursive: true });
    const a = writeRecording(out, "east", "sps1", [answer("6.0.5")]);
    const b = writeRecording(out, "west", "sps1", [answer("7.0.3")]);
    assert.notEqual(a, b);
    assert.deepEqual(readdirSync(out).sort(), ["east__sps1.json", "west__sps1.json"]);
    const versionIn = (f: string) =>
      RecordingSchema.parse(JSON.parse(readFileSync(f, "utf8"))).answers[0]?.body;
    assert.deepEqual(versionIn(a), { body: { firmware_version: "6.0.5" } });
    assert.deepEqual(versionIn(b), { body: { firmware_version: "7.0.3" } });
  });

  it("redaction: a secret of any length (even 1–3 characters) is removed from recorded bodies", () => {
    const rec = recordedAnswer(
      {
        method: "GET",
        path: "/api/info",
        status: 200,
        headers: { "content-type": "application/json" },
        body: Buffer.from(JSON.stringify({ body: { note: "pw=x9Q end" } })),
      },
      ["x9Q", ""],
    );
    assert.deepEqual(rec?.body, { body: { note: "pw=[redacted] end" } });
  });

  it("redaction: secrets anywhere, token-like fields and license texts are removed; writes are not kept", () => {
    const body = (o: unknown) => Buffer.from(JSON.stringify(o));
    const lic = recordedAnswer(
      {
        method: "GET",
        path: "/api/configuration/management/license",
        status: 200,
        headers: { "content-type": "application/json", "set-cookie": ["session_id=abc"] },
        body: body({
          body: {
            serial: "S-1",
            license: "-----BEGIN LICENSE-----\nAAAA\n-----END LICENSE-----",
            valid_not_after: "2030-01-01",
          },
        }),
      },
      [],
    );
    assert.deepEqual(lic?.body, {
      body: { serial: "S-1", license: "[redacted]", valid_not_after: "2030-01-01" },
    });
    assert.equal(lic?.contentType, "application/json");
    assert.ok(!JSON.stringify(lic).includes("abc"));
    const other = recordedAnswer(
      {
        method: "GET",
        path: "/api/info",
        status: 200,
        headers: {},
        body: body({ body: { note: "pw is Sekret-123 here", api_token: "t0k3n" } }),
      },
      ["Sekret-123"],
    );
    assert.deepEqual(other?.body, { body: { note: "pw is [redacted] here", api_token: "[redacted]" } });
    assert.equal(
      recordedAnswer(
        { method: "POST", path: "/api/transaction", status: 200, headers: {}, body: body({}) },
        [],
      ),
      undefined,
    );
  });
});
