/**
 * IndexerHost against real test hosts (real sshd, sudo, rpm, dnf as yum; only systemctl/service are
 * shims, see test/support/indexer-test-host.ts). Rules I1, I2, I4, I5.
 */
import assert from "node:assert/strict";
import { createHash } from "node:crypto";
import { existsSync, readFileSync, rmSync } from "node:fs";
import { IndexerHost, type IndexerProgress } from "../../../provider/clients/hosts/indexer-host";
import {
  IndexerUpgradeError,
  type IndexerUpgradeResult,
} from "../../../provider/clients/hosts/indexer-upgrade-result";
import { SshHostSession } from "../../../provider/clients/hosts/ssh-host-session";
import { SshCommandError, SshConnectionError } from "../../../provider/clients/hosts/host-errors";
import { inspectIndexerHost, upgradeIndexerHost } from "../../../provider/clients/hosts/indexer-host-run";
import {
  IndexerTestFixtures,
  IndexerTestHost,
  SUDO_NOPASSWD_USER,
  SUDO_PASSWORD_USER,
  type TestHostSpec,
  type TestUser,
} from "../../support/indexer-test-host";

const SPS = "6.3.0";

describe("IndexerHost: upgrading external indexer hosts over SSH (rules I1, I2, I4, I5)", function () {
  this.timeout(60_000);
  let fixtures: IndexerTestFixtures;
  let hosts: IndexerTestHost[] = [];
  let sessions: SshHostSession[] = [];

  before(function () {
    this.timeout(120_000);
    fixtures = IndexerTestFixtures.create();
  });
  after(() => fixtures?.dispose());
  afterEach(async () => {
    await Promise.all(sessions.map((s) => s.close()));
    await Promise.all(hosts.map((h) => h.stop()));
    sessions = [];
    hosts = [];
  });

  async function startHost(spec: Omit<TestHostSpec, "name"> & { name?: string }): Promise<IndexerTestHost> {
    const host = await IndexerTestHost.start(fixtures, { name: spec.name ?? spec.os, ...spec });
    hosts.push(host);
    return host;
  }

  async function indexerOn(
    host: IndexerTestHost,
    user: TestUser = SUDO_NOPASSWD_USER,
    onProgress?: (e: IndexerProgress) => void,
  ): Promise<IndexerHost> {
    const session = await SshHostSession.connect(host.sshOptions(user), host.name);
    sessions.push(session);
    return new IndexerHost({ session, rootPrefix: host.root, ...(onProgress ? { onProgress } : {}) });
  }

  async function expectUpgradeError(p: Promise<unknown>): Promise<IndexerUpgradeError> {
    try {
      await p;
    } catch (err) {
      assert.ok(err instanceof IndexerUpgradeError, `expected IndexerUpgradeError, got ${String(err)}`);
      return err;
    }
    assert.fail("the upgrade was expected to fail");
  }

  const sha256 = (path: string): string => createHash("sha256").update(readFileSync(path)).digest("hex");
  const actionsOf = (r: IndexerUpgradeResult): string[] =>
    r.actions.map((a) => `${a.action}${a.ok ? "" : "!"}`);

  it("upgrades a RHEL 7 host through NOPASSWD sudo with systemctl: backup, copy, stop, yum upgrade, start, verify (I4)", async () => {
    const host = await startHost({ os: "rhel7", installedRpm: fixtures.rpms.v6_0_1 });
    const progress: IndexerProgress[] = [];
    const indexer = await indexerOn(host, SUDO_NOPASSWD_USER, (e) => progress.push(e));
    const started = Date.now();
    const result = await indexer.upgrade({
      rpmPath: fixtures.rpms.v6_3_0,
      version: "6.3.0",
      spsVersion: SPS,
    });
    const elapsed = Date.now() - started;
    console.log(`      (one RHEL 7 host upgrade took ${elapsed} ms)`);

    assert.equal(result.outcome, "upgraded");
    assert.equal(result.os, "rhel7");
    assert.equal(result.versionBefore, "6.0.1");
    assert.equal(result.versionAfter, "6.3.0");
    assert.equal(result.serviceBefore, "running");
    assert.equal(result.serviceAfter, "running");
    assert.deepEqual(actionsOf(result), [
      "backup-indexer-config",
      "copy-indexer-package",
      "stop-indexer",
      "upgrade-indexer-package",
      "start-indexer",
      "verify-indexer",
    ]);
    const commands = result.actions.flatMap((a) => (a.command ? [a.command] : []));
    assert.ok(commands.includes("systemctl stop external-indexer.service"));
    assert.ok(commands.includes("systemctl start external-indexer.service"));
    assert.ok(commands.some((c) => c.startsWith("yum ") && c.includes(" upgrade -y ")));
    // The host itself: the real RPM database and the service record.
    assert.equal(host.installedVersion(), "6.3.0");
    assert.equal(host.serviceRecord(), "running 6.3.0");
    assert.deepEqual(
      host.serviceCalls().filter((c) => c !== "state"),
      ["stop", "start"],
    );
    assert.ok(
      progress.some((p) => p.action === "upgrade-indexer-package"),
      "progress reports the yum step",
    );
    assert.ok(progress.every((p) => p.host === host.name));
  });

  it("upgrades a RHEL 6 host as root (no sudo) with `service`, backing up the 5.11 configuration under /opt/external-indexer (I2, I4)", async () => {
    const host = await startHost({ os: "rhel6", installedRpm: fixtures.rpms.v5_11_0 });
    const indexer = await indexerOn(host, "root");
    const result = await indexer.upgrade({
      rpmPath: fixtures.rpms.v6_3_0,
      version: "6.3.0",
      spsVersion: SPS,
    });

    assert.equal(result.outcome, "upgraded");
    assert.equal(result.os, "rhel6");
    assert.equal(host.installedVersion(), "6.3.0");
    assert.equal(host.serviceRecord(), "running 6.3.0");
    const commands = result.actions.flatMap((a) => (a.command ? [a.command] : []));
    assert.ok(commands.includes("service external-indexer stop"), commands.join("\n"));
    assert.ok(commands.includes("service external-indexer start"), commands.join("\n"));
    assert.ok(!commands.some((c) => c.startsWith("systemctl")), "RHEL 6 has no systemctl");
    // rule I2: 5.x keeps its configuration under /opt/external-indexer/etc/indexer.
    assert.equal(result.backups.length, 2);
    for (const b of result.backups) {
      assert.ok(b.path.startsWith(`${host.root}/opt/external-indexer/etc/indexer/`), b.path);
    }
  });

  it("backups of indexerworker.cfg and indexer-certs.cfg exist, are timestamped and match the originals (I2)", async () => {
    const host = await startHost({ os: "rhel7", installedRpm: fixtures.rpms.v6_0_1 });
    const originals = ["indexerworker.cfg", "indexer-certs.cfg"].map((f) => ({
      file: f,
      path: host.configPath(f, "6.0.1"),
      content: readFileSync(host.configPath(f, "6.0.1"), "utf8"),
    }));
    const indexer = await indexerOn(host);
    const result = await indexer.upgrade({
      rpmPath: fixtures.rpms.v6_3_0,
      version: "6.3.0",
      spsVersion: SPS,
    });

    assert.deepEqual(
      result.backups.map((b) => b.file),
      ["indexerworker.cfg", "indexer-certs.cfg"],
    );
    for (const o of originals) {
      const b = result.backups.find((x) => x.file === o.file);
      assert.ok(b);
      assert.match(
        b.backupPath,
        new RegExp(`/etc/indexer/${o.file.replace(".", "\\.")}\\.\\d{8}T\\d{9}Z\\.bak$`),
      );
      assert.ok(existsSync(b.backupPath), `${b.backupPath} exists`);
      assert.equal(
        readFileSync(b.backupPath, "utf8"),
        o.content,
        "the backup holds the operator's configuration",
      );
      assert.equal(sha256(b.backupPath), b.sha256);
      // noreplace configuration survives the upgrade untouched
      assert.equal(readFileSync(o.path, "utf8"), o.content);
    }
  });

  it("does nothing on a converged host: already at the declared version and running", async () => {
    const host = await startHost({ os: "rhel7", installedRpm: fixtures.rpms.v6_3_0 });
    const indexer = await indexerOn(host);
    const result = await indexer.upgrade({
      rpmPath: fixtures.rpms.v6_3_0,
      version: "6.3.0",
      spsVersion: SPS,
    });

    assert.equal(result.outcome, "unchanged");
    assert.equal(result.changed, false);
    assert.deepEqual(result.actions, []);
    assert.deepEqual(
      host.serviceCalls().filter((c) => c !== "state"),
      [],
    );
    assert.deepEqual(host.list("/var/tmp"), [], "no package was copied");
    assert.deepEqual(
      host.list("/etc/indexer").filter((f) => f.endsWith(".bak")),
      [],
      "no backup was made",
    );
  });

  it("a second run after a successful upgrade is a no-op (idempotent)", async () => {
    const host = await startHost({ os: "rhel6", installedRpm: fixtures.rpms.v6_0_1 });
    const indexer = await indexerOn(host);
    const request = { rpmPath: fixtures.rpms.v6_3_0, version: "6.3.0", spsVersion: SPS };
    assert.equal((await indexer.upgrade(request)).outcome, "upgraded");
    const calls = host.serviceCalls().length;
    const again = await indexer.upgrade(request);
    assert.equal(again.outcome, "unchanged");
    assert.deepEqual(
      host
        .serviceCalls()
        .slice(calls)
        .filter((c) => c !== "state"),
      [],
    );
  });

  it("resumes a host left stopped at the old version: upgrades and starts it without a stop", async () => {
    const host = await startHost({ os: "rhel7", installedRpm: fixtures.rpms.v6_0_1, service: "stopped" });
    const indexer = await indexerOn(host);
    const result = await indexer.upgrade({
      rpmPath: fixtures.rpms.v6_3_0,
      version: "6.3.0",
      spsVersion: SPS,
    });

    assert.equal(result.outcome, "upgraded");
    assert.equal(result.serviceBefore, "stopped");
    assert.ok(!actionsOf(result).includes("stop-indexer"));
    assert.equal(host.installedVersion(), "6.3.0");
    assert.equal(host.serviceRecord(), "running 6.3.0");
  });

  it("resumes a host left upgraded but stopped: starts it, no reinstall", async () => {
    const host = await startHost({ os: "rhel6", installedRpm: fixtures.rpms.v6_3_0, service: "stopped" });
    const indexer = await indexerOn(host);
    const result = await indexer.upgrade({
      rpmPath: fixtures.rpms.v6_3_0,
      version: "6.3.0",
      spsVersion: SPS,
    });

    assert.equal(result.outcome, "started");
    assert.deepEqual(actionsOf(result), ["start-indexer", "verify-indexer"]);
    assert.deepEqual(host.list("/var/tmp"), [], "no package was copied");
    assert.equal(host.serviceRecord(), "running 6.3.0");
  });

  it("a corrupt RPM makes yum fail after the stop: the old version is started again and the failure reported (I5)", async () => {
    const host = await startHost({ os: "rhel7", installedRpm: fixtures.rpms.v6_0_1 });
    const indexer = await indexerOn(host, SUDO_NOPASSWD_USER);
    const err = await expectUpgradeError(
      indexer.upgrade({ rpmPath: fixtures.rpms.v6_3_0_corrupt, version: "6.3.0", spsVersion: SPS }),
    );

    assert.equal(err.rule, "I5");
    assert.match(err.message, /yum .*upgrade -y .* failed with exit code 1/);
    assert.match(err.message, /does not verify|digest/i, "yum's own reason is in the report");
    assert.equal(err.result.outcome, "failed");
    assert.deepEqual(actionsOf(err.result), [
      "backup-indexer-config",
      "copy-indexer-package",
      "stop-indexer",
      "upgrade-indexer-package!",
      "restart-previous-indexer",
    ]);
    assert.equal(err.result.versionAfter, "6.0.1");
    assert.equal(err.result.serviceAfter, "running");
    assert.equal(host.installedVersion(), "6.0.1");
    assert.equal(host.serviceRecord(), "running 6.0.1", "the previous version runs again");
  });

  it("a new version that fails to start is reported and recorded, and the configuration it replaced is restored (I5)", async () => {
    const host = await startHost({ os: "rhel7", installedRpm: fixtures.rpms.v6_0_1 });
    const before = readFileSync(host.configPath("indexerworker.cfg", "6.0.1"), "utf8");
    const indexer = await indexerOn(host);
    const err = await expectUpgradeError(
      indexer.upgrade({ rpmPath: fixtures.rpms.v6_3_1_broken, version: "6.3.1", spsVersion: SPS }),
    );

    assert.equal(err.rule, "I5");
    assert.match(err.message, /systemctl start external-indexer\.service/);
    assert.match(err.message, /broken build/, "the service's own error is in the report");
    const r = err.result;
    assert.equal(r.outcome, "failed");
    assert.equal(r.versionBefore, "6.0.1");
    assert.equal(r.versionAfter, "6.3.1");
    assert.equal(r.serviceAfter, "failed");
    const start = r.actions.find((a) => a.action === "start-indexer");
    assert.ok(start && !start.ok && start.detail?.includes("exit code 1"), "the failed start is recorded");
    assert.ok(actionsOf(r).includes("restore-indexer-config"), actionsOf(r).join(", "));
    assert.equal(readFileSync(host.configPath("indexerworker.cfg", "6.0.1"), "utf8"), before);
    assert.equal(host.serviceRecord(), "failed 6.3.1");
  });

  it("SSH dropped mid-run (after yum, before start): the run fails as connection-lost and a rerun converges", async () => {
    const host = await startHost({ os: "rhel7", installedRpm: fixtures.rpms.v6_0_1 });
    let dropped = 0;
    const indexer = await indexerOn(host, SUDO_NOPASSWD_USER, (e) => {
      if (e.action === "start-indexer" && dropped === 0) dropped = host.dropConnections();
    });
    const err = await expectUpgradeError(
      indexer.upgrade({ rpmPath: fixtures.rpms.v6_3_0, version: "6.3.0", spsVersion: SPS }),
    );
    assert.ok(dropped > 0, "connections were cut");
    assert.ok(
      err.cause instanceof SshCommandError && err.cause.failure === "connection-lost",
      String(err.cause),
    );
    assert.equal(host.installedVersion(), "6.3.0", "yum had finished");
    assert.equal(host.serviceRecord(), "stopped", "the host is left half-done");

    const rerun = await (
      await indexerOn(host)
    ).upgrade({
      rpmPath: fixtures.rpms.v6_3_0,
      version: "6.3.0",
      spsVersion: SPS,
    });
    assert.equal(rerun.outcome, "started");
    assert.equal(host.serviceRecord(), "running 6.3.0");
  });

  it("SSH dropped while the service is stopped (before yum): a rerun upgrades and starts the host", async () => {
    const host = await startHost({ os: "rhel6", installedRpm: fixtures.rpms.v6_0_1 });
    let dropped = 0;
    const indexer = await indexerOn(host, SUDO_NOPASSWD_USER, (e) => {
      if (e.action === "upgrade-indexer-package" && dropped === 0) dropped = host.dropConnections();
    });
    await expectUpgradeError(
      indexer.upgrade({ rpmPath: fixtures.rpms.v6_3_0, version: "6.3.0", spsVersion: SPS }),
    );
    assert.ok(dropped > 0);
    assert.equal(host.installedVersion(), "6.0.1");
    assert.equal(host.serviceRecord(), "stopped");

    const rerun = await (
      await indexerOn(host)
    ).upgrade({
      rpmPath: fixtures.rpms.v6_3_0,
      version: "6.3.0",
      spsVersion: SPS,
    });
    assert.equal(rerun.outcome, "upgraded");
    assert.equal(host.installedVersion(), "6.3.0");
    assert.equal(host.serviceRecord(), "running 6.3.0");
  });

  it("an RPM older than the SPS target is refused before anything stops (I1)", async () => {
    const host = await startHost({ os: "rhel7", installedRpm: fixtures.rpms.v6_0_1 });
    const indexer = await indexerOn(host);
    const err = await expectUpgradeError(
      indexer.upgrade({ rpmPath: fixtures.rpms.v6_2_0, version: "6.3.0", spsVersion: SPS }),
    );

    assert.equal(err.rule, "I1");
    assert.equal(err.result.outcome, "refused");
    assert.match(err.message, /6\.2\.0, older than SPS 6\.3\.0/);
    assert.ok(!actionsOf(err.result).includes("stop-indexer"));
    assert.deepEqual(
      host.serviceCalls().filter((c) => c !== "state"),
      [],
      "the service was never stopped",
    );
    assert.equal(host.serviceRecord(), "running 6.0.1");
    assert.equal(host.installedVersion(), "6.0.1");
  });

  it("a declared indexer version older than the SPS is refused without touching the host (I1)", async () => {
    const host = await startHost({ os: "rhel7", installedRpm: fixtures.rpms.v6_0_1 });
    const indexer = await indexerOn(host);
    const err = await expectUpgradeError(
      indexer.upgrade({ rpmPath: fixtures.rpms.v6_2_0, version: "6.2.0", spsVersion: SPS }),
    );
    assert.equal(err.rule, "I1");
    assert.deepEqual(err.result.actions, []);
    assert.deepEqual(host.serviceCalls(), [], "not even inspected");
  });

  it("a package whose version differs from the declared one is refused before anything stops (I3)", async () => {
    const host = await startHost({ os: "rhel7", installedRpm: fixtures.rpms.v6_0_1 });
    const indexer = await indexerOn(host);
    const err = await expectUpgradeError(
      indexer.upgrade({ rpmPath: fixtures.rpms.v6_3_1_broken, version: "6.3.0", spsVersion: SPS }),
    );
    assert.equal(err.rule, "I3");
    assert.match(err.message, /the package is indexer 6\.3\.1, but 6\.3\.0 is declared/);
    assert.deepEqual(
      host.serviceCalls().filter((c) => c !== "state"),
      [],
    );
    assert.equal(host.installedVersion(), "6.0.1");
  });

  it("a missing configuration file fails the backup and nothing is stopped (I2)", async () => {
    const host = await startHost({ os: "rhel7", installedRpm: fixtures.rpms.v6_0_1 });
    rmSync(host.configPath("indexer-certs.cfg", "6.0.1"));
    const indexer = await indexerOn(host);
    const err = await expectUpgradeError(
      indexer.upgrade({ rpmPath: fixtures.rpms.v6_3_0, version: "6.3.0", spsVersion: SPS }),
    );
    assert.equal(err.rule, "I2");
    assert.match(err.message, /configuration backup failed, nothing stopped: .*indexer-certs\.cfg/);
    assert.deepEqual(actionsOf(err.result), ["backup-indexer-config!"]);
    assert.equal(host.serviceRecord(), "running 6.0.1");
  });

  it("a user whose sudo wants a password gets a clear error and the host is untouched", async () => {
    const host = await startHost({ os: "rhel7", installedRpm: fixtures.rpms.v6_0_1 });
    const indexer = await indexerOn(host, SUDO_PASSWORD_USER);
    const err = await expectUpgradeError(
      indexer.upgrade({ rpmPath: fixtures.rpms.v6_3_0, version: "6.3.0", spsVersion: SPS }),
    );
    assert.match(err.message, new RegExp(`user "${SUDO_PASSWORD_USER}" needs a password for sudo`));
    assert.match(err.message, /NOPASSWD/);
    assert.equal(err.result.outcome, "failed");
    assert.deepEqual(err.result.actions, []);
    assert.equal(host.serviceRecord(), "running 6.0.1");
    assert.equal(host.installedVersion(), "6.0.1");
  });

  describe("one-call entry points for the executor", () => {
    it("upgradeIndexerHost opens the session, upgrades and closes the session (no sshd session left behind)", async () => {
      const host = await startHost({ os: "rhel7", installedRpm: fixtures.rpms.v6_0_1 });
      const lines: string[] = [];
      const result = await upgradeIndexerHost(
        host.sshOptions(SUDO_NOPASSWD_USER),
        { rpmPath: fixtures.rpms.v6_3_0, version: "6.3.0", spsVersion: SPS },
        { name: "idx-7", rootPrefix: host.root, onProgress: (e) => lines.push(`${e.host} ${e.action}`) },
      );
      assert.equal(result.host, "idx-7");
      assert.equal(result.outcome, "upgraded");
      assert.ok(lines.includes("idx-7 verify-indexer"));
      for (let i = 0; i < 50 && host.connectionProcesses() > 0; i++)
        await new Promise((r) => setTimeout(r, 50));
      assert.equal(host.connectionProcesses(), 0, "the session was closed");
    });

    it("inspectIndexerHost reports OS, installed version and service state (drift on refresh)", async () => {
      const host = await startHost({ os: "rhel6", installedRpm: fixtures.rpms.v6_0_1, service: "stopped" });
      const state = await inspectIndexerHost(host.sshOptions(SUDO_NOPASSWD_USER), { rootPrefix: host.root });
      assert.deepEqual(state, {
        os: "rhel6",
        osDescription: "CentOS release 6.10 (Final)",
        version: "6.0.1",
        service: "stopped",
      });
      host.rpmUpgrade(fixtures.rpms.v6_3_0); // an out-of-band upgrade
      host.setServiceRecord("running 6.3.0");
      const drifted = await inspectIndexerHost(host.sshOptions(SUDO_NOPASSWD_USER), {
        rootPrefix: host.root,
      });
      assert.equal(drifted.version, "6.3.0");
      assert.equal(drifted.service, "running");
    });

    it("an unreachable host is an SshConnectionError and nothing is attempted", async () => {
      const host = await startHost({ os: "rhel7", installedRpm: fixtures.rpms.v6_0_1 });
      await host.stopSshd();
      const err = await upgradeIndexerHost(
        host.sshOptions(SUDO_NOPASSWD_USER),
        { rpmPath: fixtures.rpms.v6_3_0, version: "6.3.0", spsVersion: SPS },
        { rootPrefix: host.root },
      ).then(
        () => undefined,
        (e: unknown) => e,
      );
      assert.ok(err instanceof SshConnectionError, String(err));
      assert.match(err.message, /ECONNREFUSED/);
      assert.deepEqual(host.serviceCalls(), []);
    });
  });
});
