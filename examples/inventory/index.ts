// A whole fleet from the inventory file the team keeps (docs/user-guide.md, "Large fleets: the inventory file"): one cluster
// per inventory entry, every node's address, TLS trust, roles, core shell and BMCs from the file. Stack
// config holds only the file's path and what is the same for the whole fleet (firmware images,
// system-control routes, deadlines) — 2,000 appliances need no per-node stack config.
//   pulumi config set inventory ./fleet-inventory.json
import * as pulumi from "@pulumi/pulumi";
import { SpsFleet } from "pulumi-sps";
import { confirmed, deadlines, firmware, haSystemControl } from "../fleet-config";

const config = new pulumi.Config();
const dl = deadlines();

const fleet = SpsFleet.fromInventory("fleet", {
  inventory: config.require("inventory"),
  target: config.get("target") ?? "6.3",
  firmware: firmware(),
  // System-control routes only for clusters with an HA pair; a standalone node needs none
  // (docs/design-notes.md#standalone-nodes-need-no-channel).
  cluster: (c) => ({ ...haSystemControl(c.nodes), ...confirmed() }),
  ...(dl ? { deadlines: dl } : {}),
});

export const clusterCount = fleet.clusters.length;
export const nodes = fleet.clusters.map((c) => c.nodes);
