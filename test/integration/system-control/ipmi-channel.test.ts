import { strict as assert } from "node:assert";
import { createSocket, type Socket } from "node:dgram";
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { startBmc, type RunningBmc } from "../../../emulator/bmc/bmc";
import {
  createSystemControl,
  ipmitoolArgv,
  parseSystemControlConfig,
  SystemControlError,
  type SystemControlConfigInput,
} from "../../../provider/clients/system-control";
import { FakePair } from "./pair-fixture";

const PAIR = { primary: "sps-a", secondary: "sps-b" };

function config(
  bmc: { port: number; password: string; username: string },
  ipmi: Record<string, unknown> = {},
) {
  const input: SystemControlConfigInput = {
    nodes: {
      "sps-a": { address: "127.0.0.1" },
      "sps-b": {
        address: "127.0.0.1",
        ipmi: {
          host: "::1",
          port: bmc.port,
          username: bmc.username,
          password: bmc.password,
          pollIntervalMs: 100,
          ...ipmi,
        },
      },
    },
    operations: {
      powerOnSecondary: { channel: "ipmi", deadlineMs: 15_000 },
      shutdownSecondary: { channel: "ipmi", deadlineMs: 15_000 },
      readPowerState: { channel: "ipmi", deadlineMs: 15_000 },
    },
  };
  // sps-a needs ipmi too when an operation is routed to ipmi (config rule): same BMC for the test.
  input.nodes["sps-a"] = { address: "127.0.0.1", ipmi: input.nodes["sps-b"]?.ipmi };
  return input;
}

