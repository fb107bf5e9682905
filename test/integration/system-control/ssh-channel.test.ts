import { strict as assert } from "node:assert";
import { createServer, type AddressInfo } from "node:net";
import { Client, utils } from "ssh2";
import { generateEd25519KeyPair } from "../../../emulator/common/ssh-keys";
import {
  startCoreShell,
  type CoreShellHandler,
  type RunningCoreShell,
} from "../../../emulator/sps/core-shell";
import {
  createSystemControl,
  HostKeyMismatchError,
  sha256Fingerprint,
  SystemControlError,
  type SystemControlConfigInput,
} from "../../../provider/clients/system-control";
import { FakePair } from "./pair-fixture";

const PAIR = { primary: "sps-a", secondary: "sps-b" };
const PASSWORD = "core-Shell-Pw-9";

function sshConfig(
  shell: RunningCoreShell,
  ssh: Record<string, unknown> = {},
  deadlineMs = 10_000,
): SystemControlConfigInput {
  const node = {
    address: "127.0.0.1",
    ssh: {
      port: shell.port,
      username: "root",
      password: PASSWORD,
      hostKey: { sha256: shell.hostKeyFingerprint },
      ...ssh,
    },
  };
  return {
    nodes: { "sps-a": node, "sps-b": node },
    operations: {
      rebootNode: { channel: "ssh", deadlineMs },
      rebootCluster: { channel: "ssh", deadlineMs },
      shutdownSecondary: { channel: "ssh", deadlineMs },
      activateSecondary: { channel: "ssh", deadlineMs },
      readHaState: { channel: "ssh", deadlineMs },
      uploadLicense: { channel: "ssh", deadlineMs },
    },
  };
}

/** Runs one command on the core shell as a plain ssh client (no SystemControl in between). */
function execRaw(shell: RunningCoreShell, command: string): Promise<{ code: number | null; stderr: string }> {
  return new Promise((resolve, reject) => {
    const c = new Client();
    c.on("error", reject);
    c.on("ready", () => {
      c.exec(command, (err, stream) => {
        if (err) return reject(err);
        let stderr = "";
        let code: number | null = null;
        stream.stderr.on("data", (d: Buffer) => (stderr += d.toString()));
        stream.on("exit", (x: number) => (code = x));
        stream.on("close", () => {
          c.end();
          resolve({ code, stderr });
        });
        stream.resume();
        stream.end();
      });
    });
    c.connect({
      host: "127.0.0.1",
      port: shell.port,
      username: "root",
      password: PASSWORD,
      hostVerifier: () => true,
    });
  });
}

