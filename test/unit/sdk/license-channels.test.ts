// The License and Plugin resources of an SpsCluster get the nodes' system-control channel settings
// (core shell, BMCs, HA units) beside the cluster's systemControl: an HA pair whose operations are
// routed to ssh/ipmi had its License refused on every `up` after the firmware upgrade ("nodes.sps-ha.ssh:
// missing: operations.rebootNode"), while the preview passed. Now the preview refuses such a
// configuration, naming the field the program wrote.
import { strict as assert } from "node:assert";
import * as pulumi from "@pulumi/pulumi";
import { SpsCluster } from "../../../sdk/cluster";
import { configure } from "../../../provider/resources/context";
import { check as licenseCheck } from "../../../provider/resources/license-provider";
import { check as firmwareCheck } from "../../../provider/resources/firmware-provider";
import { PREVIEW_KEY, WIRING_KEY } from "../../../sdk/wiring";

const KEY = `SHA256:${"A".repeat(43)}`;
const HA_NODE = {
  name: "sps-ha",
  address: "https://sps-ha.invalid",
  tls: { system: true as const },
  ha: true,
  coreShell: { host: "10.0.0.5", port: 2222, hostKeySha256: KEY },
  bmc: { a: { host: "10.0.0.6", port: 6231 }, b: { host: "10.0.0.7", port: 6232 } },
};
const ROUTES = {
  rebootNode: { channel: "ssh" as const },
  shutdownSecondary: { channel: "ssh" as const },
  powerOnSecondary: { channel: "ipmi" as const },
  activateSecondary: { channel: "ssh" as const },
  uploadLicense: { channel: "ssh" as const },
};
const CREDENTIALS = {
  appliance: { username: "admin", password: "rest-password-1" },
  coreShell: { username: "root", password: "shell-password-1" },
  ipmi: { username: "bmc", password: "bmc-password-1" },
  licenses: { "sps-6": '{"serial":"S1","major":6}' },
};

function credentialsAre(value: unknown): void {
  configure({ get: (k) => (k === "sps:credentials" ? JSON.stringify(value) : undefined) });
}

type Registered = { type: string; name: string; inputs: Record<string, unknown> };

/** The resources an SpsCluster registers, through Pulumi's mocks (no engine). */
async function registered(args: ConstructorParameters<typeof SpsCluster>[1]): Promise<Registered[]> {
  const out: Registered[] = [];
  process.env["PULUMI_SPS_RUNTIME"] = "/nonexistent/runtime.js";
  await pulumi.runtime.setMocks(
    {
      newResource: (a) => {
        out.push({ type: a.type, name: a.name, inputs: a.inputs as Record<string, unknown> });
        return { id: `${a.name}-id`, state: a.inputs as Record<string, unknown> };
      },
      call: () => ({}),
    },
    "project",
    "stack",
    true,
  );
  new SpsCluster("dc1", args);
  // Let the registrations settle.
  for (let i = 0; i < 20; i++) await new Promise((r) => setImmediate(r));
  return out;
}

describe("License and Plugin get the nodes' system-control channels", function () {
  after(function () {
    configure({ get: () => undefined });
    delete process.env["PULUMI_SPS_RUNTIME"];
  });

  it("SpsCluster passes coreShell, bmc and ha to the License and Plugin nodes", async function () {
    const found = await registered({
      target: "6.3",
      nodes: [HA_NODE],
      firmware: {},
      systemControl: ROUTES,
      license: { name: "sps-6", major: 6 },
      plugins: [{ node: "sps-ha", name: "p", version: "1.0", path: "/tmp/p.zip" }],
    });
    const license = found.find((r) => r.type.endsWith(":License"));
    const plugin = found.find((r) => r.type.endsWith(":Plugin"));
    assert.ok(license && plugin, found.map((r) => r.type).join(", "));
    const licenseNodes = (license.inputs[WIRING_KEY] as { nodes: unknown[] }).nodes;
    assert.deepEqual(licenseNodes, [HA_NODE]);
    const pluginNode = (plugin.inputs[WIRING_KEY] as { node: unknown }).node;
    assert.deepEqual(pluginNode, HA_NODE);
  });

  it("the License check accepts the routes with the nodes' channel settings", async function () {
    credentialsAre(CREDENTIALS);
    const r = await licenseCheck(
      {},
      {
        cluster: "dc1",
        nodes: [HA_NODE],
        license: "sps-6",
        major: 6,
        systemControl: ROUTES,
        [PREVIEW_KEY]: false,
      },
    );
    assert.deepEqual(r.failures ?? [], []);
  });

  it("the License check refuses routes its nodes cannot carry, naming the program's fields", async function () {
    credentialsAre(CREDENTIALS);
    const bare = { name: HA_NODE.name, address: HA_NODE.address, tls: HA_NODE.tls, ha: true };
    const r = await licenseCheck(
      {},
      {
        cluster: "dc1",
        nodes: [bare],
        license: "sps-6",
        major: 6,
        systemControl: ROUTES,
        [PREVIEW_KEY]: true,
      },
    );
    const text = (r.failures ?? []).map((f) => `${f.property}: ${f.reason}`).join("\n");
    assert.match(text, /nodes\["sps-ha"\]\.coreShell: missing: systemControl\.rebootNode/);
    assert.match(text, /declare coreShell \{ host, port, hostKeySha256 \}/);
    assert.match(text, /nodes\[\]\.bmc: systemControl\.powerOnSecondary uses the ipmi channel/);
    assert.doesNotMatch(text, /operations\.|nodes\.sps-ha\.ssh/);
  });

  it("the firmware preview refuses a missing core shell login, naming sps:credentials.coreShell", async function () {
    const noShell = { ...CREDENTIALS, coreShell: undefined };
    credentialsAre(noShell);
    const r = await firmwareCheck(
      {},
      {
        cluster: "dc1",
        target: "6.3",
        nodes: [HA_NODE],
        systemControl: ROUTES,
        [PREVIEW_KEY]: true,
      },
    );
    const text = (r.failures ?? []).map((f) => `${f.property}: ${f.reason}`).join("\n");
    assert.match(text, /sps:credentials\.coreShell: missing: systemControl\.rebootNode/);
    assert.ok(!text.includes("bmc-password-1"));
  });
});