describe("ipmi channel against a real ipmi_sim + ipmitool", function () {
  this.timeout(60_000);
  let pair: FakePair;
  let bmc: RunningBmc;

  beforeEach(async () => {
    pair = new FakePair();
    bmc = await startBmc({ name: "sps-b", power: pair.bmc("b"), password: "bmc-Secret-42" });
  });
  afterEach(async () => {
    await bmc.stop();
  });

  it("H2: powers the secondary on through IPMI (lanplus on ::1): status off -> on, the unit's callback saw it", async () => {
    pair.units.b.power = "off";
    const control = createSystemControl(config(bmc));
    assert.equal(await control.readPowerState("sps-b"), "off");
    const t0 = Date.now();
    await control.powerOnSecondary(PAIR);
    const roundTripMs = Date.now() - t0;
    assert.equal(pair.units.b.power, "on");
    assert.ok(pair.calls.includes("powerOn:b"));
    assert.ok(bmc.events.some((e) => e.action === "power-on"));
    assert.equal(await control.readPowerState("sps-b"), "on");
    console.log(`      measured: IPMI power-on round trip (status, on, confirm) ${roundTripMs} ms`);
  });

  it("H2: the IPMI 1.5 interface (-I lan) on 127.0.0.1 works as well", async () => {
    pair.units.b.power = "off";
    const control = createSystemControl(config(bmc, { interface: "lan", host: "127.0.0.1" }));
    await control.powerOnSecondary(PAIR);
    assert.equal(pair.units.b.power, "on");
    assert.equal(await control.readPowerState("sps-b"), "on");
  });

  it("H2: power-on is idempotent — an already running secondary gets no power command (resumable run)", async () => {
    const control = createSystemControl(config(bmc));
    await control.powerOnSecondary(PAIR);
    assert.deepEqual(
      bmc.events.map((e) => e.action).filter((a) => a !== "status"),
      [],
    );
  });

  it("shuts the secondary down with a soft (ACPI) power off by default and confirms it is off", async () => {
    const control = createSystemControl(config(bmc));
    await control.shutdownSecondary(PAIR);
    assert.equal(pair.units.b.power, "off");
    assert.ok(bmc.events.some((e) => e.action === "soft-off"));
  });

  it("uses a hard power off when shutdownMethod is 'off'", async () => {
    const control = createSystemControl(config(bmc, { shutdownMethod: "off" }));
    await control.shutdownSecondary(PAIR);
    assert.ok(bmc.events.some((e) => e.action === "power-off"));
  });

  it("reads the password from a file (-f) as an alternative to IPMI_PASSWORD", async () => {
    const dir = await mkdtemp(join(tmpdir(), "ipmi-pw-"));
    try {
      const file = join(dir, "pw");
      await writeFile(file, bmc.password, { mode: 0o600 });
      const cfg = config(bmc, { password: undefined, passwordFile: file });
      const control = createSystemControl(cfg);
      assert.equal(await control.readPowerState("sps-b"), "on");
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });

  it("never puts the password on the ipmitool command line, and redacts it from errors", async () => {
    const cfg = parseSystemControlConfig(config(bmc, { password: "wrong-Pass-77" }));
    const argv = ipmitoolArgv(cfg.nodes["sps-b"].ipmi!, "status");
    assert.ok(!argv.some((a) => a.includes("wrong-Pass-77")));
    assert.ok(argv.includes("-E"));
    const control = createSystemControl(config(bmc, { password: "wrong-Pass-77" }));
    await assert.rejects(control.readPowerState("sps-b"), (e: unknown) => {
      assert.ok(e instanceof SystemControlError);
      assert.equal(e.channel, "ipmi");
      assert.equal(e.node, "sps-b");
      assert.equal(e.operation, "readPowerState");
      assert.ok(!e.message.includes("wrong-Pass-77"));
      return true;
    });
  });
});

describe("ipmi channel when the BMC is unreachable", function () {
  this.timeout(30_000);
  let silent: Socket;
  let port: number;

  before(async () => {
    // A UDP socket that receives and never answers: a BMC that does not respond.
    silent = createSocket("udp6");
    await new Promise<void>((r) => silent.bind(0, "::1", () => r()));
    port = silent.address().port;
  });
  after(async () => {
    await new Promise<void>((r) => silent.close(() => r()));
  });

  it("P4/H2: fails with a clear error naming BMC, node and operation within the operation's deadline", async () => {
    const deadlineMs = 4000;
    const control = createSystemControl({
      nodes: {
        "sps-a": {
          address: "127.0.0.1",
          ipmi: { host: "::1", port, username: "admin", password: "pw-Unreach-1" },
        },
        "sps-b": {
          address: "127.0.0.1",
          ipmi: { host: "::1", port, username: "admin", password: "pw-Unreach-1" },
        },
      },
      operations: { powerOnSecondary: { channel: "ipmi", deadlineMs } },
    });
    const t0 = Date.now();
    await assert.rejects(control.powerOnSecondary(PAIR), (e: unknown) => {
      assert.ok(e instanceof SystemControlError, String(e));
      assert.equal(e.channel, "ipmi");
      assert.equal(e.node, "sps-b");
      assert.equal(e.operation, "powerOnSecondary");
      assert.ok(["unreachable", "deadline"].includes(e.failure), e.failure);
      assert.match(e.message, new RegExp(`::1:${port}`));
      assert.ok(!e.message.includes("pw-Unreach-1"));
      return true;
    });
    const elapsed = Date.now() - t0;
    assert.ok(elapsed <= deadlineMs + 1500, `took ${elapsed} ms`);
    console.log(`      measured: unreachable BMC reported after ${elapsed} ms (deadline ${deadlineMs} ms)`);
  });

  it("a missing ipmitool is a clear error, not a hang", async () => {
    const control = createSystemControl({
      nodes: {
        "sps-b": {
          address: "127.0.0.1",
          ipmi: { host: "::1", port, username: "admin", password: "x", ipmitool: "/nonexistent/ipmitool" },
        },
      },
      operations: { readPowerState: { channel: "ipmi", deadlineMs: 2000 } },
    });
    await assert.rejects(control.readPowerState("sps-b"), (e: unknown) => {
      assert.ok(e instanceof SystemControlError);
      assert.equal(e.failure, "spawn");
      assert.match(e.message, /install ipmitool/);
      return true;
    });
  });
});

describe("emulated BMC (emulator/bmc/bmc.ts)", function () {
  this.timeout(30_000);

  it("answers lan and lanplus on both ::1 and 127.0.0.1 (lanplus with an explicit cipher suite)", async () => {
    const pair = new FakePair();
    const bmc = await startBmc({ name: "matrix", power: pair.bmc("b") });
    try {
      for (const [iface, host] of [
        ["lanplus", "::1"],
        ["lanplus", "127.0.0.1"],
        ["lan", "::1"],
        ["lan", "127.0.0.1"],
      ] as const) {
        const control = createSystemControl({
          nodes: {
            "sps-b": {
              address: "127.0.0.1",
              ipmi: {
                host,
                port: bmc.port,
                username: bmc.username,
                password: bmc.password,
                interface: iface,
              },
            },
          },
          operations: { readPowerState: { channel: "ipmi", deadlineMs: 5000 } },
        });
        const t0 = Date.now();
        assert.equal(await control.readPowerState("sps-b"), "on", `${iface} ${host}`);
        assert.ok(Date.now() - t0 < 3000, `${iface} ${host} took ${Date.now() - t0} ms`);
      }
    } finally {
      await bmc.stop();
    }
  });

  it("stop() ends its ipmi_sim process and is idempotent", async () => {
    const bmc = await startBmc({ name: "stopper", power: new FakePair().bmc("a") });
    assert.ok(bmc.pid > 0);
    process.kill(bmc.pid, 0); // running
    await bmc.stop();
    await bmc.stop();
    assert.throws(() => process.kill(bmc.pid, 0), /ESRCH/);
  });

  it("a missing ipmi_sim is a start failure naming the package", async () => {
    await assert.rejects(
      startBmc({ name: "nosim", power: new FakePair().bmc("a"), ipmiSimPath: "/nonexistent/ipmi_sim" }),
      /install the Debian package openipmi/,
    );
  });
});