describe("ssh channel against the emulated core shell", function () {
  this.timeout(30_000);
  let pair: FakePair;
  let shell: RunningCoreShell;
  const clientKey = generateEd25519KeyPair();

  beforeEach(async () => {
    pair = new FakePair();
    shell = await startCoreShell({
      handler: pair.shell(),
      users: [{ username: "root", password: PASSWORD, authorizedKeys: [clientKey.public] }],
    });
  });
  afterEach(async () => {
    await shell.stop();
  });

  it("S9/H1: rebootNode runs `this-node reboot` on that node's core shell and reaches the handler", async () => {
    await createSystemControl(sshConfig(shell)).rebootNode("sps-a");
    assert.deepEqual(pair.calls, ["rebootThisNode"]);
    assert.deepEqual(shell.commands, ["pulumi-sps-wrapper this-node reboot"]);
  });

  it("H4: rebootCluster runs the contract's `cluster reboot` on the primary's core shell and reaches the handler", async () => {
    await createSystemControl(sshConfig(shell)).rebootCluster(PAIR);
    assert.deepEqual(pair.calls, ["rebootCluster"]);
    assert.deepEqual(shell.commands, ["pulumi-sps-wrapper cluster reboot"]);
  });

  it("H2: shutdownSecondary runs 'Other node > Shutdown' on the primary", async () => {
    await createSystemControl(sshConfig(shell)).shutdownSecondary(PAIR);
    assert.deepEqual(pair.calls, ["shutdownOtherNode"]);
    assert.equal(pair.units.b.power, "off");
  });

  it("H2: activateSecondary runs 'Activate slave' on the primary; the roles swap", async () => {
    await createSystemControl(sshConfig(shell)).activateSecondary(PAIR);
    assert.equal(pair.units.a.role, "secondary");
    assert.equal(pair.units.b.role, "primary");
  });

  it("H2/P4: readHaState returns status, per-node role, firmware current/active and sync from the JSON answer", async () => {
    pair.units.a.active = "6.3.2";
    const state = await createSystemControl(sshConfig(shell)).readHaState("sps-a");
    assert.deepEqual(state, pair.haState());
    assert.equal(state.nodes[0]?.firmware.active, "6.3.2");
  });

  it("S11: uploadLicense delivers the license bytes unchanged (binary-safe) to the handler", async () => {
    const content = Buffer.from([0x50, 0x4b, 0x03, 0x04, 0x00, 0xff, 0x10, 0x0a, 0x0d]);
    await createSystemControl(sshConfig(shell)).uploadLicense("sps-a", { fileName: "sps-6.0.zip", content });
    assert.equal(pair.licenses.length, 1);
    assert.equal(pair.licenses[0]?.fileName, "sps-6.0.zip");
    assert.ok(pair.licenses[0]?.content.equals(content));
  });

  it("accepts the host key given as a known_hosts line, and public-key authentication", async () => {
    const cfg = sshConfig(shell, {
      password: undefined,
      privateKey: clientKey.private,
      hostKey: { knownHostsLine: shell.knownHostsLine },
    });
    const state = await createSystemControl(cfg).readHaState("sps-a");
    assert.equal(state.status, "HA");
  });

  it("refuses a wrong host key before authenticating, naming both fingerprints", async () => {
    const other = utils.parseKey(generateEd25519KeyPair().public);
    assert.ok(!(other instanceof Error));
    const wrong = sha256Fingerprint(other.getPublicSSH());
    const control = createSystemControl(sshConfig(shell, { hostKey: { sha256: wrong } }));
    await assert.rejects(control.rebootNode("sps-a"), (e: unknown) => {
      assert.ok(e instanceof HostKeyMismatchError, String(e));
      assert.equal(e.expectedFingerprint, wrong);
      assert.equal(e.actualFingerprint, shell.hostKeyFingerprint);
      assert.ok(e.message.includes(wrong) && e.message.includes(shell.hostKeyFingerprint));
      // One SSH transport, one HostKeyMismatchError: it names the config field to fix.
      assert.equal(e.code, "HOST_KEY_MISMATCH");
      assert.equal(e.field, "nodes.sps-a.ssh.hostKey");
      assert.match(e.message, /rebootNode on node sps-a via ssh .*refused before authenticating/);
      return true;
    });
    assert.deepEqual(pair.calls, []);
    assert.deepEqual(shell.commands, []);
  });

  it("a wrong password is an auth failure that never shows the password", async () => {
    const control = createSystemControl(sshConfig(shell, { password: "not-The-Pw-5" }));
    await assert.rejects(control.readHaState("sps-a"), (e: unknown) => {
      assert.ok(e instanceof SystemControlError);
      assert.equal(e.failure, "auth");
      assert.ok(!e.message.includes("not-The-Pw-5"));
      return true;
    });
  });

  it("a handler refusal is an exit-code failure carrying the stderr tail", async () => {
    pair.units.b.power = "off";
    await assert.rejects(createSystemControl(sshConfig(shell)).activateSecondary(PAIR), (e: unknown) => {
      assert.ok(e instanceof SystemControlError);
      assert.equal(e.failure, "exit-code");
      assert.equal(e.exitCode, 1);
      assert.match(e.stderrTail, /other node is not running/);
      assert.match(e.message, /activateSecondary on node sps-a via ssh/);
      return true;
    });
  });

  it("unknown commands exit 127 with a message", async () => {
    const r = await execRaw(shell, "rm -rf /");
    assert.equal(r.code, 127);
    assert.match(r.stderr, /command not found/);
  });

  it("H1: no other spelling of a cluster reboot than the contract's `cluster reboot` (H4) is accepted", async () => {
    for (const cmd of [
      "pulumi-sps-wrapper reboot cluster",
      "pulumi-sps-wrapper this-node reboot --cluster",
      "pulumi-sps-wrapper other-node reboot",
      "reboot",
    ]) {
      const r = await execRaw(shell, cmd);
      assert.equal(r.code, 127, cmd);
    }
    assert.deepEqual(pair.calls, []);
  });

  it("the `firmwarectl install` command [doc] exits 127 when the node model does not offer it", async () => {
    const r = await execRaw(shell, "/opt/scb/bin/firmwarectl install /root/sps.iso");
    assert.equal(r.code, 127);
  });
});

describe("ssh channel deadlines and reachability", function () {
  this.timeout(20_000);
  let shell: RunningCoreShell;
  const hanging: CoreShellHandler = {
    ...new FakePair().shell(),
    haStatus: () => new Promise(() => undefined),
  };

  before(async () => {
    shell = await startCoreShell({ handler: hanging, users: [{ username: "root", password: PASSWORD }] });
  });
  after(async () => {
    await shell.stop();
  });

  it("a core shell that never answers fails at the operation's own deadline", async () => {
    const t0 = Date.now();
    await assert.rejects(
      createSystemControl(sshConfig(shell, {}, 1500)).readHaState("sps-a"),
      (e: unknown) => {
        assert.ok(e instanceof SystemControlError);
        assert.equal(e.failure, "deadline");
        return true;
      },
    );
    const elapsed = Date.now() - t0;
    assert.ok(elapsed >= 1400 && elapsed < 3000, `took ${elapsed} ms`);
  });

  it("a closed port is reported as unreachable", async () => {
    const probe = createServer();
    await new Promise<void>((r) => probe.listen(0, "127.0.0.1", () => r()));
    const port = (probe.address() as AddressInfo).port;
    await new Promise<void>((r) => probe.close(() => r()));
    const cfg = sshConfig(shell, { port }, 3000);
    await assert.rejects(createSystemControl(cfg).readHaState("sps-a"), (e: unknown) => {
      assert.ok(e instanceof SystemControlError);
      assert.equal(e.failure, "unreachable");
      assert.match(e.message, new RegExp(`127.0.0.1:${port}`));
      return true;
    });
  });
});
