// The fleet inventory format: the planner's fleet file plus addresses and TLS trust per node.
import { strict as assert } from "node:assert";
import * as fs from "node:fs";
import * as path from "node:path";
import { fleetSchema } from "../../../core/fleet";
import { planCluster } from "../../../core/fleet-plan";
import { defaultCatalog } from "../../../core/default-catalog";
import {
  parseInventory,
  plannerFleet,
  resolvedClusters,
  type Inventory,
  type InventoryInput,
} from "../../../core/inventory";

const FP = "AB:".repeat(31) + "CD";
const PEM = "-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----\n";

function ok(doc: unknown): Inventory {
  const r = parseInventory(doc);
  if (!r.ok) throw new Error(r.problems.map((p) => `${p.property}: ${p.reason}`).join("\n"));
  return r.inventory;
}

function problems(doc: unknown): string[] {
  const r = parseInventory(doc);
  assert.equal(r.ok, false, "the document should be refused");
  return r.ok ? [] : r.problems.map((p) => `${p.property}: ${p.reason}`);
}

const site: InventoryInput = {
  defaults: { target: "6.3", tls: { caFile: "ca.pem" } },
  clusters: [
    {
      name: "dc1",
      nodes: [
        {
          name: "sm",
          version: "6.0.5",
          address: "https://sm.dc1.example.com",
          roles: ["central-management", "search-master"],
          ha: true,
          bmc: { a: { host: "10.0.0.1" }, b: { host: "10.0.0.2", port: 6230 } },
        },
        {
          name: "mh1",
          address: "https://10.0.1.5",
          roles: ["managed-host"],
          tls: { sha256Fingerprint: FP },
          coreShell: { host: "10.0.1.5", hostKeySha256: `SHA256:${"A".repeat(43)}` },
        },
      ],
      stage: "wave-1",
    },
    {
      name: "branch",
      target: "6.0",
      canary: true,
      tls: { system: true },
      nodes: [{ name: "b1", version: "5.0.0", address: "https://b1.example.com" }],
    },
  ],
};

