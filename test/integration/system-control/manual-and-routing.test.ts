import { strict as assert } from "node:assert";
import { mkdtemp, readFile, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { startBmc, type RunningBmc } from "../../../emulator/bmc/bmc";
import { startCoreShell, type RunningCoreShell } from "../../../emulator/sps/core-shell";
import {
  createSystemControl,
  ManualStepRequired,
  SYSTEM_CONTROL_OPERATIONS,
  type SystemControlConfigInput,
} from "../../../provider/clients/system-control";
import { FakePair } from "./pair-fixture";

const PAIR = { primary: "sps-a", secondary: "sps-b" };

describe("manual channel", () => {
  const control = createSystemControl({
    nodes: { "sps-a": { address: "192.0.2.10" }, "sps-b": { address: "192.0.2.11" } },
  });

  it("is the default for every unconfigured operation and stops with step-by-step instructions", async () => {
    await assert.rejects(
      control.uploadLicense("sps-a", { fileName: "sps-6.0.zip", content: Buffer.from("x") }),
      (e: unknown) => {
        assert.ok(e instanceof ManualStepRequired);
        assert.equal(e.operation, "uploadLicense");
        assert.equal(e.node, "sps-a");
        assert.ok(e.instructions.length >= 3);
        assert.match(e.message, /1\. Log in to the web interface of sps-a \(https:\/\/192\.0\.2\.10\/\)/);
        assert.ok(e.instructions.some((s) => s.includes("sps-6.0.zip")));
        assert.match(e.instructions[e.instructions.length - 1] ?? "", /run the deployment again/);
        return true;
      },
    );
  });

  it("H1: the manual reboot instructions reboot this node and warn never to click Reboot cluster", async () => {
    await assert.rejects(control.rebootNode("sps-b"), (e: unknown) => {
      assert.ok(e instanceof ManualStepRequired);
      assert.ok(e.instructions.some((s) => /This node, click Reboot/.test(s)));
      assert.ok(e.instructions.some((s) => /Do NOT click Reboot cluster/.test(s)));
      return true;
    });
  });

  it("H2: manual power-on names the secondary and IPMI; shutdown and activate are done on the primary", async () => {
    await assert.rejects(
      control.powerOnSecondary(PAIR),
      (e: unknown) => e instanceof ManualStepRequired && e.node === "sps-b" && /IPMI/.test(e.message),
    );
    await assert.rejects(
      control.shutdownSecondary(PAIR),
      (e: unknown) =>
        e instanceof ManualStepRequired && e.node === "sps-a" && /Other node, click Shutdown/.test(e.message),
    );
    await assert.rejects(
      control.activateSecondary(PAIR),
      (e: unknown) => e instanceof ManualStepRequired && /Activate Slave/.test(e.message),
    );
  });

  it("every operation has manual instructions, and a configured note is added before the resume step", async () => {
    const withNote = createSystemControl({
      nodes: { "sps-a": { address: "192.0.2.10" } },
      operations: { readHaState: { channel: "manual", note: "Call the NOC on +1 555 0100 first." } },
    });
    await assert.rejects(withNote.readHaState("sps-a"), (e: unknown) => {
      assert.ok(e instanceof ManualStepRequired);
      assert.equal(e.instructions[e.instructions.length - 2], "Call the NOC on +1 555 0100 first.");
      return true;
    });
    for (const op of SYSTEM_CONTROL_OPERATIONS) assert.equal(withNote.channelOf(op), "manual");
  });
});

describe("composite: each operation goes through its own configured channel", function () {
  this.timeout(30_000);
  let pair: FakePair;
  let shell: RunningCoreShell;
  let bmc: RunningBmc;
  let dir: string;

  before(async () => {
    pair = new FakePair();
    dir = await mkdtemp(join(tmpdir(), "routing-"));
    shell = await startCoreShell({
      handler: pair.shell(),
      users: [{ username: "root", password: "pw-Route-1" }],
    });
    bmc = await startBmc({ name: "route-b", power: pair.bmc("b") });
  });
  after(async () => {
    await shell.stop();
    await bmc.stop();
    await rm(dir, { recursive: true, force: true });
  });

  it("routes readHaState to ssh, shutdown/power-on to ipmi, reboot to a command, license to manual (H2 order on one pair)", async () => {
    const out = join(dir, "reboot.txt");
    const node = {
      address: "127.0.0.1",
      ssh: { port: shell.port, password: "pw-Route-1", hostKey: { sha256: shell.hostKeyFingerprint } },
      ipmi: {
        host: "::1",
        port: bmc.port,
        username: bmc.username,
        password: bmc.password,
        pollIntervalMs: 100,
      },
    };
    const input: SystemControlConfigInput = {
      nodes: { "sps-a": node, "sps-b": node },
      operations: {
        readHaState: { channel: "ssh", deadlineMs: 10_000 },
        activateSecondary: { channel: "ssh", deadlineMs: 10_000 },
        shutdownSecondary: { channel: "ipmi", deadlineMs: 15_000 },
        powerOnSecondary: { channel: "ipmi", deadlineMs: 15_000 },
        readPowerState: { channel: "ipmi" },
        rebootNode: {
          channel: "command",
          argv: [
            process.execPath,
            "-e",
            "require('fs').writeFileSync(process.argv[1], process.argv[2])",
            out,
            "{{node}}",
          ],
        },
      },
    };
    const control = createSystemControl(input);
    assert.equal(control.channelOf("uploadLicense"), "manual");

    assert.equal((await control.readHaState("sps-a")).status, "HA");
    await control.shutdownSecondary(PAIR);
    assert.equal(pair.units.b.power, "off");
    await control.rebootNode("sps-a");
    assert.equal(await readFile(out, "utf8"), "sps-a");
    await control.powerOnSecondary(PAIR);
    assert.equal(await control.readPowerState("sps-b"), "on");
    await control.activateSecondary(PAIR);
    await assert.rejects(
      control.uploadLicense("sps-b", { fileName: "l.zip", content: Buffer.from("l") }),
      (e: unknown) => e instanceof ManualStepRequired,
    );

    const state = await control.readHaState("sps-a");
    assert.equal(state.nodes.find((n) => n.unit === "b")?.role, "primary");
    // What reached which peer: the core shell saw only ssh-routed operations, the BMC only power.
    assert.deepEqual(shell.commands, [
      "pulumi-sps-wrapper ha status --json",
      "pulumi-sps-wrapper other-node activate",
      "pulumi-sps-wrapper ha status --json",
    ]);
    assert.deepEqual(
      bmc.events.map((e) => e.action).filter((a) => a !== "status"),
      ["soft-off", "power-on"],
    );
    assert.ok(!pair.calls.includes("rebootThisNode"), "reboot went to the command, not the shell");
  });
});
