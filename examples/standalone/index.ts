// A standalone SPS appliance: a cluster of one node. Target 6.3 from 5.0 runs the hops
// 5.0 -> 6.0 (new LTS: license uploaded after the reboot, S11) -> 6.3. No system-control channel: the
// REST upgrade call reboots the node, and the license upload is a manual gate — `up` prints the
// web-interface steps (Basic Settings > System > License) and stops; the next `up` resumes. Where the
// node's REST answer cannot show the license's LTS major, the operator confirms the upload with the
// SHA-256 the gate names: `pulumi config set licenseConfirmed sha256:<hex>`.
import * as pulumi from "@pulumi/pulumi";
import { SpsCluster } from "pulumi-sps";
import { confirmed, deadlines, firmware, node, target } from "../fleet-config";

const branch = new SpsCluster("branch", {
  target: target("6.3"),
  ...confirmed(), // the operator's confirmations of the manual gates (P1, S8, P5, P15)
  nodes: [node("sps-branch", { virtual: true, settings: { vmSnapshot: true, healthOk: true } })],
  firmware: firmware(),
  license: { name: "sps-6", major: 6 },
  licenseConfirmed: new pulumi.Config().get("licenseConfirmed"),
  deadlines: deadlines(),
});

export const plannedActions = branch.plannedActions;
export const nodes = branch.nodes;
export const drift = branch.drift;
