/**
 * An HA pair upgraded through the real system-control channels of the emulated fleet
 * (emulator/lab/fleet-channels.ts): the SSH core shell (ssh2 server, host key pinned) for reboot,
 * "Other node" actions, HA status and license, and one real ipmi_sim BMC per unit driven by
 * ipmitool for the secondary's power (H2: through IPMI).
 */
import assert from "node:assert/strict";
import { z } from "zod";
import { createSystemControl, type SystemControlConfigInput } from "../../../provider/clients/system-control";
import type { EmulatorEvent } from "../../../emulator/sps/events";
import { bmcChannel, coreShellChannel } from "../../../emulator/lab/fleet-channels";
import { EmulatedCluster } from "./emulated-cluster";

const bmcSchema = z.object({
  host: z.string(),
  port: z.number(),
  username: z.string(),
  password: z.string(),
});
const channelsSchema = z.object({
  ssh: z.object({
    host: z.string(),
    port: z.number(),
    username: z.string(),
    password: z.string(),
    hostKeySha256: z.string(),
  }),
  ipmi: z.object({ a: bmcSchema, b: bmcSchema }),
});

describe("executor: HA pair through the emulator's real SSH core shell and ipmi_sim BMCs (rules H1, H2, S9)", function () {
  this.timeout(90_000);
  let cluster: EmulatedCluster | undefined;
  afterEach(async () => {
    await cluster?.stop();
    cluster = undefined;
  });

  it("follows H2 over SSH and IPMI, powers the secondary on through its own BMC, and a second run sends no action", async () => {
    cluster = await EmulatedCluster.start({
      target: "6.3",
      nodes: [{ name: "sm", version: "6.0.7", ha: true }],
      channels: [coreShellChannel(), bmcChannel()],
    });
    const ch = channelsSchema.parse(cluster.fleet.node("sm").channels);
    const ssh = {
      port: ch.ssh.port,
      username: ch.ssh.username,
      password: ch.ssh.password,
      hostKey: { sha256: ch.ssh.hostKeySha256 },
    };
    const ipmi = (b: z.infer<typeof bmcSchema>) => ({ ...b, pollIntervalMs: 100 });
    // The config asks every node for ssh and ipmi settings once an operation uses them.
    const config: SystemControlConfigInput = {
      nodes: {
        sm: { address: ch.ssh.host, ssh, ipmi: ipmi(ch.ipmi.a) },
        "sm-a": { address: ch.ssh.host, ssh, ipmi: ipmi(ch.ipmi.a) },
        "sm-b": { address: ch.ssh.host, ssh, ipmi: ipmi(ch.ipmi.b) },
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
    const result = await cluster.runToEnd(() => cluster!.inputs({ systemControl }));
    assert.equal(result.complete, true);
    const acts = (events: EmulatorEvent[]): string[] =>
      events
        .filter((e) => e.kind === "action" && e.name !== "login")
        .map((e) => `${e.name}${e.unit ? `:${e.unit}` : ""}`);
    const actions = acts(cluster.events());
    assert.deepEqual(
      actions.filter((a) => !a.startsWith("upload-firmware") && !a.startsWith("test-firmware")),
      [
        "activate-firmware:a",
        "shutdown-secondary:b",
        "reboot:a",
        // H2: the secondary (unit b) powered on through its own BMC, once.
        "power-on:b",
        "activate-secondary:b",
      ],
    );
    // The step names the channel the router used for the power-on.
    assert.match(
      result.steps.find((s) => s.action === "power-on-secondary")?.detail ?? "",
      /powered on through IPMI \(sm-b\)$/,
    );
    // P4: the preflight read the secondary's power through its BMC (ipmitool).
    assert.match(
      result.steps.find((s) => s.action === "preflight")?.detail ?? "",
      /secondary b power read through IPMI \(power on\) \(P4\)/,
    );
    const ha = result.nodes.sm?.ha;
    assert.equal(ha?.nodes.find((n) => n.role === "primary")?.unit, "b");
    assert.ok(ha?.nodes.every((n) => n.firmware.current === "6.3.2" && n.firmware.active === "6.3.2"));

    const mark = cluster.lastSeq();
    const again = await cluster.runToEnd(() => cluster!.inputs({ systemControl }));
    assert.ok(again.steps.every((s) => s.status === "skipped"));
    assert.deepEqual(cluster.writes(mark), []);
  });
});
