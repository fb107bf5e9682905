import { strict as assert } from "node:assert";
import {
  parseSystemControlConfig,
  SystemControlConfigError,
  DEFAULT_DEADLINES_MS,
  deadlineOf,
} from "../../../provider/clients/system-control";

const FP = `SHA256:${"A".repeat(43)}`;
const ssh = { password: "pw", hostKey: { sha256: FP } };
const ipmi = { host: "::1", username: "admin", password: "pw" };

function issuesOf(input: unknown): { property: string; reason: string }[] {
  try {
    parseSystemControlConfig(input);
  } catch (e) {
    assert.ok(e instanceof SystemControlConfigError, String(e));
    return [...e.issues];
  }
  assert.fail("expected a SystemControlConfigError");
}

function hasIssue(issues: { property: string; reason: string }[], property: string, reason: RegExp): void {
  assert.ok(
    issues.some((i) => i.property === property && reason.test(i.reason)),
    `expected ${property} ~ ${reason}; got ${JSON.stringify(issues)}`,
  );
}

describe("system-control config validation (zod): errors name the field and the fix", () => {
  it("accepts a full configuration and fills defaults (port 22/623, lanplus, cipher suite 3, soft shutdown)", () => {
    const cfg = parseSystemControlConfig({
      nodes: { "sps-a": { address: "127.0.0.1", ssh, ipmi } },
      operations: {
        readHaState: { channel: "ssh" },
        powerOnSecondary: { channel: "ipmi", deadlineMs: 5000 },
      },
    });
    assert.equal(cfg.nodes["sps-a"]?.ssh?.port, 22);
    assert.equal(cfg.nodes["sps-a"]?.ssh?.username, "root");
    assert.equal(cfg.nodes["sps-a"]?.ipmi?.port, 623);
    assert.equal(cfg.nodes["sps-a"]?.ipmi?.interface, "lanplus");
    assert.equal(cfg.nodes["sps-a"]?.ipmi?.cipherSuite, 3);
    assert.equal(cfg.nodes["sps-a"]?.ipmi?.shutdownMethod, "soft");
    assert.equal(deadlineOf(cfg, "powerOnSecondary"), 5000);
    assert.equal(deadlineOf(cfg, "readHaState"), DEFAULT_DEADLINES_MS.readHaState);
  });

  it("H2: refuses powering the secondary on over ssh, pointing to ipmi", () => {
    const issues = issuesOf({
      nodes: { a: { address: "127.0.0.1", ssh } },
      operations: { powerOnSecondary: { channel: "ssh" } },
    });
    hasIssue(issues, "operations.powerOnSecondary.channel", /rule H2.*use one of: ipmi, command, manual/);
  });

  it("H1/S10: refuses rebooting a node through IPMI (a power cycle is not a reboot)", () => {
    const issues = issuesOf({
      nodes: { a: { address: "127.0.0.1", ipmi } },
      operations: { rebootNode: { channel: "ipmi" } },
    });
    hasIssue(issues, "operations.rebootNode.channel", /H1.*use one of: ssh, command, manual/);
  });

  it("H4: the cluster reboot (next-hop monitoring) goes through the appliance, never through IPMI", () => {
    const ok = issuesOf({
      nodes: { n: { address: "192.0.2.10", ssh: { username: "root", password: "x" } } },
      operations: { rebootCluster: { channel: "ssh" } },
    });
    assert.ok(!ok.some((i) => i.property.startsWith("operations.rebootCluster")), JSON.stringify(ok));
    const issues = issuesOf({ nodes: {}, operations: { rebootCluster: { channel: "ipmi" } } });
    hasIssue(issues, "operations.rebootCluster.channel", /Reboot Cluster.*use one of: ssh, command, manual/);
  });

  it("names the node whose ssh settings are missing, and the missing BMC settings for a routed operation", () => {
    const issues = issuesOf({
      nodes: { "sps-a": { address: "127.0.0.1" } },
      operations: { readHaState: { channel: "ssh" }, readPowerState: { channel: "ipmi" } },
    });
    hasIssue(issues, "nodes.sps-a.ssh", /operations\.readHaState uses? the ssh channel/);
    hasIssue(
      issues,
      "nodes",
      /operations\.readPowerState uses? the ipmi channel, but no node has `ipmi` settings/,
    );
  });

  it("requires a credential for ssh and exactly one IPMI password source", () => {
    const issues = issuesOf({
      nodes: {
        a: {
          address: "127.0.0.1",
          ssh: { hostKey: { sha256: FP } },
          ipmi: { host: "::1", username: "admin", password: "x", passwordFile: "/tmp/pw" },
        },
      },
    });
    hasIssue(issues, "nodes.a.ssh", /set `password` or `privateKey`/);
    hasIssue(issues, "nodes.a.ipmi", /exactly one of `password` or `passwordFile`/);
  });

  it("explains the host key format", () => {
    const issues = issuesOf({
      nodes: { a: { address: "127.0.0.1", ssh: { password: "x", hostKey: { sha256: "md5:ab" } } } },
    });
    assert.ok(
      issues.some((i) => i.property.startsWith("nodes.a.ssh.hostKey")),
      JSON.stringify(issues),
    );
  });

  it("refuses unknown template variables in a command argv, listing the known ones", () => {
    const issues = issuesOf({
      nodes: {},
      operations: { rebootNode: { channel: "command", argv: ["/usr/local/bin/reboot-sps", "{{host}}"] } },
    });
    hasIssue(
      issues,
      "operations.rebootNode.argv.1",
      /unknown template variable \{\{host\}\}; known: \{\{node\}\}/,
    );
  });

  it("refuses an unknown IPMI interface and a non-numeric port", () => {
    const issues = issuesOf({
      nodes: { a: { address: "127.0.0.1", ipmi: { ...ipmi, interface: "serial", port: "623" } } },
    });
    assert.ok(
      issues.some((i) => i.property === "nodes.a.ipmi.interface"),
      JSON.stringify(issues),
    );
    assert.ok(
      issues.some((i) => i.property === "nodes.a.ipmi.port"),
      JSON.stringify(issues),
    );
  });

  it("never echoes a secret in a validation message", () => {
    try {
      parseSystemControlConfig({
        nodes: { a: { address: "127.0.0.1", ssh: { password: "top-Secret-8", hostKey: {} } } },
      });
      assert.fail("expected an error");
    } catch (e) {
      assert.ok(e instanceof SystemControlConfigError);
      assert.ok(!e.message.includes("top-Secret-8"));
    }
  });
});
