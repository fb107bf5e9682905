// An HA pair behind one name: upload, test and activate on the primary, wait for the secondary's
// sync, shut the secondary down, reboot the primary, license, verify, power the secondary on through
// IPMI, wait for it to rejoin, "activate slave" (6.0+, H3), verify both units (rule H2).
// With the lab's "native" channels the core shell is reached over SSH and each unit's BMC over IPMI;
// otherwise every operation goes through the command channel to the emulator.
import { SpsCluster } from "pulumi-sps";
import { confirmed, deadlines, firmware, node, systemControl, target } from "../fleet-config";

const pair = new SpsCluster("dc1", {
  target: target("6.3"),
  ...confirmed(), // the operator's confirmations of the manual gates (P1, S8, P5, P15)
  nodes: [node("sps-ha", { ha: true, settings: { haStatus: "HA", ipmiReachable: true, healthOk: true } })],
  firmware: firmware(),
  systemControl: systemControl(),
  license: { name: "sps-6", major: 6 },
  deadlines: deadlines(),
});

export const plannedActions = pair.plannedActions;
export const nodes = pair.nodes;
export const drift = pair.drift;
