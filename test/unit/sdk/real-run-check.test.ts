// A real run's `check` reads nothing live (sdk/wiring.ts isRealRun): the engine checks one
// registration at a time, so a read there would start a stage's clusters one after another. A
// preview's `check` still reads each node (and fails naming the field when it cannot).
import { strict as assert } from "node:assert";
import { configure } from "../../../provider/resources/context";
import * as firmware from "../../../provider/resources/firmware-provider";
import * as license from "../../../provider/resources/license-provider";
import { PREVIEW_KEY, WIRING_KEY } from "../../../sdk/wiring";
import { startDroppingServer, type DroppingServer } from "../../support/dropping-server";

describe("check in a real run", function () {
  let server: DroppingServer;
  const connections = (): number => server.connections();
  let address = "";

  before(async function () {
    // Accepts and drops every connection: a read fails at once (no TLS), and every attempt is counted.
    server = await startDroppingServer();
    address = `https://127.0.0.1:${server.port}`;
    configure({
      get: (key) =>
        key === "sps:credentials"
          ? JSON.stringify({
              appliance: { username: "admin", password: "check-test-password" },
              licenses: { "sps-6": "license text" },
            })
          : undefined,
    });
  });

  after(async function () {
    await server.close();
    configure({ get: () => undefined });
  });

  function node(name: string) {
    return { name, address, tls: { sha256Fingerprint: "AA".repeat(32) } };
  }

  it("firmware: no connection, no plan in the checked inputs, no failure", async function () {
    const news = {
      cluster: "branch",
      target: "6.3",
      [WIRING_KEY]: { nodes: [{ ...node("sps-a"), virtual: true }], firmware: {} },
      [PREVIEW_KEY]: false,
    };
    const before = connections();
    const result = await firmware.check({}, news);
    assert.deepEqual(result.failures ?? [], []);
    assert.deepEqual(result.inputs, news);
    assert.equal(connections(), before, "a real run's check contacted the appliance");
  });

  it("firmware: still refuses bad input (pure validation) in a real run", async function () {
    const result = await firmware.check({}, { cluster: "", target: "6.3", [PREVIEW_KEY]: false });
    assert.ok((result.failures ?? []).some((f) => f.property === "cluster"));
  });

  it("license: the firmware preview's prefetch starts the node's license read, without waiting for it", async function () {
    const before = connections();
    license.prefetchLicenses([node("sps-c")]);
    const deadline = Date.now() + 10_000;
    while (connections() === before && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20));
    assert.ok(connections() > before, "no license read was started");
  });

  it("license: no connection in a real run; a preview reads the node", async function () {
    const inputs = { cluster: "branch", nodes: [node("sps-b")], license: "sps-6", major: 6 };
    const before = connections();
    const real = await license.check({}, { ...inputs, [PREVIEW_KEY]: false });
    assert.deepEqual(real.inputs, { ...inputs, [PREVIEW_KEY]: false });
    assert.equal(connections(), before, "a real run's check contacted the appliance");
    const preview = await license.check({}, { ...inputs, [PREVIEW_KEY]: true });
    assert.ok(connections() > before, "a preview's check reads the node");
    const shown = (preview.inputs as Record<string, unknown>)["plannedActions"];
    assert.ok(Array.isArray(shown), "a preview's check shows the plan");
  });
});
