import { strict as assert } from "node:assert";
import {
  detectIndexerOs,
  parseOsRelease,
  parseRedhatRelease,
  UnsupportedOsError,
} from "../../../provider/clients/hosts/os-detection";

describe("indexer host OS detection (rule I4: RHEL 6 uses service, 7+ systemctl)", () => {
  const table: Array<[string, string, string]> = [
    ["CentOS release 6.10 (Final)", "rhel6", "CentOS 6"],
    ["Red Hat Enterprise Linux Server release 6.5 (Santiago)", "rhel6", "RHEL 6.5"],
    ["CentOS Linux release 7.9.2009 (Core)", "rhel7", "CentOS 7"],
    ["Red Hat Enterprise Linux Server release 7.9 (Maipo)", "rhel7", "RHEL 7"],
    ["Red Hat Enterprise Linux release 8.8 (Ootpa)", "rhel8", "RHEL 8"],
    ["Rocky Linux release 9.3 (Blue Onyx)", "rhel9", "Rocky 9"],
  ];
  for (const [line, os, label] of table) {
    it(`I4: /etc/redhat-release of ${label} → ${os}`, () => {
      assert.equal(detectIndexerOs({ redhatRelease: `${line}\n` }).os, os);
    });
  }

  it("I4: /etc/redhat-release wins over /etc/os-release", () => {
    const d = detectIndexerOs({
      redhatRelease: "CentOS release 6.10 (Final)",
      osRelease: 'ID="rhel"\nVERSION_ID="9.1"\n',
    });
    assert.equal(d.os, "rhel6");
    assert.equal(d.description, "CentOS release 6.10 (Final)");
  });

  it("I4: /etc/os-release alone: ID or ID_LIKE rhel-compatible, major from VERSION_ID", () => {
    const text =
      'NAME="AlmaLinux"\nID="almalinux"\nID_LIKE="rhel centos fedora"\nVERSION_ID="8.9"\nPRETTY_NAME="AlmaLinux 8.9"\n';
    assert.deepEqual(parseOsRelease(text), { major: 8, description: "AlmaLinux 8.9" });
    assert.equal(detectIndexerOs({ osRelease: "ID=rhel\nVERSION_ID=7\n" }).os, "rhel7");
  });

  it("refuses a non-RHEL host (Debian os-release) with a message naming what was read", () => {
    assert.equal(parseOsRelease('ID=debian\nVERSION_ID="12"\n'), undefined);
    assert.throws(
      () => detectIndexerOs({ osRelease: 'PRETTY_NAME="Debian GNU/Linux 12"\nID=debian\nVERSION_ID="12"\n' }),
      (err: unknown) => err instanceof UnsupportedOsError && /not a RHEL\/CentOS host/.test(err.message),
    );
  });

  it("refuses a host with neither release file", () => {
    assert.throws(() => detectIndexerOs({}), /neither \/etc\/redhat-release nor \/etc\/os-release/);
  });

  it("refuses RHEL releases the indexer does not support (5, 10)", () => {
    assert.throws(
      () => detectIndexerOs({ redhatRelease: "CentOS release 5.11 (Final)" }),
      UnsupportedOsError,
    );
    assert.throws(
      () => detectIndexerOs({ redhatRelease: "Red Hat Enterprise Linux release 10.0 (Coughlan)" }),
      /unsupported/,
    );
  });

  it("ignores blank leading lines and text without a release number", () => {
    assert.equal(parseRedhatRelease("\n\nCentOS release 6.10 (Final)")?.major, 6);
    assert.equal(parseRedhatRelease("Fedora"), undefined);
  });
});
