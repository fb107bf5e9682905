// The demo program (root Pulumi.yaml): a fleet with a progressive rollout. The standalone branch
// appliance is the canary: it is upgraded (7.0 LTS -> 8.0 LTS, a new LTS major: license S11) and
// verified before the HA pair in dc1 starts. Every node starts on 7.0.3, where it offers the
// support-bundle REST API, so each node's bundle before its reboot (S8) lands in evidenceDir and its
// path, size and SHA-256 in the `evidence` output. dc1's external indexer hosts (one RHEL 6 style with
// `service`, one RHEL 7 style with `systemctl`, when the lab started them) get the 8.0.0 indexer RPM
// after dc1's firmware (I1, I4): their host keys are pinned, their SSH login is in the secret
// sps:credentials. Run by scripts/demo.sh against the emulated lab, which sets the config this program reads.
import * as pulumi from "@pulumi/pulumi";
import { SpsFleet } from "pulumi-sps";
import {
  confirmed,
  deadlines,
  evidenceDir,
  firmware,
  indexers,
  node,
  systemControl,
  target,
} from "../fleet-config";

// P13: each cluster's estimate must fit its window (docs/estimate.md); per stack in config
// (`pulumi config set --path 'maintenanceWindows.dc1' 4h`), by default 3 h and 4 h.
const windows = new pulumi.Config().getObject<Record<string, string>>("maintenanceWindows") ?? {};
const common = {
  target: target("8.0"),
  firmware: firmware(),
  license: { name: "sps-8", major: 8 },
  ...confirmed(), // the operator passes the P1 backup gates: scripts/demo.sh
  deadlines: deadlines(),
  evidenceDir: evidenceDir(),
};

const fleet = new SpsFleet("fleet", {
  clusters: [
    {
      cluster: "branch",
      canary: true,
      maintenanceWindow: windows["branch"] ?? "3h", // the estimate: about 45 min (7.0.3 -> 8.0.0)
      // Standalone: no system-control channel (the REST upgrade call reboots it; the S11 license is a manual gate).
      nodes: [node("sps-branch", { settings: { healthOk: true } })],
      ...common,
    },
    {
      cluster: "dc1",
      maintenanceWindow: windows["dc1"] ?? "4h", // about 1.2 h (an HA pair)
      nodes: [node("sps-ha", { ha: true, settings: { haStatus: "HA", healthOk: true } })],
      indexers: indexers(),
      ...common,
      systemControl: systemControl(), // the HA pair's secondary shutdown, power-on, "Activate slave" (H2)
    },
  ],
});

export const nodes = fleet.clusters.map((c) => c.nodes);
export const indexerStates = fleet.clusters.map((c) => c.indexerStates);
export const drift = fleet.clusters.map((c) => c.drift);
/** Per cluster, each node's support bundles: node, hop, when, path, bytes, sha256 (S8). */
export const evidence = fleet.clusters.map((c) => c.evidence);
