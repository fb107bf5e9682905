// NextHopMonitoring (H4) as a real SPS documents it, through the real engine: the node's REST tree
// shows no next-hop path (emulator.nextHopRest false) and system control is the default (every
// out-of-band operation a manual gate). `up` must print the guide's web-interface steps for the
// targets — not stop earlier on reading the HA state, which the manual route does not need — touch
// nothing on the pair, and converge once the operator confirms the step.
import { strict as assert } from "node:assert";
import { nextHopConfirmation } from "../../provider/clients/next-hop/next-hop-monitoring";
import { events, labStack, type LabStack } from "./sps-helpers";

const TARGETS = [
  { interface: "external", thisNode: "192.0.2.1", otherNode: "192.0.2.2" },
  { interface: "management", thisNode: "198.51.100.1", otherNode: "198.51.100.2" },
];

async function upError(ls: LabStack): Promise<string> {
  try {
    await ls.stack.up();
  } catch (e) {
    return e instanceof Error ? e.message : String(e);
  }
  throw new Error("up succeeded, expected the manual step to stop it");
}

describe("NextHopMonitoring on the manual route with the default system control (H4)", function () {
  this.timeout(300_000);
  let ls: LabStack;

  before(async function () {
    ls = await labStack("ha-next-hop-manual");
  });

  after(async function () {
    await ls?.dispose();
  });

  it("preview names the manual route", async function () {
    const preview = await ls.stack.preview();
    assert.match(
      preview.diffText,
      /next-hop route: a manual step in the web interface \(Basic Settings > High Availability > Next hop monitoring\)/,
    );
  });

  it("up prints the web-interface steps with the exact addresses and changes nothing on the pair", async function () {
    const message = await upError(ls);
    assert.match(message, /H4: next-hop monitoring is a manual step on this node/);
    assert.match(message, /Basic Settings > High Availability > Next hop monitoring/);
    assert.match(
      message,
      /enter 192\.0\.2\.1 into This node > Next hop IP, and 192\.0\.2\.2 into Other node/,
    );
    assert.ok(message.includes(nextHopConfirmation(TARGETS)), "names the confirmation value");
    const actions = (await events(ls.lab, { node: "sps-nh", kind: "action" }))
      .map((e) => e.name)
      .filter((name) => name !== "login");
    assert.deepEqual(actions, [], "no shutdown, power-on or reboot on the manual route");
  });

  it("after the operator confirms, up records the step as done on the manual route", async function () {
    await ls.stack.setConfig("manualConfirmed", nextHopConfirmation(TARGETS));
    const up = await ls.stack.up();
    assert.match(String(up.outputs["route"]), /manual/);
    assert.deepEqual(up.outputs["lastRun"], [
      "next-hop monitoring: the manual step is confirmed by the operator",
    ]);
  });
});
