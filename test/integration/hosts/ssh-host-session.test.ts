/**
 * SshHostSession against real OpenSSH servers (test/support/indexer-test-host.ts): host key
 * verification, authentication, sudo, deadlines, quoting, uploads, jump hosts, dropped connections.
 */
import assert from "node:assert/strict";
import { execFileSync, spawn, type ChildProcess } from "node:child_process";
import { createHash } from "node:crypto";
import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import {
  HostKeyMismatchError,
  SshCommandError,
  SshConnectionError,
  SudoRefusedError,
} from "../../../provider/clients/hosts/host-errors";
import { SshHostSession } from "../../../provider/clients/hosts/ssh-host-session";
import { SshOptionsError } from "../../../provider/clients/hosts/ssh-options";
import { shellJoin } from "../../../provider/clients/hosts/shell-quote";
import {
  IndexerTestFixtures,
  IndexerTestHost,
  SUDO_NOPASSWD_USER,
  SUDO_PASSWORD_USER,
  SUDO_PASSWORD_USER_PASSWORD,
} from "../../support/indexer-test-host";

async function rejection(p: Promise<unknown>): Promise<Error> {
  try {
    await p;
  } catch (err) {
    assert.ok(err instanceof Error);
    return err;
  }
  assert.fail("expected a rejection");
}

