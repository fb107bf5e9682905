// A central-management cluster: an HA pair that is central management and search master, two managed
// hosts, two search minions (one of them an HA pair), and two external indexer hosts (RHEL 6 style:
// `service`, RHEL 7 style: `systemctl`). Upgraded 5.0 -> 6.0 -> 6.3: minions, then managed hosts, then
// the search master (C1), every node finishing hop 1 before any starts hop 2 (C3); the indexers after
// every appliance step (I1).
import { SpsCluster } from "pulumi-sps";
import { confirmed, deadlines, firmware, indexers, node, systemControl, target } from "../fleet-config";

const prod = new SpsCluster("prod-eu", {
  target: target("6.3"),
  ...confirmed(), // the operator's confirmations of the manual gates (P1, S8, P5, P15)
  nodes: [
    node("sm", {
      ha: true,
      roles: ["central-management", "search-master"],
      settings: { haStatus: "HA", healthOk: true },
    }),
    node("mh1", { roles: ["managed-host"] }),
    node("mh2", { roles: ["managed-host"] }),
    node("min1", { roles: ["search-minion"] }),
    node("min2", { ha: true, roles: ["search-minion"], settings: { haStatus: "HA" } }),
  ],
  firmware: firmware(),
  systemControl: systemControl(),
  license: { name: "sps-6", major: 6 },
  indexers: indexers(),
  deadlines: deadlines(),
});

export const plannedActions = prod.plannedActions;
export const nodes = prod.nodes;
export const indexerStates = prod.indexerStates;
export const drift = prod.drift;
