// The demo program (root Pulumi.yaml): a fleet with a progressive rollout. The standalone branch
// appliance is the canary: it is upgraded (5.0 -> 6.0 -> 6.3) and verified before the HA pair in dc1
// starts. Run by scripts/demo.sh against the emulated lab, which sets the config this program reads.
import { SpsFleet } from "../../sdk";
import { deadlines, firmware, node, systemControl, target } from "../lab-config";

const dl = deadlines();
const common = {
  target: target("6.3"),
  firmware: firmware(),
  systemControl: systemControl(),
  license: { name: "sps-6", major: 6 },
  ...(dl ? { deadlines: dl } : {}),
};

const fleet = new SpsFleet("fleet", {
  clusters: [
    {
      cluster: "branch",
      canary: true,
      nodes: [node("sps-branch", { settings: { healthOk: true } })],
      ...common,
    },
    {
      cluster: "dc1",
      nodes: [node("sps-ha", { ha: true, settings: { haStatus: "HA", healthOk: true } })],
      ...common,
    },
  ],
});

export const nodes = fleet.clusters.map((c) => c.nodes);
export const drift = fleet.clusters.map((c) => c.drift);
