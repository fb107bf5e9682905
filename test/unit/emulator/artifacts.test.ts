import assert from "node:assert/strict";
import { mkdtempSync, readFileSync, rmSync, statSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { ManualClock, ScaledClock } from "../../../emulator/common/clock";
import {
  ISO_HEADER_BYTES,
  versionFromIsoHeader,
  writeFakeFirmwareIso,
} from "../../../emulator/sps/firmware-iso";
import { parseFleetFile } from "../../../emulator/lab/fleet-spec";
import {
  buildPluginZip,
  parsePluginManifest,
  pluginNeedsStarlingJoin,
  readZipEntry,
} from "../../../emulator/sps/plugin-archive";

describe("emulator artifacts: ISO images, plugin archives, fleet files, clocks", function () {
  let dir: string;
  before(() => (dir = mkdtempSync(join(tmpdir(), "sps-artifacts-"))));
  after(() => rmSync(dir, { recursive: true, force: true }));

  it("writes a sparse fake ISO whose volume descriptor names the SPS version", async function () {
    const path = join(dir, "a.iso");
    await writeFakeFirmwareIso(path, "6.3.2", 64 * 1024 * 1024);
    assert.equal(statSync(path).size, 64 * 1024 * 1024);
    assert.equal(versionFromIsoHeader(readFileSync(path).subarray(0, ISO_HEADER_BYTES)), "6.3.2");
    assert.equal(versionFromIsoHeader(Buffer.alloc(ISO_HEADER_BYTES)), undefined);
  });

  it("round-trips a plugin zip and derives its implementation from the DEPRECATED label or api major (P6)", function () {
    const zip = buildPluginZip({ name: "Okta", version: "1.0.0-DEPRECATED", type: "aa" });
    assert.match(readZipEntry(zip, "main.py")?.toString() ?? "", /emulated/);
    const m = parsePluginManifest(zip);
    assert.equal(m.implementation, "deprecated");
    assert.equal(
      parsePluginManifest(buildPluginZip({ name: "Okta", version: "3.0.0", api: "2.1" })).implementation,
      "new",
    );
    assert.equal(
      parsePluginManifest(buildPluginZip({ name: "Okta", version: "0.9.0" })).implementation,
      "legacy",
    );
  });

  it("tells which Starling plugin builds need a Starling join (P7)", function () {
    assert.ok(pluginNeedsStarlingJoin({ name: "Starling Two-Factor Authentication", version: "2.2.0" }));
    assert.ok(!pluginNeedsStarlingJoin({ name: "Starling Two-Factor Authentication", version: "2.1.9" }));
    assert.ok(!pluginNeedsStarlingJoin({ name: "Okta", version: "9.0.0" }));
  });

  it("reads the plan-contract fleet format with emulator extensions and names the bad field", function () {
    const fleet = parseFleetFile({
      clusters: [
        {
          name: "c",
          target: "6.3",
          nodes: [{ name: "n", version: "6.0.5", emulator: { faults: { rollbackOnBoot: true } } }],
          indexers: [],
        },
      ],
      emulator: { timeScale: 600 },
    });
    assert.equal(fleet.clusters[0].nodes[0].emulator?.faults?.rollbackOnBoot, true);
    assert.throws(
      () => parseFleetFile({ clusters: [{ name: "c", nodes: [{ name: "n", version: "6.x" }] }] }),
      /clusters\[0\]\.nodes\[0\]\.version: must be a revision X\.Y\.Z/,
    );
    assert.throws(
      () =>
        parseFleetFile({
          clusters: [
            {
              name: "c",
              nodes: [
                { name: "n", version: "6.0.1" },
                { name: "n", version: "6.0.1" },
              ],
            },
          ],
        }),
      /used twice/,
    );
  });

  it("runs emulated time faster by the scale and jumps it forward on demand", async function () {
    const clock = new ScaledClock(600);
    const t0 = clock.now();
    await new Promise((r) => setTimeout(r, 50));
    assert.ok(clock.now() - t0 >= 600 * 40, "50 ms real is about 30 s emulated");
    clock.advance(60_000);
    assert.ok(clock.now() - t0 >= 60_000 + 600 * 40);
    const manual = new ManualClock(0);
    manual.advance(5);
    assert.equal(manual.now(), 5);
    assert.throws(() => manual.advance(-1), /forward/);
  });
});