describe("SshHostSession: SSH to indexer hosts (real sshd)", function () {
  this.timeout(30_000);
  let fixtures: IndexerTestFixtures;
  let hostA: IndexerTestHost;
  let hostB: IndexerTestHost;
  const sessions: SshHostSession[] = [];

  async function open(...args: Parameters<typeof SshHostSession.connect>): Promise<SshHostSession> {
    const s = await SshHostSession.connect(...args);
    sessions.push(s);
    return s;
  }

  before(async function () {
    this.timeout(120_000);
    fixtures = IndexerTestFixtures.create();
    hostA = await IndexerTestHost.start(fixtures, {
      name: "a",
      os: "rhel7",
      installedRpm: fixtures.rpms.v6_0_1,
    });
    hostB = await IndexerTestHost.start(fixtures, {
      name: "jump",
      os: "rhel7",
      installedRpm: fixtures.rpms.v6_0_1,
      allowTcpForwarding: true,
    });
  });
  afterEach(async () => {
    await Promise.all(sessions.splice(0).map((s) => s.close()));
  });
  after(async () => {
    await hostA?.stop();
    await hostB?.stop();
    fixtures?.dispose();
  });

  describe("host key verification (required)", () => {
    it("refuses a host whose key differs from the declared known_hosts line, showing both fingerprints", async () => {
      const err = await rejection(
        open(hostA.sshOptions("root", { hostKey: { knownHostsLine: hostB.knownHostsLine() } })),
      );
      assert.ok(err instanceof HostKeyMismatchError, String(err));
      assert.equal(err.expectedFingerprint, hostB.fingerprint());
      assert.equal(err.actualFingerprint, hostA.fingerprint());
      assert.ok(
        err.message.includes(hostB.fingerprint()) && err.message.includes(hostA.fingerprint()),
        err.message,
      );
      assert.match(err.message, /refused/);
      assert.equal(err.field, "hostKey");
    });

    it("refuses a host whose key differs from the declared SHA-256 fingerprint", async () => {
      const err = await rejection(
        open(hostA.sshOptions("root", { hostKey: { sha256Fingerprint: hostB.fingerprint() } })),
      );
      assert.ok(err instanceof HostKeyMismatchError);
      assert.ok(err.message.includes(hostA.fingerprint()));
    });

    it("accepts a host pinned by its SHA-256 fingerprint (the same one ssh-keygen -l prints)", async () => {
      const printed = execFileSync("ssh-keygen", ["-l", "-f", join(hostA.dir, "ssh/host_ed25519_key.pub")], {
        encoding: "utf8",
      }).split(" ")[1];
      assert.equal(printed, hostA.fingerprint());
      const s = await open(hostA.sshOptions("root", { hostKey: { sha256Fingerprint: printed ?? "" } }));
      assert.equal((await s.run("echo ok")).stdout, "ok\n");
    });

    it("rejects options without a host key before connecting, naming the field and the fix", async () => {
      const noHostKey: Record<string, unknown> = { ...hostA.sshOptions("root") };
      delete noHostKey["hostKey"];
      const err = await rejection(open(noHostKey));
      assert.ok(err instanceof SshOptionsError);
      assert.ok(err.issues.some((i) => i.property === "hostKey" && /cannot be skipped/.test(i.reason)));
    });
  });

  describe("authentication", () => {
    it("logs in with a password, and the password never appears in an error", async () => {
      const s = await open(
        hostA.sshOptions(SUDO_PASSWORD_USER, {
          auth: { method: "password", password: SUDO_PASSWORD_USER_PASSWORD },
        }),
      );
      assert.equal((await s.run("id -un")).stdout.trim(), SUDO_PASSWORD_USER);
      const err = await rejection(s.run(`echo ${SUDO_PASSWORD_USER_PASSWORD} >&2; exit 4`));
      assert.ok(err instanceof SshCommandError);
      assert.ok(!err.message.includes(SUDO_PASSWORD_USER_PASSWORD), err.message);
      assert.match(err.message, /\[redacted\]/);
    });

    it("a wrong password is an SshConnectionError that names the method, not the password", async () => {
      const wrong = "not-the-Pw-4411";
      const err = await rejection(
        open(hostA.sshOptions(SUDO_PASSWORD_USER, { auth: { method: "password", password: wrong } })),
      );
      assert.ok(err instanceof SshConnectionError && !(err instanceof HostKeyMismatchError), String(err));
      assert.match(err.message, /authentication as "spsidx-pw" with method password was refused/);
      assert.ok(!err.message.includes(wrong));
    });

    describe("with an ssh-agent", () => {
      let agent: ChildProcess | undefined;
      const socket = (): string => join(fixtures.dir, "agent.sock");
      before(async () => {
        agent = spawn("ssh-agent", ["-D", "-a", socket()], { stdio: "ignore" });
        for (let i = 0; i < 100 && !existsSync(socket()); i++) await new Promise((r) => setTimeout(r, 20));
        execFileSync("ssh-add", ["-q", fixtures.clientKeyPath], {
          env: { ...process.env, SSH_AUTH_SOCK: socket() },
        });
      });
      after(async () => {
        if (agent && agent.exitCode === null) {
          const exited = new Promise((r) => agent?.once("exit", r));
          agent.kill("SIGTERM");
          await exited;
        }
      });

      it("authenticates with a key held by the agent", async () => {
        const s = await open(
          hostA.sshOptions(SUDO_NOPASSWD_USER, { auth: { method: "agent", agentSocket: socket() } }),
        );
        assert.equal((await s.run("id -un")).stdout.trim(), SUDO_NOPASSWD_USER);
      });
    });
  });

  describe("commands", () => {
    it("the exit code decides success: output on stderr alone is not a failure", async () => {
      const s = await open(hostA.sshOptions(SUDO_NOPASSWD_USER));
      const r = await s.run("echo out; echo warning: something >&2");
      assert.equal(r.exitCode, 0);
      assert.equal(r.stdout, "out\n");
      assert.equal(r.stderr, "warning: something\n");
    });

    it("a non-zero exit code throws SshCommandError with host, command, exit code and stderr tail", async () => {
      const s = await open(hostA.sshOptions(SUDO_NOPASSWD_USER), "idx-a");
      const err = await rejection(s.run("echo first >&2; echo last words >&2; exit 7"));
      assert.ok(err instanceof SshCommandError);
      assert.equal(err.host, "idx-a");
      assert.equal(err.exitCode, 7);
      assert.equal(err.failure, "exit-code");
      assert.equal(err.command, "echo first >&2; echo last words >&2; exit 7");
      assert.match(err.stderrTail, /last words$/);
      assert.match(err.message, /^idx-a: command .* failed with exit code 7; stderr: first\nlast words$/);
    });

    it("acceptExitCodes returns listed exit codes to the caller instead of throwing", async () => {
      const s = await open(hostA.sshOptions(SUDO_NOPASSWD_USER));
      assert.equal((await s.run("exit 3", { acceptExitCodes: [0, 3] })).exitCode, 3);
      assert.equal((await s.run("exit 9", { acceptExitCodes: "any" })).exitCode, 9);
    });

    it("quoted arguments reach the remote shell unchanged (spaces, quotes, $, globs, newlines)", async () => {
      const s = await open(hostA.sshOptions(SUDO_NOPASSWD_USER));
      const args = [
        "plain",
        "with space",
        "it's",
        '"double"',
        "$HOME",
        "*",
        "a\nb",
        "",
        "back\\slash",
        "semi;colon",
      ];
      const r = await s.run(`printf '%s\\0' ${shellJoin(args)}`);
      assert.deepEqual(r.stdout.split("\0").slice(0, -1), args);
    });

    it("a command past its deadline fails with failure=timeout and the session stays usable", async () => {
      const s = await open(hostA.sshOptions(SUDO_NOPASSWD_USER));
      const started = Date.now();
      const err = await rejection(s.run("sleep 10", { timeoutMs: 300 }));
      assert.ok(err instanceof SshCommandError && err.failure === "timeout", String(err));
      assert.ok(Date.now() - started < 3_000);
      assert.match(err.message, /did not finish within its deadline \(300 ms\)/);
      assert.equal((await s.run("echo still here")).stdout, "still here\n");
    });

    it("sudo runs as root for a NOPASSWD user, and is not used for root", async () => {
      const user = await open(hostA.sshOptions(SUDO_NOPASSWD_USER));
      assert.notEqual((await user.run("id -u")).stdout.trim(), "0");
      assert.equal((await user.run("id -u", { sudo: true })).stdout.trim(), "0");
      // the command keeps its own quoting inside sudo's `sh -c`
      assert.equal((await user.run("printf '%s|' \"a b\" 'c'\"'\"'d'", { sudo: true })).stdout, "a b|c'd|");
      const root = await open(hostA.sshOptions("root"));
      assert.equal((await root.run("id -u", { sudo: true })).stdout.trim(), "0");
    });

    it("sudo that wants a password fails fast with SudoRefusedError explaining the fix", async () => {
      const s = await open(hostA.sshOptions(SUDO_PASSWORD_USER));
      const started = Date.now();
      const err = await rejection(s.run("systemctl stop external-indexer.service", { sudo: true }));
      assert.ok(err instanceof SudoRefusedError, String(err));
      assert.ok(Date.now() - started < 5_000, "no hang waiting for a password prompt");
      assert.equal(err.user, SUDO_PASSWORD_USER);
      assert.match(err.message, /needs a password for sudo/);
      assert.match(err.message, /NOPASSWD/);
      assert.equal(hostA.serviceRecord(), "running 6.0.1", "nothing ran");
    });

    it("a dropped connection fails the running command as connection-lost", async () => {
      const s = await open(hostB.sshOptions(SUDO_NOPASSWD_USER));
      const pending = s.run("sleep 10");
      await new Promise((r) => setTimeout(r, 300));
      assert.ok(hostB.dropConnections() > 0);
      const err = await rejection(pending);
      assert.ok(err instanceof SshCommandError && err.failure === "connection-lost", String(err));
      const next = await rejection(s.run("echo hi"));
      assert.ok(next instanceof SshCommandError && next.failure === "connection-lost");
    });
  });

  describe("upload", () => {
    it("copies a file over SFTP and verifies it with sha256sum on the host", async () => {
      const s = await open(hostA.sshOptions(SUDO_NOPASSWD_USER));
      const remote = join(hostA.root, "var/tmp/upload test.rpm");
      const r = await s.upload(fixtures.rpms.v6_3_0, remote);
      const local = createHash("sha256").update(readFileSync(fixtures.rpms.v6_3_0)).digest("hex");
      assert.equal(r.sha256, local);
      assert.equal(createHash("sha256").update(readFileSync(remote)).digest("hex"), local);
    });

    it("an upload that cannot be written is an SshCommandError naming the remote path", async () => {
      const s = await open(hostA.sshOptions(SUDO_NOPASSWD_USER));
      const err = await rejection(s.upload(fixtures.rpms.v6_3_0, "/root/forbidden.rpm"));
      assert.ok(err instanceof SshCommandError);
      assert.match(err.message, /sftp put \/root\/forbidden\.rpm/);
    });
  });

  describe("jump host", () => {
    // A jump host takes the endpoint fields only (no commandTimeoutMs of its own).
    const jumpOptions = (hostKey?: { knownHostsLine: string }) => {
      const o = hostB.sshOptions("root", hostKey ? { hostKey } : {});
      return { host: o.host, port: o.port, username: o.username, auth: o.auth, hostKey: o.hostKey };
    };
    it("reaches the host through a jump host, verifying both host keys", async () => {
      const accepted = (): number => (hostB.sshdLog().match(/Accepted publickey for root/g) ?? []).length;
      const before = accepted();
      const s = await open(hostA.sshOptions(SUDO_NOPASSWD_USER, { jumpHost: jumpOptions() }));
      assert.equal((await s.run("id -un")).stdout.trim(), SUDO_NOPASSWD_USER);
      assert.equal(accepted(), before + 1, "the jump host authenticated the hop");
    });

    it("a jump host with the wrong key is refused before the target is contacted", async () => {
      const err = await rejection(
        open(
          hostA.sshOptions("root", {
            jumpHost: jumpOptions({ knownHostsLine: hostA.knownHostsLine() }),
          }),
        ),
      );
      assert.ok(err instanceof HostKeyMismatchError);
      assert.match(err.message, /jump host/);
      assert.equal(err.field, "jumpHost.hostKey");
    });
  });

  it("a missing key file is reported under auth.privateKeyPath with the path and the reason", async () => {
    const missing = join(fixtures.dir, "no-such-key");
    const err = await rejection(
      open(hostA.sshOptions("root", { auth: { method: "privateKey", privateKeyPath: missing } })),
    );
    assert.ok(err instanceof SshConnectionError);
    assert.match(err.message, /auth\.privateKeyPath: cannot read the key file .*no-such-key \(ENOENT\)/);
  });

  it("an unusable private key text is refused without echoing the key", async () => {
    const bogus =
      "-----BEGIN OPENSSH PRIVATE KEY-----\nc2VjcmV0LWtleS1tYXRlcmlhbA==\n-----END OPENSSH PRIVATE KEY-----\n";
    const err = await rejection(
      open(hostA.sshOptions("root", { auth: { method: "privateKey", privateKey: bogus } })),
    );
    assert.ok(err instanceof SshConnectionError, String(err));
    assert.ok(!err.message.includes("c2VjcmV0LWtleS1tYXRlcmlhbA"), err.message);
  });
});
