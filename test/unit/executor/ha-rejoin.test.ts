/**
 * The HA states the executor waits for around "Activate Slave" (rule H2), read as the 6.0 and 6.3
 * upgrade guides describe them: before activation the secondary's boot firmware Current is lower than
 * Active; afterwards all Current and Active numbers are the same. Where the guides are silent (the HA
 * status at that stage, what a reporting channel prints, the 5.11 procedure) each reading is tried.
 */
import assert from "node:assert/strict";
import type { HaNodeState, HaState } from "../../../provider/clients/system-control/operations";
import {
  pairConverged,
  pairSettledWithoutActivation,
  secondaryRejoined,
} from "../../../provider/executor/ha";
import { rejoinedText } from "../../../provider/executor/ha-steps";

function unit(
  unitId: string,
  role: HaNodeState["role"],
  current: string | null,
  active: string | null,
  power: HaNodeState["power"] = "on",
): HaNodeState {
  return { unit: unitId, role, power, firmware: { current, active } };
}

function pair(secondary: HaNodeState, over: Partial<HaState> = {}): HaState {
  return {
    status: "HA",
    sync: "synced",
    firmwareSynced: true,
    nodes: [unit("a", "primary", "6.3.2", "6.3.2"), secondary],
    ...over,
  };
}

describe("executor: HA states around Activate Slave (rule H2)", function () {
  it("accepts the documented state before activation: secondary synced, boot firmware Current lower than Active", function () {
    assert.equal(secondaryRejoined(pair(unit("b", "secondary", "6.0.7", "6.3.2")), "6.3.2"), "lower");
  });

  it("accepts a secondary that already shows the target as Current (a reading the guides do not rule out)", function () {
    assert.equal(secondaryRejoined(pair(unit("b", "secondary", "6.3.2", "6.3.2")), "6.3.2"), "on-target");
  });

  it("keeps waiting while the secondary is not the documented state", function () {
    const cases: [string, HaState][] = [
      ["still syncing", pair(unit("b", "secondary", "6.0.7", "6.3.2"), { sync: "syncing" })],
      ["link down", pair(unit("b", "secondary", "6.0.7", "6.3.2"), { sync: "disconnected" })],
      ["powered off", pair(unit("b", "secondary", "6.0.7", "6.3.2", "off"))],
      ["Active not the target", pair(unit("b", "secondary", "6.0.7", "6.0.7"))],
      ["Current above Active", pair(unit("b", "secondary", "6.3.3", "6.3.2"))],
      ["Current unknown", pair(unit("b", "secondary", null, "6.3.2"))],
      ["not a pair (Half)", pair(unit("b", "secondary", "6.0.7", "6.3.2"), { status: "Half" })],
      ["not a pair (Broken)", pair(unit("b", "secondary", "6.0.7", "6.3.2"), { status: "Broken" })],
    ];
    for (const [what, state] of cases) assert.equal(secondaryRejoined(state, "6.3.2"), undefined, what);
  });

  it("the old wait (every unit's Current on the target) never holds in the documented state", function () {
    const documented = pair(unit("b", "secondary", "6.0.7", "6.3.2"));
    assert.ok(!documented.nodes.every((n) => n.firmware.current === "6.3.2"));
    assert.equal(pairConverged(documented, "6.3.2"), false, "not converged before activation");
  });

  it("after activation all Current and Active numbers must be the same", function () {
    const after: HaState = {
      status: "HA",
      sync: "synced",
      firmwareSynced: true,
      nodes: [unit("b", "primary", "6.3.2", "6.3.2"), unit("a", "secondary", "6.3.2", "6.3.2")],
    };
    assert.equal(pairConverged(after, "6.3.2"), true);
    const activating = { ...after, nodes: [unit("b", "primary", "6.0.7", "6.3.2"), after.nodes[1]] };
    assert.equal(pairConverged(activating, "6.3.2"), false, '"can take a few minutes"');
  });

  it("a hop without Activate Slave (5.11) settles under either reading of the secondary's boot firmware", function () {
    const same = pair(unit("b", "secondary", "5.11.2", "5.11.2"), {
      nodes: [unit("a", "primary", "5.11.2", "5.11.2"), unit("b", "secondary", "5.11.2", "5.11.2")],
    });
    const lower = pair(unit("b", "secondary", "5.10.0", "5.11.2"), {
      nodes: [unit("a", "primary", "5.11.2", "5.11.2"), unit("b", "secondary", "5.10.0", "5.11.2")],
    });
    assert.equal(pairSettledWithoutActivation(same, "5.11.2"), true);
    assert.equal(pairSettledWithoutActivation(lower, "5.11.2"), true);
    const primaryBehind = pair(unit("b", "secondary", "5.10.0", "5.11.2"), {
      nodes: [unit("a", "primary", "5.10.0", "5.11.2"), unit("b", "secondary", "5.10.0", "5.11.2")],
    });
    assert.equal(pairSettledWithoutActivation(primaryBehind, "5.11.2"), false);
    assert.equal(
      pairSettledWithoutActivation({ ...lower, sync: "syncing" }, "5.11.2"),
      false,
      "the secondary's data sync must have finished",
    );
  });

  it('the outcome line quotes the HA status ("HA status \"HA\"", not "HA HA")', function () {
    const line = rejoinedText("b", "HA", "synced", { current: "6.0.7", active: "6.3.2" }, "lower");
    assert.match(
      line,
      /^secondary b rejoined \(HA status "HA", synced; boot firmware current 6\.0\.7, active 6\.3\.2: lower\)$/,
    );
    assert.doesNotMatch(line, /HA HA/);
  });
});
