/**
 * The user guide's "Rehearsing with the emulator" stays true: its firmware-image one-liner, run as written,
 * makes an image the emulator accepts; the control-surface paths it names are the emulator's; and where
 * the guide steers large fleets to the inventory file it states the language host's config limit.
 */
import * as assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { versionFromIsoHeader } from "../../../emulator/sps/firmware-iso";
import { readDoc, ROOT as root, section as sectionOf } from "./doc-files";

const GUIDE = "docs/user-guide.md";

function section(title: string): string {
  const text = sectionOf(readDoc(GUIDE), title);
  assert.ok(text !== undefined, `${GUIDE} has a section "${title}"`);
  return text;
}

describe("user guide: rehearsing with the emulator", function () {
  const text = section("Rehearsing with the emulator");

  it("its firmware-image one-liner makes an image the emulator reads as that version", function () {
    const line = text.split("\n").find((l) => l.startsWith("node -e '"));
    assert.ok(line, "a `node -e` line");
    const m = /^node -e '([^']+)' (\S+)$/.exec(line);
    assert.ok(m?.[1] && m[2], line);
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "readme-iso-"));
    try {
      execFileSync(process.execPath, ["-e", m[1], m[2]], { cwd: dir });
      const image = fs.readFileSync(path.join(dir, `sps-${m[2]}.iso`));
      assert.equal(versionFromIsoHeader(image), m[2]);
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });

  it("names how to start it, pass a gate and make drift, with the emulator's own paths", function () {
    assert.match(text, /npx sps-emulator --fleet FLEET\.json/);
    const control = fs.readFileSync(path.join(root, "emulator", "lab", "control-server.ts"), "utf8");
    for (const p of ["webui/activate-firmware", "webui/upload-license", "drift", "faults", "events"]) {
      assert.ok(text.includes(`/${p}`), `${GUIDE} names /${p}`);
      assert.ok(control.includes(`/${p}`), `the control surface serves /${p}`);
    }
  });
});

describe("user guide: the inventory file and the language host's config limit", function () {
  it("says the whole stack config must stay under about 128 KiB under the official Node.js language host", function () {
    const inventory = section("Large fleets: the inventory file");
    assert.match(inventory, /official Node\.js\s+language host the whole stack config/);
    assert.match(inventory, /128 KiB/);
    assert.match(inventory, /pulumi\/pulumi#8680/);
  });
});
