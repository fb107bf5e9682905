import assert from "node:assert/strict";
import { readLicense } from "../../../provider/clients/sps/license-reading";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { sha256OfFile, writeFakeFirmwareIso } from "../../../emulator/sps/firmware-iso";
import type { RunningFleet } from "../../../emulator/lab/fleet";
import { buildPluginZip } from "../../../emulator/sps/plugin-archive";
import { FleetHarness, rawLogin, rawRequest, singleNodeFleet } from "./emulated-fleet";

describe("SPS REST client against the emulator: documented endpoints", function () {
  const harness = new FleetHarness();
  let fleet: RunningFleet;
  let dir: string;

  before(async function () {
    dir = mkdtempSync(join(tmpdir(), "sps-client-"));
    fleet = await harness.start({
      clusters: [
        {
          name: "prod",
          nodes: [
            { name: "cm", version: "6.0.5", roles: ["central-management", "search-master"] },
            {
              name: "mh1",
              version: "6.0.5",
              roles: ["managed-host", "search-minion"],
              emulator: { upgradeCall: "selects" },
            },
          ],
        },
      ],
    });
  });

  after(async function () {
    await harness.stopAll();
    rmSync(dir, { recursive: true, force: true });
  });

  it("logs in with basic auth and gets a session_id cookie, then reads /api/info with the firmware version", async function () {
    const client = harness.client(fleet, "cm");
    await client.login();
    assert.equal(client.loginCount, 1);
    const info = await client.getInfo();
    assert.equal(info.firmwareVersion, "6.0.5");
    assert.equal(info.versionLabel, "6 LTS");
    assert.deepEqual(info.roles, ["central-management", "search-master"]);
    assert.equal(await client.getFirmwareVersion(), "6.0.5");
    assert.equal(client.loginCount, 1, "the session is reused");
  });

  it("writes to SPS 7.5+ without an X-Token because its User-Agent is not a browser's, which the emulator would refuse", async function () {
    const modern = await harness.start(singleNodeFleet("7.5.0"));
    const client = harness.client(modern, "sps1");
    await client.setDiskFillupPrevention({ enabled: true, archivingEnabled: false, usedSpaceRatioLimit: 80 });
    const calls = modern.events.list({ node: "sps1", kind: "http" });
    assert.ok(calls.every((c) => !/Mozilla/.test(String(c.detail?.userAgent))));
    assert.equal(modern.node("sps1").node.diskFillup.used_space_ratio_limit, 80);
    const cookie = await rawLogin(modern, "sps1");
    const fromBrowser = await rawRequest(modern, "sps1", {
      method: "POST",
      path: "/api/transaction",
      headers: {
        Cookie: cookie,
        "User-Agent": "Mozilla/5.0 (X11; Linux x86_64) Firefox/140.0",
        "Content-Length": "0",
      },
    });
    assert.equal(fromBrowser.status, 403);
  });

  it("reads the setup status without authentication", async function () {
    const client = harness.client(fleet, "cm");
    assert.deepEqual(await client.getSetupStatus(), { status: "completed" });
    assert.equal(client.loginCount, 0);
  });

  it("lists five firmware slots by key with the current and after-reboot slot", async function () {
    const client = harness.client(fleet, "mh1");
    const slots = await client.listFirmwareSlots();
    assert.equal(slots.slots.length, 5);
    assert.deepEqual(
      slots.slots.map((s) => s.id),
      [1, 2, 3, 4, 5],
    );
    assert.equal(slots.currentSlot, 1);
    assert.equal(slots.afterRebootSlot, 1);
    assert.equal(slots.emptySlots, 4);
    const one = await client.getFirmwareSlot(1);
    assert.equal(one.version, "6.0.5");
    assert.ok(one.current);
    assert.ok((await client.getFirmwareSlot(3)).empty);
  });

  it("streams an ISO into an empty slot, tests it (P12) and selects it for after reboot (S5–S7)", async function () {
    const client = harness.client(fleet, "mh1");
    const iso = join(dir, "sps-6.0.7.iso");
    await writeFakeFirmwareIso(iso, "6.0.7", 8 * 1024 * 1024);
    const sha256 = await sha256OfFile(iso);
    const progress: number[] = [];
    const up = await client.uploadFirmware(
      { path: iso, sha256 },
      { onProgress: (p) => progress.push(p.bytesSent) },
    );
    assert.equal(up.slotId, 2);
    assert.equal(up.version, "6.0.7");
    assert.equal(up.bytes, 8 * 1024 * 1024);
    assert.equal(up.emptySlotsLeft, 3);
    assert.equal(progress.at(-1), 8 * 1024 * 1024);
    const node = fleet.node("mh1").node;
    const record = node.events.list({ node: "mh1", name: "upload-firmware" }).at(-1);
    assert.equal(record?.detail?.sha256, sha256, "the appliance received exactly the verified bytes");

    const test = await client.testFirmware(up.slotId);
    assert.ok(test.passed);
    assert.match(test.summary, /^Upgrade is allowed;/);

    const activation = await client.activateFirmware(up.slotId, "upgrade to 6.0.7");
    assert.equal(activation.slotId, 2);
    assert.match(activation.summary, /HA check/);
    const slots = await client.listFirmwareSlots();
    assert.equal(slots.afterRebootSlot, 2);
    assert.equal(slots.currentSlot, 1);
    assert.equal(
      await client.getFirmwareVersion(),
      "6.0.5",
      'in the "selects" reading the call does not reboot',
    );
  });

  it("deletes a firmware slot that is neither current nor selected for after reboot", async function () {
    const client = harness.client(fleet, "cm");
    const iso = join(dir, "sps-6.0.6.iso");
    await writeFakeFirmwareIso(iso, "6.0.6");
    const up = await client.uploadFirmware({ path: iso, sha256: await sha256OfFile(iso) });
    await client.deleteFirmwareSlot(up.slotId);
    assert.ok((await client.getFirmwareSlot(up.slotId)).empty);
  });

  it("reads health status, license and the disk fill-up setting", async function () {
    const client = harness.client(fleet, "cm");
    const health = await client.getHealth();
    assert.equal(health.firmwareIntegrity.core, "OK");
    assert.equal(health.raidStatus, "OK");
    assert.equal(typeof health.disk, "number");
    const license = readLicense((await client.getLicense()).raw, new Date());
    assert.equal(license.validity, "valid");
    assert.equal(typeof license.major, "number");
    assert.deepEqual(license.warnings, []);
    // Only fields public sources name (admin guide, as-built generator); none of the emulator's own.
    const names = Object.keys((await client.getLicense()).raw).sort();
    assert.deepEqual(names, ["customer", "limit", "product_version", "serial", "valid_not_after"]);
    const fillup = await client.getDiskFillupPrevention();
    assert.deepEqual(fillup, { enabled: true, archivingEnabled: false, usedSpaceRatioLimit: 90 });
  });

  it("changes the disk fill-up limit in a committed transaction (P8 remediation)", async function () {
    const client = harness.client(fleet, "cm");
    await client.setDiskFillupPrevention(
      { enabled: true, archivingEnabled: false, usedSpaceRatioLimit: 95 },
      "P8",
    );
    assert.equal((await client.getDiskFillupPrevention()).usedSpaceRatioLimit, 95);
    assert.equal((await client.getTransaction()).status, "closed");
    assert.equal(fleet.node("cm").node.diskFillup.used_space_ratio_limit, 95);
  });

  it("reads cluster status and nodes on the Central Management node and null elsewhere", async function () {
    const cm = harness.client(fleet, "cm");
    const status = await cm.getClusterStatus();
    assert.ok(status);
    assert.equal(status.nodes.length, 2);
    assert.equal(status.selfNodeId, fleet.node("cm").node.nodeId);
    assert.ok(status.nodes.every((n) => n.up));
    const nodes = await cm.listClusterNodes();
    assert.deepEqual(nodes.find((n) => n.nodeId === fleet.node("mh1").node.nodeId)?.roles, [
      "managed-host",
      "search-minion",
    ]);
    assert.equal(await harness.client(fleet, "mh1").getClusterStatus(), null);
  });

  it("reports a node that is down with health_status null in the cluster status", async function () {
    const local = await harness.start({
      clusters: [
        {
          name: "c",
          nodes: [
            { name: "a", version: "6.0.5", roles: ["central-management"] },
            { name: "b", version: "6.0.5" },
          ],
        },
      ],
    });
    local.node("b").node.systemControl().powerOff("primary");
    const status = await harness.client(local, "a").getClusterStatus();
    assert.equal(status?.nodes.find((n) => n.nodeId === local.node("b").node.nodeId)?.up, false);
    assert.equal(status?.nodes.find((n) => n.nodeId === local.node("a").node.nodeId)?.up, true);
  });

  it("assigns cluster roles in a committed transaction", async function () {
    const cm = harness.client(fleet, "cm");
    const mh1 = fleet.node("mh1");
    await cm.setClusterNodeRoles(mh1.node.nodeId, ["managed-host", "search-local"], "127.0.0.1");
    assert.deepEqual(mh1.node.roles, ["managed-host", "search-local"]);
  });

  it("uploads a plugin in a committed transaction and lists it (P6)", async function () {
    const client = harness.client(fleet, "cm");
    const zip = buildPluginZip({
      name: "CyberArk credential store",
      version: "1.4.0-DEPRECATED",
      type: "credentialstore",
    });
    const installed = await client.uploadPlugin(zip, "plugin for 6.0");
    assert.equal(installed.type, "credentialstore");
    assert.equal(installed.name, "CyberArk credential store");
    const plugins = await client.listPlugins();
    assert.ok(plugins.some((p) => p.key === installed.key && p.version === "1.4.0-DEPRECATED"));
    assert.equal((await client.getTransaction()).status, "closed");
  });
});
