// Next-hop monitoring on an HA pair (rule H4): per interface the address the primary pings ("this
// node") and the one the secondary pings ("other node"), on the interface's own segment. If the
// secondary reaches more of them than the primary, it takes over (unless it is not synced).
// A change takes effect only after both nodes restart: `pulumi up` clicks "Reboot Cluster", as the
// HA next-hop monitoring text says ("To restart both nodes, click Reboot Cluster."), on a healthy
// pair only, and waits until both are back, synced and the change is in effect.
// No REST path is documented: the client uses `path` when you set one, else a path the node's REST
// tree shows, else it prints the web-interface steps and waits for `manualConfirmed` (the preview
// says which route; see provider/clients/next-hop/next-hop-monitoring.ts).
import { NextHopMonitoring } from "pulumi-sps";
import { node, systemControl } from "../fleet-config";

const monitoring = new NextHopMonitoring("dc1-next-hop", {
  node: node("sps-nh", { ha: true }),
  targets: [
    { interface: "external", thisNode: "192.0.2.1", otherNode: "192.0.2.2" },
    { interface: "management", thisNode: "198.51.100.1", otherNode: "198.51.100.2" },
  ],
  systemControl: systemControl(),
  pollMs: 100,
});

export const plannedActions = monitoring.plannedActions;
export const effectiveTargets = monitoring.effectiveTargets;
export const restartRequired = monitoring.restartRequired;
export const route = monitoring.route;
export const lastRun = monitoring.lastRun;
export const drift = monitoring.drift;
