import { strict as assert } from "node:assert";
import {
  ChannelErrors,
  IpmiChannel,
  parseSystemControlConfig,
  SshChannel,
  SystemControlConfigError,
  SystemControlError,
  whyChannelCannot,
} from "../../../provider/clients/system-control";
import { SpawnError } from "../../../provider/clients/system-control/run-process";

const PAIR = { primary: "sps-a", secondary: "sps-b" };

describe("system-control channel errors: operation, node and channel in every failure, secrets redacted", () => {
  it("names operation, node and channel, and redacts the channel's secrets from detail and stderr", () => {
    const errors = new ChannelErrors("command", ["s3cret-Pw"]);
    const e = errors.fail("rebootNode", "sps-a", "exit-code", "`reboot s3cret-Pw` failed", {
      exitCode: 3,
      stderr: "denied for s3cret-Pw",
    });
    assert.ok(e instanceof SystemControlError);
    assert.equal(
      e.message,
      "rebootNode on node sps-a via command: `reboot [redacted]` failed (exit code 3); stderr: denied for [redacted]",
    );
    assert.equal(e.failure, "exit-code");
    assert.equal(e.channel, "command");
  });

  it("an unparseable answer is an `output` failure; a program that cannot start is a `spawn` failure naming the fix", async () => {
    const errors = new ChannelErrors("ipmi", []);
    assert.throws(
      () => errors.parse("readPowerState", "sps-b", () => JSON.parse("not json") as unknown),
      (e: unknown) => e instanceof SystemControlError && e.failure === "output" && /via ipmi/.test(e.message),
    );
    await assert.rejects(
      errors.spawned(
        "readPowerState",
        "sps-b",
        Promise.reject(new SpawnError("ipmitool", "ENOENT", "not found")),
        "install ipmitool",
      ),
      (e: unknown) =>
        e instanceof SystemControlError &&
        e.failure === "spawn" &&
        /cannot run ipmitool: not found; install ipmitool$/.test(e.message),
    );
  });

  it("a channel refuses an operation it can never carry with the reason the config validation gives", async () => {
    const config = parseSystemControlConfig({ nodes: {}, operations: {} });
    await assert.rejects(new IpmiChannel(config).rebootNode("sps-a"), (e: unknown) => {
      assert.ok(e instanceof SystemControlError);
      assert.equal(e.failure, "unsupported");
      assert.ok(e.message.endsWith(whyChannelCannot("rebootNode", "ipmi")), e.message);
      return true;
    });
    await assert.rejects(new SshChannel(config).powerOnSecondary(PAIR), (e: unknown) => {
      assert.ok(e instanceof SystemControlError);
      assert.match(
        e.message,
        /^powerOnSecondary on node sps-b via ssh: a node that is off has no shell.*rule H2/,
      );
      return true;
    });
    assert.throws(
      () => parseSystemControlConfig({ nodes: {}, operations: { rebootNode: { channel: "ipmi" } } }),
      (e: unknown) =>
        e instanceof SystemControlConfigError &&
        e.issues.some((i) => i.reason.startsWith(whyChannelCannot("rebootNode", "ipmi"))),
    );
  });
});
