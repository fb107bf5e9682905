import { strict as assert } from "node:assert";
import { spawnSync } from "node:child_process";
import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import {
  activateOtherNodeCommand,
  WRAPPER_COMMAND,
  WRAPPER_CONTRACT_VERSION,
  wrapperContractVersionCommand,
  expandArgv,
  formatHaStatusOutput,
  haStatusCommand,
  installFirmwareCommand,
  installLicenseCommand,
  manualInstructions,
  parseCoreShellCommand,
  parseHaStatusOutput,
  parsePowerOutput,
  rebootClusterCommand,
  rebootThisNodeCommand,
  shutdownOtherNodeCommand,
  SYSTEM_CONTROL_OPERATIONS,
  type HaState,
} from "../../../provider/clients/system-control";

const STATE: HaState = {
  status: "HA",
  sync: "synced",
  firmwareSynced: true,
  nodes: [
    { unit: "a", role: "primary", power: "on", firmware: { current: "6.0.4", active: "6.3.2" } },
    { unit: "b", role: "secondary", power: "on", firmware: { current: "6.0.4", active: "6.3.2" } },
  ],
};

describe("core-shell commands: firmwarectl [doc] and the pulumi-sps-wrapper contract (ours) (pure)", () => {
  it("every builder's command parses back to its kind", () => {
    assert.deepEqual(parseCoreShellCommand(rebootThisNodeCommand()), { kind: "reboot-this-node" });
    assert.deepEqual(parseCoreShellCommand(shutdownOtherNodeCommand()), { kind: "shutdown-other-node" });
    assert.deepEqual(parseCoreShellCommand(activateOtherNodeCommand()), { kind: "activate-other-node" });
    assert.deepEqual(parseCoreShellCommand(rebootClusterCommand()), { kind: "reboot-cluster" });
    assert.deepEqual(parseCoreShellCommand(haStatusCommand()), { kind: "ha-status" });
    assert.deepEqual(parseCoreShellCommand(installLicenseCommand("sps-6.0.zip")), {
      kind: "install-license",
      fileName: "sps-6.0.zip",
    });
    assert.deepEqual(parseCoreShellCommand(installFirmwareCommand("/root/sps-6.3.2.iso")), {
      kind: "install-firmware",
      isoPath: "/root/sps-6.3.2.iso",
    });
  });

  it("H1: the upgrade vocabulary reboots this node only; the one cluster reboot is next-hop monitoring's (H4)", () => {
    const upgrade = [
      rebootThisNodeCommand(),
      shutdownOtherNodeCommand(),
      activateOtherNodeCommand(),
      haStatusCommand(),
      installLicenseCommand("l.zip"),
    ];
    assert.ok(upgrade.every((c) => !/cluster/i.test(c)));
    assert.deepEqual(
      upgrade.filter((c) => /reboot/.test(c)),
      [`${WRAPPER_COMMAND} this-node reboot`],
    );
    assert.equal(rebootClusterCommand(), `${WRAPPER_COMMAND} cluster reboot`);
    assert.deepEqual(
      (SYSTEM_CONTROL_OPERATIONS as readonly string[]).filter((op) => /cluster/i.test(op)),
      ["rebootCluster"],
    );
  });

  it("H1: neither the executor nor the planner names the cluster reboot", () => {
    const root = join(__dirname, "../../..");
    for (const dir of ["provider/executor", "core"]) {
      for (const f of readdirSync(join(root, dir)).filter((n) => n.endsWith(".ts"))) {
        const text = readFileSync(join(root, dir, f), "utf8");
        if (dir === "core" && f === "next-hop.ts") continue; // H4: the documented restart
        assert.ok(!/rebootCluster|cluster reboot/.test(text), `${dir}/${f} names the cluster reboot`);
      }
    }
  });

  it("our wrapper has a name of our own, not one another product uses, and reports its contract version", () => {
    // The control-script name another vendor's product uses, built so this file does not carry it.
    const borrowed = ["sps", "ctl"].join("-");
    assert.equal(WRAPPER_COMMAND, "pulumi-sps-wrapper");
    for (const c of [rebootThisNodeCommand(), haStatusCommand(), wrapperContractVersionCommand()])
      assert.ok(c.startsWith(`${WRAPPER_COMMAND} `), c);
    assert.equal(parseCoreShellCommand(`${borrowed} this-node reboot`), null);
    assert.deepEqual(parseCoreShellCommand(wrapperContractVersionCommand()), { kind: "contract-version" });
    assert.equal(WRAPPER_CONTRACT_VERSION, "1");
    // No file of the project (sources, tests, docs, examples) names it as our wrapper.
    const grep = spawnSync("git", ["grep", "-l", "-I", "-i", borrowed], {
      cwd: join(__dirname, "../../.."),
      encoding: "utf8",
    });
    assert.equal(grep.status, 1, `files naming it: ${grep.stdout}`);
  });

  it("unsafe license file names fall back to a plain name (no shell words reach the core shell)", () => {
    assert.equal(
      installLicenseCommand("a b;rm -rf /"),
      `${WRAPPER_COMMAND} license install --stdin-base64 --name license`,
    );
    assert.throws(() => installFirmwareCommand("/root/x.iso; reboot"));
  });

  it("HA status JSON round-trips and a bad field is named", () => {
    assert.deepEqual(parseHaStatusOutput(formatHaStatusOutput(STATE)), STATE);
    assert.throws(() => parseHaStatusOutput(JSON.stringify({ ...STATE, status: "Split" })), /field status/);
    assert.throws(() => parseHaStatusOutput("not json"), /not JSON/);
  });

  it("power answers: plain, ipmitool text and JSON", () => {
    assert.equal(parsePowerOutput("on\n"), "on");
    assert.equal(parsePowerOutput("Chassis Power is off\n"), "off");
    assert.equal(parsePowerOutput('{"power":"on"}'), "on");
    assert.throws(() => parsePowerOutput("unknown"));
  });

  it("argv templating expands each element on its own", () => {
    const v = {
      node: "sps-a",
      address: "10.0.0.1",
      operation: "rebootNode",
      primary: "",
      secondary: "",
      licenseFile: "",
      licenseName: "x y",
      bmcHost: "",
      bmcPort: "",
    };
    assert.deepEqual(expandArgv(["/bin/ctl", "{{ node }}@{{address}}", "{{licenseName}}"], v), [
      "/bin/ctl",
      "sps-a@10.0.0.1",
      "x y",
    ]);
  });

  it("every operation has manual instructions ending with how to resume", () => {
    for (const op of SYSTEM_CONTROL_OPERATIONS) {
      const steps = manualInstructions(op, {
        node: "n",
        address: "192.0.2.1",
        pair: { primary: "n", secondary: "m" },
      });
      assert.ok(steps.length >= 2, op);
      assert.match(steps[steps.length - 1] ?? "", /run the deployment again/);
    }
  });
});
