// Every resource of the SDK is exported from the package entry (sdk/index.ts): a program imports them all
// from "pulumi-sps", none from a path inside the package; the example programs do so.
import { strict as assert } from "node:assert";
import * as fs from "node:fs";
import * as path from "node:path";
import * as entry from "../../../sdk";

describe("the package entry", function () {
  it("exports every resource and component", function () {
    for (const name of [
      "SpsCluster",
      "SpsFleet",
      "RolloutStage",
      "ClusterFirmware",
      "License",
      "Plugin",
      "IndexerPackage",
      "SppJoin",
      "NextHopMonitoring",
      "TrafficRedirection",
    ])
      assert.equal(typeof (entry as Record<string, unknown>)[name], "function", name);
  });
});

describe("the example programs", function () {
  it("import the package by its name, never a path into it", function () {
    const examples = path.join(__dirname, "..", "..", "..", "examples");
    const files = fs
      .readdirSync(examples, { withFileTypes: true })
      .filter((d) => d.isDirectory() && fs.existsSync(path.join(examples, d.name, "index.ts")))
      .map((d) => path.join(examples, d.name, "index.ts"));
    assert.ok(files.length >= 10, files.join(", "));
    for (const file of [...files, path.join(examples, "lab-config.ts")]) {
      const text = fs.readFileSync(file, "utf8");
      const specifiers = [...text.matchAll(/from "([^"]+)"/g)].map((m) => m[1] ?? "");
      for (const s of specifiers)
        assert.ok(!/(^|\/)sdk(\/|$)/.test(s), `${path.relative(examples, file)} imports ${s}`);
      if (/SpsCluster|SpsFleet|SppJoin|NextHopMonitoring/.test(text))
        assert.ok(specifiers.includes("pulumi-sps"), `${path.relative(examples, file)} imports "pulumi-sps"`);
    }
  });
});
