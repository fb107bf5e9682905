// A fleet of 2,000 appliances declared by an inventory file (examples/inventory): `pulumi preview`
// through the real engine plans every cluster from its live versions while the stack config holds only
// the file's path and the fleet-wide settings — no per-node config, nothing near the 128 KiB limit
// of one config value or environment variable.
import { strict as assert } from "node:assert";
import * as fs from "node:fs";
import * as path from "node:path";
import { createTestStack, type TestStack } from "../support/pulumi-engine";
import { startLab, type Lab } from "../support/sps-lab";
import { EXAMPLES } from "./sps-helpers";

const CLUSTERS = 200;
const NODES_PER_CLUSTER = 10;

describe("a 2,000-appliance fleet from an inventory file (examples/inventory)", function () {
  this.timeout(900_000);
  let lab: Lab;
  let stack: TestStack;
  let inventoryFile: string;

  before(async function () {
    // 200 clusters of one central management node and nine managed hosts, on three versions.
    const versions = ["6.0.5", "6.1.0", "6.3.0"];
    const clusters = Array.from({ length: CLUSTERS }, (_, c) => ({
      name: `site-${String(c).padStart(3, "0")}`,
      nodes: Array.from({ length: NODES_PER_CLUSTER }, (_, n) => ({
        name: `sps-${c}-${n}`,
        version: versions[c % versions.length],
        roles: n === 0 ? ["central-management"] : ["managed-host"],
      })),
    }));
    lab = await startLab({ clusters }, { sharedCertificate: true });
    fs.writeFileSync(path.join(lab.dir, "ca.pem"), fs.readFileSync(lab.fleet.caCertPath));
    const address = new Map(lab.fleet.nodes.map((n) => [n.name, n.url]));
    inventoryFile = path.join(lab.dir, "fleet-inventory.json");
    fs.writeFileSync(
      inventoryFile,
      JSON.stringify(
        {
          schemaVersion: 1,
          defaults: { tls: { caFile: "ca.pem" } },
          clusters: clusters.map((c) => ({
            name: c.name,
            nodes: c.nodes.map((n) => ({ name: n.name, roles: n.roles, address: address.get(n.name) })),
          })),
        },
        null,
        2,
      ),
    );
    const fleetWide = ["fleet:firmware", "fleet:systemControl", "fleet:deadlines", "sps:checkpointDir"];
    stack = await createTestStack({
      programDir: path.join(EXAMPLES, "inventory"),
      config: {
        inventory: inventoryFile,
        ...Object.fromEntries(fleetWide.map((k) => [k, lab.config[k] ?? ""])),
      },
      secrets: lab.secrets,
    });
  });

  after(async function () {
    await stack?.dispose();
    await lab?.stop();
  });

  it("previews every cluster's plan from the live versions, with only the file's path in stack config", async function () {
    const stackConfig = fs.readFileSync(path.join(stack.workDir, `Pulumi.${stack.name}.yaml`), "utf8");
    assert.ok(!stackConfig.includes("sps-1-1"), "no node is named in stack config");
    assert.ok(fs.statSync(inventoryFile).size > 300_000, "the inventory is far beyond one config value");
    assert.ok(stackConfig.length < 64 * 1024, `stack config is ${stackConfig.length} bytes`);

    const preview = await stack.preview();
    const firmware = preview.events.flatMap((e) => {
      const m = e.resourcePreEvent?.metadata;
      return m && m.type === "pulumi-nodejs:dynamic/sps:ClusterFirmware" ? [m] : [];
    });
    assert.equal(firmware.length, CLUSTERS, "one firmware resource per inventory cluster");
    assert.ok(firmware.every((m) => m.op === "create"));
    const planned = new Map(
      firmware.map((m) => [
        String(m.new?.inputs?.["cluster"]),
        (m.new?.inputs?.["plannedActions"] ?? []) as string[],
      ]),
    );
    // Live versions: 6.0.5 clusters take two hops, 6.1.0 one, 6.3.0 clusters have nothing to do.
    assert.deepEqual(planned.get("site-000")?.slice(0, 2), [
      "hop 1: 6.0.5 -> 6.0.12",
      "hop 2: 6.0.12 -> 6.3.0",
    ]);
    assert.deepEqual(planned.get("site-001")?.slice(0, 1), ["hop 1: 6.1.0 -> 6.3.0"]);
    assert.deepEqual(planned.get("site-002"), []);
    assert.deepEqual(planned.get("site-199")?.slice(0, 1), ["hop 1: 6.1.0 -> 6.3.0"]);
    // C1 inside a cluster: in hop 1 the managed hosts before the central management node.
    const site3 = (planned.get("site-003") ?? []).filter((l) => / hop 1 #/.test(l));
    const firstCm = site3.findIndex((l) => / sps-3-0: /.test(l));
    const lastMh = site3.map((l) => / sps-3-[1-9]: /.test(l)).lastIndexOf(true);
    assert.ok(firstCm > lastMh && lastMh > 0, site3.join("\n"));
    const nodesPlanned = new Set(
      [...planned.values()].flatMap((lines) => lines.flatMap((l) => / (sps-\d+-\d+): /.exec(l)?.[1] ?? [])),
    );
    // Two of every three clusters are behind: 134 clusters × 10 nodes.
    assert.equal(nodesPlanned.size, 134 * NODES_PER_CLUSTER);
  });
});
