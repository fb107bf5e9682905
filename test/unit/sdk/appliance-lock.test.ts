// One run per appliance on this machine (provider/resources/appliance-lock.ts): a second run — another stack
// declaring the same SPS, however its address is spelled — stops at once naming the appliance and the
// run holding it; the locks of a run are taken all or none.
import { strict as assert } from "node:assert";
import { existsSync, mkdtempSync, readdirSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import {
  acquireApplianceLocks,
  ApplianceLockedError,
  applianceLockFile,
} from "../../../provider/resources/appliance-lock";

describe("appliance lock (one run per appliance on this machine)", function () {
  let dir: string;
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), "sps-appliance-lock-"));
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it("refuses a second run of the same appliance, spelled differently, naming the appliance and the holder", () => {
    const held = acquireApplianceLocks(dir, ["https://sps1.example.net"], "sps.site-a.dc");
    assert.throws(
      () => acquireApplianceLocks(dir, ["https://SPS1.example.net:443/"], "sps.site-b.dc"),
      (e: unknown) => {
        assert.ok(e instanceof ApplianceLockedError);
        assert.equal(e.holder.run, "sps.site-a.dc");
        assert.match(
          e.message,
          new RegExp(
            `^the appliance https://SPS1\\.example\\.net:443/ is being upgraded by another run \\(sps\\.site-a\\.dc, pid ${process.pid}, since [^)]+\\); two runs must never upgrade one appliance at once, so this run changes nothing\\. Let that run finish`,
          ),
        );
        assert.ok(e.message.includes(applianceLockFile(dir, "https://sps1.example.net")));
        return true;
      },
    );
    held.release();
    acquireApplianceLocks(dir, ["https://SPS1.example.net:443/"], "sps.site-b.dc").release();
    assert.deepEqual(readdirSync(join(dir, "appliances")), []);
  });

  it("takes all of a run's appliances or none, and leaves other appliances free", () => {
    const b = acquireApplianceLocks(dir, ["https://b.example.net"], "one");
    assert.throws(
      () => acquireApplianceLocks(dir, ["https://a.example.net", "https://b.example.net"], "two"),
      ApplianceLockedError,
    );
    assert.equal(existsSync(applianceLockFile(dir, "https://a.example.net")), false, "a was given back");
    const other = acquireApplianceLocks(dir, ["https://a.example.net", "https://c.example.net"], "three");
    other.release();
    b.release();
  });
});
