import assert from "node:assert/strict";
import { execFile } from "node:child_process";
import { promisify } from "node:util";
import { Client } from "ssh2";
import type { RunningFleet } from "../../../emulator/lab/fleet";
import { bmcChannel, coreShellChannel } from "../../../emulator/lab/fleet-channels";
import { buildLicenseFile, dayOffset } from "../../../emulator/sps/license";
import { FleetHarness, PASSWORD } from "./emulated-fleet";

const run = promisify(execFile);

async function sshExec(
  port: number,
  command: string,
  stdin?: string,
): Promise<{ code: number | null; stdout: string; stderr: string }> {
  const client = new Client();
  await new Promise<void>((resolve, reject) => {
    client.once("ready", () => resolve());
    client.once("error", reject);
    client.connect({ host: "127.0.0.1", port, username: "root", password: PASSWORD });
  });
  try {
    return await new Promise((resolve, reject) => {
      client.exec(command, (err, stream) => {
        if (err) return reject(err);
        let stdout = "";
        let stderr = "";
        let code: number | null = null;
        stream.on("data", (d: Buffer) => (stdout += d.toString()));
        stream.stderr.on("data", (d: Buffer) => (stderr += d.toString()));
        stream.on("exit", (c: number | null) => (code = c));
        stream.on("close", () => resolve({ code, stdout, stderr }));
        stream.end(stdin);
      });
    });
  } finally {
    client.end();
  }
}

describe("emulated fleet channels: SSH core shell and IPMI BMCs act on the node model", function () {
  this.timeout(30_000);
  const harness = new FleetHarness();
  let fleet: RunningFleet;

  before(async function () {
    fleet = await harness.start(
      { clusters: [{ name: "ha", nodes: [{ name: "sm", version: "6.0.5", ha: true }] }] },
      { channels: [coreShellChannel(), bmcChannel()] },
    );
  });

  after(async function () {
    await harness.stopAll();
  });

  function channels(): {
    ssh: { port: number };
    ipmi: Record<string, { port: number; username: string; password: string }>;
  } {
    return fleet.node("sm").channels as ReturnType<typeof channels>;
  }

  it("prints the HA status of the pair through `pulumi-sps-wrapper ha status --json`", async function () {
    const r = await sshExec(channels().ssh.port, "pulumi-sps-wrapper ha status --json");
    assert.equal(r.code, 0, r.stderr);
    const state = JSON.parse(r.stdout) as { status: string; nodes: Array<{ unit: string; role: string }> };
    assert.equal(state.status, "HA");
    assert.deepEqual(
      state.nodes.map((n) => [n.unit, n.role]),
      [
        ["a", "primary"],
        ["b", "secondary"],
      ],
    );
  });

  it("installs a license through the core shell (S11)", async function () {
    const renewedUntil = dayOffset(4 * 365);
    const license = Buffer.from(buildLicenseFile(6, renewedUntil)).toString("base64");
    const r = await sshExec(
      channels().ssh.port,
      "pulumi-sps-wrapper license install --stdin-base64 --name license.json",
      license,
    );
    assert.equal(r.code, 0, r.stderr);
    assert.equal(fleet.node("sm").node.license.validNotAfter, renewedUntil);
  });

  it("shuts the secondary down from the primary's core shell and powers it on through its own BMC (H2)", async function () {
    const off = await sshExec(channels().ssh.port, "pulumi-sps-wrapper other-node shutdown");
    assert.equal(off.code, 0, off.stderr);
    const sc = fleet.systemControl("sm");
    assert.equal(sc.powerStatus("b"), "off");
    const bmc = channels().ipmi.b;
    // An explicit cipher suite spares ipmitool the slow "Get Channel Cipher Suites" probe.
    const ipmi = [
      "-I",
      "lanplus",
      "-C",
      "3",
      "-H",
      "127.0.0.1",
      "-p",
      String(bmc.port),
      "-U",
      bmc.username,
      "-E",
    ];
    const env = { ...process.env, IPMI_PASSWORD: bmc.password };
    assert.match((await run("ipmitool", [...ipmi, "chassis", "power", "status"], { env })).stdout, /off/);
    await run("ipmitool", [...ipmi, "chassis", "power", "on"], { env });
    assert.equal(sc.powerStatus("b"), "on");
    assert.deepEqual(
      fleet.events
        .list({ node: "sm", kind: "action" })
        .map((e) => e.name)
        .slice(-2),
      ["shutdown-secondary", "power-on"],
    );
  });

  it("refuses an unknown command with exit 127 and a refused operation with exit 1", async function () {
    assert.equal((await sshExec(channels().ssh.port, "reboot --cluster")).code, 127);
    const refused = await sshExec(channels().ssh.port, "pulumi-sps-wrapper other-node activate");
    assert.equal(refused.code, 1);
    assert.match(refused.stderr, /not synced/);
  });
});