describe("fleet inventory", function () {
  it("takes the planner's fleet file as it is, with an address and a trust per node", function () {
    const planner = {
      clusters: [
        {
          name: "prod-eu",
          target: "6.3",
          nodes: [
            { name: "sm", version: "6.0.5", roles: ["central-management", "search-master"], ha: true },
            { name: "min1", version: "6.0.5", roles: ["search-minion"] },
          ],
          indexers: [{ name: "idx1", os: "rhel7", version: "6.0.5" }],
        },
      ],
    };
    const inv = ok({
      clusters: planner.clusters.map((c) => ({
        ...c,
        nodes: c.nodes.map((n) => ({ ...n, address: `https://${n.name}.example.com`, tls: { caPem: PEM } })),
      })),
    });
    const back = plannerFleet(inv);
    assert.ok(back.ok);
    assert.deepEqual(back.fleet, fleetSchema.parse(planner));
  });

  it("applies defaults: the cluster's trust, then defaults.tls; the cluster's target, then defaults.target", function () {
    const [dc1, branch] = resolvedClusters(ok(site));
    assert.deepEqual(
      dc1?.nodes.map((n) => [n.name, n.tls]),
      [
        ["sm", { caFile: "ca.pem" }],
        ["mh1", { sha256Fingerprint: FP }],
      ],
    );
    assert.equal(dc1?.target, "6.3");
    assert.equal(dc1?.stage, "wave-1");
    assert.deepEqual(branch?.nodes[0]?.tls, { system: true });
    assert.equal(branch?.target, "6.0");
    assert.equal(branch?.canary, true);
    assert.deepEqual(dc1?.nodes[0]?.bmc, {
      a: { host: "10.0.0.1", port: 623 },
      b: { host: "10.0.0.2", port: 6230 },
    });
    assert.equal(dc1?.nodes[1]?.coreShell?.port, 22);
  });

  it("names the field path and the fix for a bad address, trust or version", function () {
    const bad = structuredClone(site) as { clusters: Array<{ nodes: Array<Record<string, unknown>> }> };
    const dc1 = bad.clusters[0];
    dc1.nodes[0]["address"] = "http://sm.dc1.example.com";
    dc1.nodes[1]["tls"] = { caPem: PEM, sha256Fingerprint: FP };
    dc1.nodes[1]["version"] = "6.x";
    const found = problems(bad);
    assert.ok(
      found.some((p) => /^clusters\[0\]\.nodes\[0\]\.address: must be the appliance's https:\/\//.test(p)),
      found.join("\n"),
    );
    assert.ok(
      found.some((p) => /^clusters\[0\]\.nodes\[1\]\.tls: set exactly one of `caPem`, `caFile`/.test(p)),
      found.join("\n"),
    );
    assert.ok(
      found.some((p) => /^clusters\[0\]\.nodes\[1\]\.version: "6\.x" is not a version revision/.test(p)),
      found.join("\n"),
    );
  });

  it("refuses a node without any trust, and an unknown field", function () {
    const noTrust = problems({
      clusters: [{ name: "c", target: "6.3", nodes: [{ name: "n", address: "https://n.example.com" }] }],
    });
    assert.deepEqual(noTrust, [
      "clusters[0].nodes[0].tls: is required: say how the certificate is trusted (caPem, caFile, sha256Fingerprint or system: true) here, in the cluster's tls or in defaults.tls",
    ]);
    const typo = problems({
      clusters: [{ name: "c", nodes: [{ name: "n", address: "https://n.example.com", adress: "x" }] }],
    });
    assert.ok(
      typo.some((p) => /^clusters\[0\]\.nodes\[0\]\.adress: unknown field "adress"/.test(p)),
      typo.join("\n"),
    );
  });

  it("refuses two nodes at one address, a BMC on a standalone node and a repeated cluster name", function () {
    const found = problems({
      defaults: { target: "6.3", tls: { system: true } },
      clusters: [
        { name: "a", nodes: [{ name: "n", address: "https://x.example.com/" }] },
        {
          name: "a",
          nodes: [{ name: "m", address: "https://X.example.com", bmc: { a: { host: "10.0.0.9" } } }],
        },
      ],
    });
    assert.ok(
      found.some((p) => /^clusters\[1\]\.name: cluster name "a" is also used by clusters\[0\]/.test(p)),
      found.join("\n"),
    );
    assert.ok(
      found.some((p) =>
        /^clusters\[1\]\.nodes\[0\]\.address: https:\/\/X\.example\.com is also the address of clusters\[0\]\.nodes\[0\]/.test(
          p,
        ),
      ),
      found.join("\n"),
    );
    assert.ok(
      found.some((p) => /^clusters\[1\]\.nodes\[0\]\.bmc: only an HA pair/.test(p)),
      found.join("\n"),
    );
  });

  it("keeps the planner's cluster rules (one search master, unique names within a cluster)", function () {
    const found = problems({
      defaults: { target: "6.3", tls: { system: true } },
      clusters: [
        {
          name: "c",
          nodes: [
            { name: "a", address: "https://a.example.com", roles: ["search-master"] },
            { name: "a", address: "https://b.example.com", roles: ["search-master", "search-minion"] },
          ],
        },
      ],
    });
    assert.ok(
      found.some((p) => /^clusters\[0\]\.nodes\[1\]\.name: "a" is used twice/.test(p)),
      found.join("\n"),
    );
    assert.ok(
      found.some((p) => /^clusters\[0\]\.nodes\[1\]\.roles: a node has at most one search role/.test(p)),
      found.join("\n"),
    );
  });

  it("gives the offline planner its fleet, or says which version or target is missing", function () {
    const noTarget = plannerFleet(
      ok({
        clusters: [
          {
            name: "c",
            nodes: [{ name: "n", version: "6.0.5", address: "https://n.example.com", tls: { system: true } }],
          },
        ],
      }),
    );
    assert.ok(!noTarget.ok);
    assert.deepEqual(
      noTarget.problems.map((p) => `${p.property}: ${p.reason}`),
      [
        'clusters[0].target: is required for planning: set the cluster\'s target (e.g. "6.3") or defaults.target',
      ],
    );
    const missing = plannerFleet(ok(site));
    assert.ok(!missing.ok);
    assert.deepEqual(
      missing.problems.map((p) => p.property),
      ["clusters[0].nodes[1].version"],
    );
    const full = structuredClone(site) as { clusters: Array<{ nodes: Array<Record<string, unknown>> }> };
    full.clusters[0].nodes[1]["version"] = "6.0.5";
    const fleet = plannerFleet(ok(full));
    assert.ok(fleet.ok);
    const plan = planCluster(fleet.fleet.clusters[1], defaultCatalog(), { asOf: "2026-01-01" });
    assert.deepEqual(
      plan.hops.map((h) => h.to),
      ["6.0.12"],
    );
  });

  it("accepts the documented example (examples/inventory/fleet-inventory.json)", function () {
    const file = path.join(__dirname, "..", "..", "..", "examples", "inventory", "fleet-inventory.json");
    const inv = ok(JSON.parse(fs.readFileSync(file, "utf8")));
    assert.deepEqual(
      resolvedClusters(inv).map((c) => [c.name, c.target, c.canary ?? false, c.stage ?? null]),
      [
        ["branch-01", "6.3", true, null],
        ["dc1", "6.3", false, "datacenters"],
      ],
    );
    assert.ok(plannerFleet(inv).ok);
  });

  it("parses a 2,000-node inventory", function () {
    const clusters = Array.from({ length: 200 }, (_, c) => ({
      name: `site-${c}`,
      nodes: Array.from({ length: 10 }, (_, n) => ({
        name: `sps-${c}-${n}`,
        address: `https://10.${c >> 8}.${c & 255}.${n + 1}`,
        roles: n === 0 ? ["central-management"] : ["managed-host"],
      })),
    }));
    const inv = ok({ defaults: { target: "6.3", tls: { caPem: PEM } }, clusters });
    assert.equal(resolvedClusters(inv).flatMap((c) => c.nodes).length, 2000);
  });
});
