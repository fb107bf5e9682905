// A standalone SPS appliance: a cluster of one node. Target 6.3 from 5.0 runs the hops
// 5.0 -> 6.0 (new LTS: license uploaded after the reboot, S11) -> 6.3.
import { SpsCluster } from "../../sdk";
import { deadlines, firmware, node, systemControl, target } from "../lab-config";

const dl = deadlines();
const branch = new SpsCluster("branch", {
  target: target("6.3"),
  nodes: [node("sps-branch", { virtual: true, settings: { vmSnapshot: true, healthOk: true } })],
  firmware: firmware(),
  systemControl: systemControl(),
  license: { name: "sps-6", major: 6 },
  ...(dl ? { deadlines: dl } : {}),
});

export const plannedActions = branch.plannedActions;
export const nodes = branch.nodes;
export const drift = branch.drift;
