/**
 * An out-of-band package change on a lab indexer host (real sshd, sudo, rpm) and what the drift job's
 * refresh reads of it. Two ways the change could go unseen, each made to happen here by an ordering,
 * not by timing: the change landing in another RPM database than the host's (rpm read the lab's
 * machine-wide macros file while another lab was rewriting it), and a refresh answered from a read
 * the same provider process made before the change.
 */
import assert from "node:assert/strict";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { inspectIndexerHost } from "../../../provider/clients/hosts/indexer-host-run";
import { configure } from "../../../provider/resources/context";
import { indexerHostKey } from "../../../provider/resources/indexer-hosts";
import * as indexer from "../../../provider/resources/indexer-provider";
import { forgetNodes } from "../../../provider/resources/live-reads";
import { PREVIEW_KEY } from "../../../sdk/wiring";
import { IndexerTestFixtures, IndexerTestHost, SUDO_NOPASSWD_USER } from "../../support/indexer-test-host";

describe("an out-of-band indexer package change is what the refresh reads", function () {
  this.timeout(120_000);
  let fixtures: IndexerTestFixtures;
  let host: IndexerTestHost | undefined;
  let home: string;

  before(function () {
    fixtures = IndexerTestFixtures.create();
    home = mkdtempSync(join(tmpdir(), "indexer-oob-home-"));
  });
  after(() => {
    fixtures?.dispose();
    rmSync(home, { recursive: true, force: true });
  });
  beforeEach(async () => {
    host = await IndexerTestHost.start(fixtures, {
      name: "idx-oob",
      os: "rhel7",
      installedRpm: fixtures.rpms.v6_3_0,
    });
  });
  afterEach(async () => {
    await host?.stop();
    host = undefined;
  });

  it("the lab's rpm -U lands in the host's database whatever rpm's macro files name at that moment", async () => {
    assert.ok(host);
    // rpm reads ~/.rpmmacros after /etc/rpm/macros.*: naming another database here is what rpm does by
    // its own default (Debian: ~/.rpmdb) when it reads the lab's macros file while another lab rewrites it.
    writeFileSync(join(home, ".rpmmacros"), `%_dbpath ${join(home, "rpmdb")}\n`);
    const saved = process.env["HOME"];
    process.env["HOME"] = home;
    try {
      host.rpmUpgrade(fixtures.rpms.v6_3_1_broken);
    } finally {
      if (saved === undefined) delete process.env["HOME"];
      else process.env["HOME"] = saved;
    }
    const seen = await inspectIndexerHost(host.sshOptions(SUDO_NOPASSWD_USER), {
      rootPrefix: host.root,
    });
    assert.equal(seen.version, "6.3.1", "the host's own rpm does not see the out-of-band upgrade");
    assert.equal(host.installedVersion(), "6.3.1");
  });

  it("IndexerPackage: a refresh after a check of the same provider process reports the change", async () => {
    assert.ok(host);
    configure({
      get: (key) =>
        key === "sps:credentials"
          ? JSON.stringify({
              indexer: {
                username: SUDO_NOPASSWD_USER,
                privateKey: readFileSync(fixtures.clientKeyPath, "utf8"),
              },
            })
          : undefined,
    });
    const inputs = {
      cluster: "oob",
      name: "idx-oob",
      os: "rhel7",
      host: "127.0.0.1",
      port: host.port,
      hostKeySha256: host.fingerprint(),
      rootPrefix: host.root,
      spsVersion: "6.3.0",
      packages: { "6.3.0": { path: fixtures.rpms.v6_3_0 } },
    };
    try {
      // A preview's check reads the host (6.3.0, running: nothing to do) and shares the answer.
      const checked = await indexer.check({}, { ...inputs, [PREVIEW_KEY]: true });
      assert.deepEqual((checked.inputs as { plannedActions: string[] }).plannedActions, []);
      host.rpmUpgrade(fixtures.rpms.v6_3_1_broken);
      const refreshed = await indexer.read("sps-indexer:oob/idx-oob", {
        ...inputs,
        plannedActions: [],
        version: "6.3.0",
        service: "running",
        drift: [],
      });
      const props = refreshed.props as { version: string; drift: string[] };
      assert.equal(props.version, "6.3.1");
      assert.deepEqual(props.drift, ["indexer-version-changed idx-oob: runs 6.3.1, expected 6.3.0"]);
    } finally {
      forgetNodes([indexerHostKey(inputs)]);
      configure({ get: () => undefined });
    }
  });
});
