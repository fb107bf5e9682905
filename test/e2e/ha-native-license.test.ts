// The user guide's HA example (examples/ha-pair) with the operations routed to the emulator's SSH core shell
// and IPMI BMCs, through the real engine: the License resource gets the node's coreShell and BMCs beside
// the cluster's systemControl, so after the firmware upgrade it is created (uploaded over ssh) and the
// drift job exits 0. Before, every `up` after the upgrade failed with "nodes.sps-ha.ssh: missing:
// operations.rebootNode" and the License was never created. Each BMC has its own login, as the emulator
// gives them (sps:credentials.bmc per unit): the secondary's power goes through its own BMC's login.
import { strict as assert } from "node:assert";
import {
  driftJob,
  events,
  labStack,
  systemControlEvents,
  upThroughGates,
  type LabStack,
} from "./sps-helpers";

describe("an HA pair with ssh/ipmi routes: the License is created after the upgrade (examples/ha-pair)", function () {
  this.timeout(900_000);
  let ls: LabStack;

  before(async function () {
    ls = await labStack("ha-pair", { channels: "native", nodeVersions: { "sps-ha": "6.0.12" } });
  });

  after(async function () {
    await ls?.dispose();
  });

  it("ups to green with the License resource, and the drift job exits 0", async function () {
    const bmc = (
      JSON.parse(ls.lab.secrets["sps:credentials"] ?? "{}") as {
        bmc?: Record<string, Record<string, { password: string }>>;
      }
    ).bmc?.["sps-ha"];
    assert.ok(bmc?.["a"] && bmc["b"] && bmc["a"].password !== bmc["b"].password, "distinct BMC logins");
    const up = await upThroughGates(ls);
    const state = await ls.stack.exportState();
    assert.match(state, /"type": ?"pulumi-nodejs:dynamic\/sps:License"/);
    assert.doesNotMatch(up.stdout + up.stderr, /invalid system-control configuration/);
    const uploads = (await systemControlEvents(ls.lab, "sps-ha")).filter((e) =>
      JSON.stringify(e).includes("license"),
    );
    assert.ok(uploads.length > 0, "the license went through system control (ssh)");
    const powerOn = await events(ls.lab, { node: "sps-ha", name: "power-on" });
    assert.ok(powerOn.length > 0, "the secondary was powered on through its BMC");
    const job = await driftJob(ls);
    assert.deepEqual({ refresh: job.refresh, preview: job.preview }, { refresh: 0, preview: 0 }, job.text);
  });
});
