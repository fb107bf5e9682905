import { strict as assert } from "node:assert";
import {
  backupPathFor,
  backupStamp,
  INDEXER_VERSION_QUERY,
  indexerServiceCommand,
  indexerUpgradeCommand,
} from "../../../core/indexer-commands";
import {
  installedVersionCommand,
  normaliseRoot,
  packageFileQueryCommand,
  parseSha256sum,
  serviceCommand,
  underRoot,
  upgradeCommand,
} from "../../../provider/clients/hosts/indexer-host-commands";
import { compareIndexerVersions, parseIndexerVersion } from "../../../provider/clients/hosts/indexer-version";

describe("indexer host commands (rules I2, I4)", () => {
  it("I4: with the root / they are exactly the planner's printed commands", () => {
    assert.equal(installedVersionCommand("/"), INDEXER_VERSION_QUERY);
    assert.equal(
      upgradeCommand("/", "/var/tmp/external-indexer-6.3.0.rpm"),
      indexerUpgradeCommand("/var/tmp/external-indexer-6.3.0.rpm"),
    );
    assert.equal(serviceCommand("rhel6", "stop"), "service external-indexer stop");
    assert.equal(serviceCommand("rhel7", "start"), indexerServiceCommand("rhel7", "start"));
    assert.equal(serviceCommand("rhel7", "start"), "systemctl start external-indexer.service");
  });

  it("I4: under a root prefix, rpm gets --root and yum gets --installroot, quoted", () => {
    assert.equal(
      installedVersionCommand("/srv/idx root"),
      "rpm --root '/srv/idx root' -q --qf '%{VERSION}' external-indexer",
    );
    assert.equal(
      upgradeCommand("/srv/r", "/srv/r/var/tmp/x y.rpm"),
      "yum --installroot=/srv/r upgrade -y '/srv/r/var/tmp/x y.rpm'",
    );
    assert.equal(packageFileQueryCommand("/tmp/a.rpm"), "rpm -qp --qf '%{NAME} %{VERSION}\\n' /tmp/a.rpm");
  });

  it("root prefixes are normalised and must be absolute", () => {
    assert.equal(normaliseRoot("/srv/root/"), "/srv/root");
    assert.equal(normaliseRoot("/"), "/");
    assert.throws(() => normaliseRoot("srv"), /absolute/);
    assert.equal(underRoot("/", "/etc/indexer"), "/etc/indexer");
    assert.equal(underRoot("/srv/root", "/etc/indexer"), "/srv/root/etc/indexer");
  });

  it("I2: backups are timestamped beside the original", () => {
    const stamp = backupStamp(new Date("2026-11-23T14:54:15.123Z"));
    assert.equal(stamp, "20261123T145415123Z");
    assert.equal(
      backupPathFor("/etc/indexer/indexerworker.cfg", stamp),
      "/etc/indexer/indexerworker.cfg.20261123T145415123Z.bak",
    );
  });

  it("parses sha256sum output, including names with spaces", () => {
    const a = "a".repeat(64);
    const b = "b".repeat(64);
    const m = parseSha256sum(`${a}  /etc/indexer/indexerworker.cfg\n${b}  /srv/x y/indexer-certs.cfg\n`);
    assert.equal(m.get("/etc/indexer/indexerworker.cfg"), a);
    assert.equal(m.get("/srv/x y/indexer-certs.cfg"), b);
  });
});

describe("indexer versions (rule I1: indexer ≥ SPS)", () => {
  it("I1: orders versions numerically, not as text", () => {
    assert.ok(compareIndexerVersions("6.10.0", "6.9.3") > 0);
    assert.ok(compareIndexerVersions("5.11.0", "6.0.0") < 0);
    assert.equal(compareIndexerVersions("6.3", "6.3.0"), 0);
  });

  it("refuses text that is not X.Y[.Z]", () => {
    assert.equal(parseIndexerVersion("6.3.0-1.el7"), undefined);
    assert.throws(() => compareIndexerVersions("latest", "6.3.0"), /not a version: "latest"/);
  });
});
