// Every resource of the SDK is exported from the package entry (sdk/index.ts): a program imports them all
// from "pulumi-sps", none from a path inside the package; the example programs do so.
import { strict as assert } from "node:assert";
import * as fs from "node:fs";
import * as path from "node:path";
import * as pulumi from "@pulumi/pulumi";
import * as entry from "../../../sdk";
import { node } from "../../../examples/fleet-config";

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
    for (const file of [...files, path.join(examples, "fleet-config.ts")]) {
      const text = fs.readFileSync(file, "utf8");
      const specifiers = [...text.matchAll(/from "([^"]+)"/g)].map((m) => m[1] ?? "");
      for (const s of specifiers)
        assert.ok(!/(^|\/)sdk(\/|$)/.test(s), `${path.relative(examples, file)} imports ${s}`);
      if (/SpsCluster|SpsFleet|SppJoin|NextHopMonitoring/.test(text))
        assert.ok(specifiers.includes("pulumi-sps"), `${path.relative(examples, file)} imports "pulumi-sps"`);
    }
  });
});

describe("the example programs' fleet comes from fleet: config, not emulator-only lab: config", function () {
  after(function () {
    pulumi.runtime.setAllConfig({}, []);
  });

  it("no example reads the lab namespace", function () {
    const examples = path.join(__dirname, "..", "..", "..", "examples");
    for (const d of fs.readdirSync(examples, { withFileTypes: true })) {
      const file = d.isDirectory() ? path.join(examples, d.name, "index.ts") : path.join(examples, d.name);
      if (!file.endsWith(".ts") || !fs.existsSync(file)) continue;
      assert.doesNotMatch(fs.readFileSync(file, "utf8"), /Config\("lab"\)/, file);
    }
  });

  it("a real fleet's node: any tls form, from config alone", function () {
    pulumi.runtime.setAllConfig(
      {
        "fleet:nodes": JSON.stringify({
          "sps-prod": {
            address: "https://sps-prod.example.net",
            tls: { sha256Fingerprint: "AB".repeat(32) },
          },
          "sps-lab": { address: "https://127.0.0.1:8443", caPem: "-----BEGIN CERTIFICATE-----x" },
        }),
      },
      [],
    );
    assert.deepEqual(node("sps-prod", { ha: true }), {
      name: "sps-prod",
      address: "https://sps-prod.example.net",
      tls: { sha256Fingerprint: "AB".repeat(32) },
      ha: true,
    });
    assert.deepEqual(node("sps-lab").tls, { caPem: "-----BEGIN CERTIFICATE-----x" });
    assert.throws(() => node("sps-missing"), /fleet:nodes has no node "sps-missing": add/);
  });
});
