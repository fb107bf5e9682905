/**
 * An HA pair upgraded through the real system-control channels: the emulated core shell over SSH
 * (ssh2 server, host key pinned) for reboot / "Other node" actions / HA status / license, and one
 * real ipmi_sim BMC per unit driven by ipmitool for the secondary's power (H2: through IPMI). The
 * channels are wired to the emulator's node model here (an adapter in this folder).
 */
import assert from "node:assert/strict";
import {
  createSystemControl,
  type SystemControlConfigInput,
} from "../../../provider/appliance/system-control";
import { executeClusterPlan } from "../../../provider/executor";
import { startBmc, type RunningBmc } from "../../../simulator/bmc";
import { startCoreShell, type RunningCoreShell } from "../../../simulator/core-shell";
import { EmulatedCluster } from "./emulated-cluster";

const SHELL_PASSWORD = "Core-Shell-Pw-8842";
const BMC_PASSWORD = "Bmc-Pw-5521";

describe("executor: HA pair through the real ssh core shell and ipmi_sim BMCs (rules H1, H2, S9)", function () {
  this.timeout(90_000);
  let cluster: EmulatedCluster | undefined;
  let shell: RunningCoreShell | undefined;
  const bmcs: RunningBmc[] = [];
  afterEach(async () => {
    await Promise.all(bmcs.splice(0).map((b) => b.stop()));
    await shell?.stop();
    await cluster?.stop();
    shell = undefined;
    cluster = undefined;
  });

  it("follows H2 over SSH and IPMI, and a second run sends no action over either channel", async () => {
    cluster = await EmulatedCluster.start({
      target: "6.3",
      nodes: [{ name: "sm", version: "6.0.7", ha: true }],
    });
    const model = cluster.fleet.systemControl("sm");
    const up = (): void => {
      if (model.serviceState() !== "up") throw new Error("the node is not running");
    };
    shell = await startCoreShell({
      users: [{ username: "root", password: SHELL_PASSWORD }],
      handler: {
        rebootThisNode: () => model.rebootThisNode(),
        shutdownOtherNode: () => model.shutdownSecondary(),
        activateOtherNode: () => model.activateSecondary(),
        haStatus: () => {
          up();
          const s = model.haState();
          return {
            status: s.status,
            sync: s.sync,
            firmwareSynced: s.firmwareSynced,
            nodes: s.nodes.map((n) => ({ unit: n.unit, role: n.role, power: n.power, firmware: n.firmware })),
          };
        },
        installLicense: (l) => model.uploadLicense(l.content.toString("utf8")),
      },
    });
    for (const unit of ["a", "b"] as const) {
      bmcs.push(
        await startBmc({
          name: `sm-${unit}`,
          password: BMC_PASSWORD,
          power: {
            powerOn: () => model.powerOn(unit),
            powerOff: () => model.powerOff(unit),
            isPoweredOn: () => model.powerStatus(unit) === "on",
          },
        }),
      );
    }
    const ssh = {
      port: shell.port,
      username: "root",
      password: SHELL_PASSWORD,
      hostKey: { sha256: shell.hostKeyFingerprint },
    };
    const ipmi = (b: RunningBmc) => ({
      host: "127.0.0.1",
      port: b.port,
      username: b.username,
      password: BMC_PASSWORD,
      pollIntervalMs: 100,
    });
    // The config asks every node for ssh and ipmi settings once an operation uses them.
    const config: SystemControlConfigInput = {
      nodes: {
        sm: { address: "127.0.0.1", ssh, ipmi: ipmi(bmcs[0]) },
        "sm-a": { address: "127.0.0.1", ssh, ipmi: ipmi(bmcs[0]) },
        "sm-b": { address: "127.0.0.1", ssh, ipmi: ipmi(bmcs[1]) },
      },
      operations: {
        rebootNode: { channel: "ssh" },
        shutdownSecondary: { channel: "ssh" },
        activateSecondary: { channel: "ssh" },
        readHaState: { channel: "ssh" },
        uploadLicense: { channel: "ssh" },
        powerOnSecondary: { channel: "ipmi", deadlineMs: 30_000 },
        readPowerState: { channel: "ipmi", deadlineMs: 30_000 },
      },
    };
    const systemControl = createSystemControl(config);
    const result = await executeClusterPlan(cluster.inputs({ systemControl }));
    assert.equal(result.complete, true);
    const actions = shell.commands.filter((c) => !c.includes("ha status"));
    assert.deepEqual(actions, [
      "sps-ctl other-node shutdown",
      "sps-ctl this-node reboot",
      "sps-ctl other-node activate",
    ]);
    // H2: the secondary (unit b) was powered on through its own BMC, once.
    assert.deepEqual(
      bmcs[1].events.map((e) => e.action).filter((a) => a !== "status"),
      ["power-on"],
    );
    assert.deepEqual(
      bmcs[0].events.map((e) => e.action).filter((a) => a !== "status"),
      [],
    );
    const ha = result.nodes.sm?.ha;
    assert.equal(ha?.nodes.find((n) => n.role === "primary")?.unit, "b");
    assert.ok(ha?.nodes.every((n) => n.firmware.current === "6.3.2"));

    const before = shell.commands.length;
    const mark = cluster.lastSeq();
    const again = await executeClusterPlan(cluster.inputs({ systemControl }));
    assert.ok(again.steps.every((s) => s.status === "skipped"));
    assert.deepEqual(
      shell.commands.slice(before).filter((c) => !c.includes("ha status")),
      [],
    );
    assert.deepEqual(cluster.writes(mark), []);
    assert.deepEqual(
      bmcs[1].events.map((e) => e.action).filter((a) => a !== "status"),
      ["power-on"],
    );
  });
});
