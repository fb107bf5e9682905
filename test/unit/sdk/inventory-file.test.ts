// Reading an inventory file at the edge (caFile relative to the file) and the SpsFleet cluster
// declarations made from it.
import { strict as assert } from "node:assert";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { clustersFromInventory } from "../../../sdk/fleet-inventory";
import { InventoryFileError, readInventoryFile } from "../../../sdk/inventory-file";
import { applianceNodeInputSchema } from "../../../sdk/inputs";

const PEM = "-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----\n";
const ISO = { path: "/isos/sps-6.3.0.iso", sha256: "a".repeat(64) };

describe("inventory file", function () {
  let dir: string;
  beforeEach(function () {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), "sps-inventory-"));
    fs.mkdirSync(path.join(dir, "trust"));
    fs.writeFileSync(path.join(dir, "trust", "ca.pem"), PEM);
  });
  afterEach(function () {
    fs.rmSync(dir, { recursive: true, force: true });
  });

  function write(doc: unknown): string {
    const file = path.join(dir, "fleet.json");
    fs.writeFileSync(file, JSON.stringify(doc));
    return file;
  }

  function failure(fn: () => unknown): InventoryFileError {
    try {
      fn();
    } catch (e) {
      if (e instanceof InventoryFileError) return e;
      throw e;
    }
    assert.fail("expected an InventoryFileError");
  }

  it("reads caFile relative to the inventory file, once for every node that uses it", function () {
    const file = write({
      defaults: { target: "6.3", tls: { caFile: "trust/ca.pem" } },
      clusters: [
        { name: "a", nodes: [{ name: "a1", address: "https://a1.example.com" }] },
        { name: "b", nodes: [{ name: "b1", address: "https://b1.example.com", tls: { system: true } }] },
      ],
    });
    const read = readInventoryFile(file);
    assert.deepEqual(
      read.clusters.map((c) => c.nodes[0]?.tls),
      [{ caPem: PEM }, { system: true }],
    );
  });

  it("names the file, the field and the fix when a caFile cannot be read or is no PEM", function () {
    fs.writeFileSync(path.join(dir, "junk.pem"), "not a certificate");
    const file = write({
      defaults: { target: "6.3" },
      clusters: [
        {
          name: "a",
          tls: { caFile: "missing.pem" },
          nodes: [{ name: "a1", address: "https://a1.example.com" }],
        },
        {
          name: "b",
          nodes: [{ name: "b1", address: "https://b1.example.com", tls: { caFile: "junk.pem" } }],
        },
      ],
    });
    const e = failure(() => readInventoryFile(file));
    assert.equal(e.file, file);
    assert.match(e.message, /^inventory .*fleet\.json:\n/);
    assert.match(
      e.message,
      /clusters\[0\]\.tls\.caFile: cannot read .*missing\.pem .*relative to the inventory file/,
    );
    assert.match(e.message, /clusters\[1\]\.nodes\[0\]\.tls\.caFile: .*junk\.pem holds no PEM certificate/);
  });

  it("says so when the file is missing or not JSON", function () {
    assert.match(
      failure(() => readInventoryFile(path.join(dir, "nope.json"))).message,
      /\(file\): cannot be read/,
    );
    fs.writeFileSync(path.join(dir, "bad.json"), "{ clusters: [");
    assert.match(
      failure(() => readInventoryFile(path.join(dir, "bad.json"))).message,
      /\(document\): is not valid JSON/,
    );
  });

  it("declares one cluster per entry: nodes as the resources take them, fleet-wide arguments from the program", function () {
    const file = write({
      defaults: { tls: { caFile: "trust/ca.pem" } },
      clusters: [
        {
          name: "dc1",
          stage: "first",
          nodes: [
            {
              name: "ha",
              version: "6.0.5",
              address: "https://ha.example.com",
              ha: true,
              roles: ["central-management"],
              settings: { haStatus: "HA" },
              bmc: { a: { host: "10.0.0.1" }, b: { host: "10.0.0.2" } },
            },
          ],
          indexers: [
            { name: "idx", os: "rhel7", host: "10.0.0.9", hostKeySha256: `SHA256:${"B".repeat(43)}` },
          ],
        },
        {
          name: "branch",
          canary: true,
          target: "6.0",
          nodes: [{ name: "b", address: "https://b.example.com" }],
        },
      ],
    });
    const clusters = clustersFromInventory({
      inventory: file,
      target: "6.3",
      firmware: { "6.3.0": ISO },
      license: { name: "sps-6", major: 6 },
      indexerPackages: { "6.3.0": { path: "/rpms/idx-6.3.0.rpm" } },
      cluster: (c) => (c.name === "branch" ? { license: { name: "sps-6-branch", major: 6 } } : {}),
    });
    assert.deepEqual(
      clusters.map((c) => [c.cluster, c.target, c.canary ?? false, c.stage ?? null, c.license?.name]),
      [
        ["dc1", "6.3", false, "first", "sps-6"],
        ["branch", "6.0", true, null, "sps-6-branch"],
      ],
    );
    const ha = clusters[0]?.nodes[0];
    assert.deepEqual(ha, {
      name: "ha",
      address: "https://ha.example.com",
      tls: { caPem: PEM },
      roles: ["central-management"],
      ha: true,
      settings: { haStatus: "HA" },
      version: "6.0.5",
      bmc: { a: { host: "10.0.0.1", port: 623 }, b: { host: "10.0.0.2", port: 623 } },
    });
    assert.ok(applianceNodeInputSchema.safeParse(ha).success, "the resources accept the node as declared");
    assert.deepEqual(clusters[0]?.indexers?.[0]?.packages, { "6.3.0": { path: "/rpms/idx-6.3.0.rpm" } });
    assert.deepEqual(clusters[1]?.firmware, { "6.3.0": ISO });
  });

  it("refuses an indexer it cannot reach and a cluster without a target, naming the inventory field", function () {
    const file = write({
      defaults: { tls: { system: true } },
      clusters: [
        {
          name: "dc1",
          target: "6.3",
          nodes: [{ name: "n", address: "https://n.example.com" }],
          indexers: [{ name: "idx", os: "rhel7" }],
        },
        { name: "dc2", nodes: [{ name: "m", address: "https://m.example.com" }] },
      ],
    });
    const e = failure(() => clustersFromInventory({ inventory: file, firmware: {} }));
    assert.match(e.message, /clusters\[0\]\.indexers\[0\]: the resources reach indexer hosts over SSH/);
    assert.match(e.message, /clusters\[1\]\.target: is required/);
  });

  it("passes a 7.0+ firmware url through to the resources and refuses one below 7.0, naming the revision and saying to use path (S3)", function () {
    const url = "https://downloads.example.com/sps-7.1.1.iso";
    const ok = write({
      defaults: { tls: { system: true } },
      clusters: [
        {
          name: "dc1",
          target: "7.1",
          nodes: [{ name: "n", address: "https://n.example.com" }],
          firmware: { "7.1.1": { url, sha256: "b".repeat(64) } },
        },
      ],
    });
    const clusters = clustersFromInventory({ inventory: ok, firmware: {} });
    assert.deepEqual(clusters[0]?.firmware, { "7.1.1": { url, sha256: "b".repeat(64) } });
    const old = write({
      defaults: { tls: { system: true } },
      clusters: [
        {
          name: "dc1",
          target: "6.3",
          nodes: [{ name: "n", address: "https://n.example.com" }],
          firmware: { "6.3.0": { url: "https://downloads.example.com/sps.iso", sha256: "b".repeat(64) } },
        },
      ],
    });
    const e = failure(() => clustersFromInventory({ inventory: old, firmware: {} }));
    assert.match(e.message, /firmware.*6\.3\.0.*url/);
    assert.match(e.message, /cannot be fetched by URL.*7\.0 LTS.*firmware\["6\.3\.0"\]\.path/);
  });
});
