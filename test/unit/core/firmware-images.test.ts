import { strict as assert } from "node:assert";
import { defaultCatalog } from "../../../core/default-catalog";
import { usableFirmwareImages } from "../../../core/firmware-images";
import { planNodePath } from "../../../core/upgrade-path";
import { formatRelease, formatRevision, parseVersionSpec } from "../../../core/version";

/** One image per revision of the catalog, as the lab and many teams declare them. */
function everyImage(): Record<string, string> {
  const out: Record<string, string> = {};
  for (const r of defaultCatalog().releases)
    for (const rev of r.revisions) out[formatRevision(rev)] = `/isos/sps-${formatRevision(rev)}.iso`;
  return out;
}

describe("the firmware images a plan can use (V3, V5, V6, V7)", () => {
  it("keeps the newest revision of each release below the target's, and the target", () => {
    const kept = Object.keys(usableFirmwareImages(everyImage(), "6.3", defaultCatalog())).sort();
    assert.ok(kept.includes("6.3.0") && kept.includes("6.0.12") && kept.includes("5.0.0"), kept.join());
    assert.ok(!kept.includes("6.0.11"), "6.0.11 is never a hop's end (6.0.12 is newer)");
    assert.ok(!kept.some((k) => k.startsWith("6.5") || k.startsWith("7.")), "nothing above the target (V3)");
    assert.ok(kept.length < Object.keys(everyImage()).length / 2, kept.join());
  });

  it("keeps a pinned target revision even when it is not its release's newest", () => {
    const kept = Object.keys(usableFirmwareImages(everyImage(), "6.0.6", defaultCatalog()));
    assert.ok(kept.includes("6.0.6"));
    assert.ok(!kept.includes("6.0.12"), "above the pinned target (V3)");
  });

  it("covers every hop of every path the planner makes from any catalog revision to any later release", () => {
    const catalog = defaultCatalog();
    const images = everyImage();
    let hops = 0;
    for (const from of catalog.releases.flatMap((r) => r.revisions)) {
      for (const to of catalog.releases) {
        const target = formatRelease(to.release);
        const usable = usableFirmwareImages(images, target, catalog);
        const path = planNodePath({ current: from, target: parseVersionSpec(target) }, catalog);
        for (const h of path.hops) {
          hops += 1;
          assert.ok(
            usable[formatRevision(h.to)],
            `${formatRevision(from)} → ${target}: ${formatRevision(h.to)}`,
          );
        }
      }
    }
    assert.ok(hops > 100, `${hops} hops checked`);
  });

  it("leaves the map alone when the target does not resolve, and keeps keys the catalog does not know", () => {
    const images = { "6.3.0": "a", "9.9.9": "b", nonsense: "c" };
    assert.deepEqual(usableFirmwareImages(images, "9.9", defaultCatalog()), images);
    assert.deepEqual(usableFirmwareImages(images, "6.3", defaultCatalog()), images);
  });
});
