// The demo program (root Pulumi.yaml): a fleet with a progressive rollout. The standalone branch
// appliance is the canary: it is upgraded (5.0 -> 6.0 -> 6.3) and verified before the HA pair in dc1
// starts. dc1's external indexer hosts (one RHEL 6 style with `service`, one RHEL 7 style with
// `systemctl`, when the lab started them) get the 6.3.0 indexer RPM after dc1's firmware (I1, I4):
// their host keys are pinned, their SSH login is in the secret sps:credentials. Run by scripts/demo.sh
// against the emulated lab, which sets the config this program reads.
import * as pulumi from "@pulumi/pulumi";
import { SpsFleet } from "../../sdk";
import { deadlines, firmware, indexers, node, systemControl, target } from "../lab-config";

const dl = deadlines();
// P13: each cluster's estimate must fit its window (docs/estimate.md); per stack in config
// (`pulumi config set --path 'maintenanceWindows.dc1' 4h`), by default 3 h and 4 h.
const windows = new pulumi.Config().getObject<Record<string, string>>("maintenanceWindows") ?? {};
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
      maintenanceWindow: windows["branch"] ?? "3h", // the estimate: about 1.9 h (5.0 -> 6.0 -> 6.3)
      nodes: [node("sps-branch", { settings: { healthOk: true } })],
      ...common,
    },
    {
      cluster: "dc1",
      maintenanceWindow: windows["dc1"] ?? "4h", // about 3.4 h (an HA pair)
      nodes: [node("sps-ha", { ha: true, settings: { haStatus: "HA", healthOk: true } })],
      indexers: indexers(),
      ...common,
    },
  ],
});

export const nodes = fleet.clusters.map((c) => c.nodes);
export const indexerStates = fleet.clusters.map((c) => c.indexerStates);
export const drift = fleet.clusters.map((c) => c.drift);
