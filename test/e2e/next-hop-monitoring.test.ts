// NextHopMonitoring (H4) through the real engine: examples/ha-next-hop against the emulated lab (an HA
// pair; system control through the command channel to the emulator). The REST endpoint is the
// emulator's [inference] one (emulator/sps/api-next-hop-routes.ts).
import { strict as assert } from "node:assert";
import * as fs from "node:fs";
import * as path from "node:path";
import {
  configureNextHops,
  nextHopStateOf,
  setNextHopReachability,
} from "../../emulator/next-hop/next-hop-emulator";
import { REPO_ROOT } from "../support/pulumi-engine";
import { events, labStack, type LabStack } from "./sps-helpers";

const COMPILED = path.join(REPO_ROOT, "dist", "provider", "resources", "integration-providers.js");

describe("NextHopMonitoring as a Pulumi stack (H4)", function () {
  this.timeout(300_000);
  let ls: LabStack;

  before(async function () {
    if (!fs.existsSync(COMPILED)) throw new Error(`${COMPILED} is missing: run \`npm run build\` first`);
    ls = await labStack("ha-next-hop");
  });

  after(async function () {
    await ls?.dispose();
  });

  const model = () => ls.lab.fleet.node("sps-nh").node;

  it('H4: preview says the change needs both nodes restarted with "Reboot Cluster"', async function () {
    const preview = await ls.stack.preview();
    assert.match(preview.diffText, /\+ pulumi-nodejs:dynamic\/sps:NextHopMonitoring: \(create\)/);
    assert.match(
      preview.diffText,
      /set next-hop targets on sps-nh: both nodes restart with Reboot Cluster, as the HA next-hop monitoring text says \(H4\)/,
    );
    // The preview names the route: here the path the node's REST tree shows (none is assumed).
    assert.match(
      preview.diffText,
      /next-hop route: REST \/api\/configuration\/high_availability\/next_hop_monitoring \(shown by this node's REST tree\)/,
    );
    assert.deepEqual(nextHopStateOf(model()).configured, [], "preview changes nothing");
  });

  it('H4: up configures the targets and restarts both nodes with one "Reboot Cluster" (no takeover); the targets are in effect', async function () {
    const up = await ls.stack.up();
    assert.equal(up.outputs["restartRequired"], false);
    assert.equal((up.outputs["effectiveTargets"] as unknown[]).length, 2);
    const all = await events(ls.lab, { node: "sps-nh" });
    const actions = all.filter((e) => e.kind === "action").map((e) => e.name);
    assert.deepEqual(
      actions.filter((a) => /reboot|shutdown|power/.test(a)),
      ["reboot-cluster"],
      actions.join(", "),
    );
    assert.equal(all.filter((e) => e.name === "takeover").length, 0, "no takeover forced");
    assert.deepEqual(up.outputs["lastRun"], [
      "configured 2 next-hop target(s); they take effect after both nodes restart",
      "Reboot Cluster on sps-nh: both nodes restart (Basic Settings > High Availability: Reboot Cluster)",
      "both nodes are back and synced; the change is in effect",
    ]);
  });

  it("H4: a second up changes nothing (no restart)", async function () {
    const before = (await events(ls.lab, { node: "sps-nh", kind: "action" })).length;
    const up = await ls.stack.up();
    assert.deepEqual(
      Object.keys(up.resourceChanges).filter((k) => k !== "same"),
      [],
    );
    const after = await events(ls.lab, { node: "sps-nh", kind: "action" });
    assert.equal(after.length, before, `new actions: ${JSON.stringify(after.slice(before))}`);
  });

  it("H4: with the targets in effect, the secondary reaching more of them forces a takeover", async function () {
    const primary = model().systemControl().haState().primary.unit;
    const d = setNextHopReachability(model(), "192.0.2.1", { fromPrimary: false });
    assert.equal(d.decision, "takeover");
    assert.notEqual(model().systemControl().haState().primary.unit, primary);
    setNextHopReachability(model(), "192.0.2.1", { fromPrimary: true });
  });

  it("H4: refresh after an out-of-band change shows drift; up puts the declared targets back and restarts the pair again", async function () {
    configureNextHops(model(), [{ interface: "external", thisNode: "192.0.2.9", otherNode: "192.0.2.2" }]);
    const refresh = await ls.stack.refresh();
    assert.equal(refresh.resourceChanges["update"], 1, JSON.stringify(refresh.resourceChanges));
    const preview = await ls.stack.preview();
    assert.match(preview.diffText, /~ pulumi-nodejs:dynamic\/sps:NextHopMonitoring: \(update\)/);
    const up = await ls.stack.up();
    assert.equal(up.outputs["restartRequired"], false);
    assert.deepEqual(up.outputs["drift"], []);
    assert.deepEqual(
      nextHopStateOf(model()).effective.map((t) => t.thisNode),
      ["192.0.2.1", "198.51.100.1"],
    );
  });
});
