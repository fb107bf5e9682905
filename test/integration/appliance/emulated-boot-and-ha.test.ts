import assert from "node:assert/strict";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { ApplianceApiError } from "../../../provider/clients/sps/api-error";
import { sha256OfFile, writeFakeFirmwareIso } from "../../../emulator/sps/firmware-iso";
import { buildLicenseFile } from "../../../emulator/sps/license";
import { licenseFacts, licenseValidFor } from "../../../provider/executor/node-state";
import { FleetHarness, rawRequest, singleNodeFleet, waitFor } from "./emulated-fleet";

/** 600x: a 15-minute first boot takes 1.5 s. */
const SCALE = 600;

describe("emulated appliance reboots and HA upgrade through the REST client (time scale 600)", function () {
  this.timeout(30_000);
  const harness = new FleetHarness();
  let dir: string;
  let iso: string;
  let isoSha: string;

  before(async function () {
    dir = mkdtempSync(join(tmpdir(), "sps-boot-"));
    iso = join(dir, "sps-6.0.7.iso");
    await writeFakeFirmwareIso(iso, "6.0.7");
    isoSha = await sha256OfFile(iso);
  });

  after(async function () {
    await harness.stopAll();
    rmSync(dir, { recursive: true, force: true });
  });

  it("drops connections while down, serves an HTML progress page (not the REST API, not a setup status) during the firmware boot, then runs the new version (S10, S13)", async function () {
    const fleet = await harness.start(singleNodeFleet("6.0.5", { emulator: { upgradeCall: "selects" } }), {
      timeScale: SCALE,
    });
    const client = harness.client(fleet, "sps1", { retry: { attempts: 1 } });
    const up = await client.uploadFirmware({ path: iso, sha256: isoSha });
    assert.ok((await client.testFirmware(up.slotId)).passed);
    await client.activateFirmware(up.slotId, "hop 1");
    const started = Date.now();
    fleet.systemControl("sps1").rebootThisNode();

    const whileDown = await client.getSetupStatus().then(
      () => undefined,
      (e: unknown) => e as ApplianceApiError,
    );
    assert.ok(whileDown instanceof ApplianceApiError);
    assert.equal(whileDown.failure, "network", "no network service while the node is down");

    // [doc] the web interface shows status information during the firmware boot: an HTML page on every path.
    await waitFor(
      async () => {
        const a = await rawRequest(fleet, "sps1", { method: "GET", path: "/api/setup" }).catch(
          () => undefined,
        );
        return a !== undefined && String(a.headers["content-type"]).startsWith("text/html");
      },
      5000,
      "first boot progress page",
    );
    const e = await client.getHealth().then(
      () => undefined,
      (err: unknown) => err as ApplianceApiError,
    );
    assert.equal(e?.failure, "protocol", "an HTML page is no REST answer");
    const setup = await client.getSetupStatus().then(
      () => "answered",
      () => "no setup status",
    );
    assert.equal(
      setup,
      "no setup status",
      "/api/setup does not claim a welcome-wizard status during the boot",
    );

    await waitFor(
      async () => (await client.getFirmwareVersion().catch(() => undefined)) === "6.0.7",
      10_000,
      "boot end",
    );
    const elapsed = Date.now() - started;
    assert.ok(elapsed >= 1400, `a 15-minute first boot takes about 1.5 s at scale 600 (took ${elapsed} ms)`);
    assert.deepEqual(
      fleet.events.list({ node: "sps1", name: "reboot" }).map((r) => r.detail?.via),
      ["system-control"],
    );
  });

  it('in the "reboots" reading the upgrade call itself reboots the node shortly after answering, once', async function () {
    const fleet = await harness.start(singleNodeFleet("6.0.5", { emulator: { upgradeCall: "reboots" } }), {
      timeScale: SCALE,
    });
    const client = harness.client(fleet, "sps1", { retry: { attempts: 1 } });
    const up = await client.uploadFirmware({ path: iso, sha256: isoSha });
    const answer = await client.activateFirmware(up.slotId, "hop 1");
    assert.match(answer.summary, /HA check/, "the call answers before the node goes down");
    await waitFor(
      async () => (await client.getFirmwareVersion().catch(() => "gone")) === "gone",
      5000,
      "node going away after the call",
    );
    await waitFor(
      async () => (await client.getFirmwareVersion().catch(() => undefined)) === "6.0.7",
      10_000,
      "boot into 6.0.7",
    );
    const reboots = fleet.events.list({ node: "sps1", name: "reboot" });
    assert.deepEqual(
      reboots.map((r) => r.detail?.via),
      ["upgrade-call"],
    );
  });

  it("booting from 5.0.x shows nothing on the web interface until 6.0 is up: connections are dropped [doc 6.0 guide]", async function () {
    const five = join(dir, "sps-6.0.1.iso");
    await writeFakeFirmwareIso(five, "6.0.1");
    const fleet = await harness.start(singleNodeFleet("5.0.0", { emulator: { upgradeCall: "selects" } }), {
      timeScale: SCALE,
    });
    const client = harness.client(fleet, "sps1", { retry: { attempts: 1 } });
    const up = await client.uploadFirmware({ path: five, sha256: await sha256OfFile(five) });
    await client.activateFirmware(up.slotId, null);
    fleet.systemControl("sps1").rebootThisNode();
    await waitFor(() => fleet.node("sps1").node.serviceState() === "booting", 5000, "first boot");
    const during = await client.getSetupStatus().then(
      () => undefined,
      (e: unknown) => e as ApplianceApiError,
    );
    assert.equal(during?.failure, "network");
  });

  it("comes back on the old version when the firmware rolls back at boot (S13)", async function () {
    const fleet = await harness.start(
      singleNodeFleet("6.0.5", { emulator: { faults: { rollbackOnBoot: true } } }),
      { timeScale: SCALE },
    );
    const client = harness.client(fleet, "sps1");
    const up = await client.uploadFirmware({ path: iso, sha256: isoSha });
    await client.activateFirmware(up.slotId, null);
    fleet.systemControl("sps1").rebootThisNode();
    await waitFor(
      async () => (await client.getSetupStatus().catch(() => ({ status: "down" }))).status === "completed",
      10_000,
    );
    assert.equal(await client.getFirmwareVersion(), "6.0.5");
    assert.equal(fleet.events.list({ node: "sps1", name: "rollback" }).length, 1);
  });

  it("runs the HA sequence: activate, wait for sync, shut down secondary, reboot, power on, rejoin, activate secondary (H2)", async function () {
    const fleet = await harness.start(
      {
        clusters: [
          {
            name: "ha",
            // The "selects" reading: the REST call only selects (the default "reboots" would reboot the
            // primary while the secondary runs — the H2 hazard the executor's manual gate avoids).
            nodes: [
              {
                name: "sm",
                version: "5.11.2",
                ha: true,
                roles: ["central-management"],
                emulator: { upgradeCall: "selects" },
              },
            ],
          },
        ],
      },
      { timeScale: SCALE },
    );
    const client = harness.client(fleet, "sm");
    const sc = fleet.systemControl("sm");
    const iso60 = join(dir, "sps-6.0.7-ha.iso");
    await writeFakeFirmwareIso(iso60, "6.0.7");
    const up = await client.uploadFirmware({ path: iso60, sha256: await sha256OfFile(iso60) });
    assert.ok((await client.testFirmware(up.slotId)).passed);
    await client.activateFirmware(up.slotId, "to 6.0");
    await waitFor(() => sc.haState().firmwareSynced === true, 5000, "firmware sync to the secondary");
    sc.shutdownSecondary();
    sc.rebootThisNode();
    await waitFor(
      async () => (await client.getSetupStatus().catch(() => ({ status: "down" }))).status === "completed",
      10_000,
    );
    assert.equal(await client.getFirmwareVersion(), "6.0.7");
    assert.equal(
      licenseFacts((await client.getLicense()).raw).major,
      5,
      "a 5 license does not cover 6 LTS (S11)",
    );
    assert.equal(licenseValidFor(licenseFacts((await client.getLicense()).raw), 6), false);
    sc.uploadLicense(buildLicenseFile(6));
    assert.equal(licenseValidFor(licenseFacts((await client.getLicense()).raw), 6), true);
    sc.powerOn("secondary");
    await waitFor(() => sc.haState().status === "HA", 10_000, "secondary rejoined and synced");
    // [doc] 6.0 guide: before Activate Slave the Other node's boot firmware Current is lower than Active.
    const before = sc.haState().nodes.find((n) => n.role === "secondary");
    assert.deepEqual(before?.firmware, { current: "5.11.2", active: "6.0.7" });
    sc.activateSecondary();
    assert.equal(sc.haState().primary.unit, "b");
    // [doc] "This process can take a few minutes"; then "These version numbers should all be the same".
    await waitFor(
      () => sc.haState().nodes.every((n) => n.firmware.current === "6.0.7" && n.firmware.active === "6.0.7"),
      10_000,
      "the activation finished",
    );
    assert.equal(await client.getFirmwareVersion(), "6.0.7", "the API is served by the new primary");
    assert.equal(fleet.events.list({ node: "sm", name: "takeover" }).length, 0);
  });
});
