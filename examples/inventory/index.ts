// A whole fleet from the inventory file the team keeps (docs/user-guide.md, "Large fleets: the inventory file"): one cluster
// per inventory entry, every node's address, TLS trust, roles, core shell and BMCs from the file. Stack
// config holds only the file's path and what is the same for the whole fleet (firmware images,
// system-control routes, deadlines) — 2,000 appliances need no per-node stack config.
//   pulumi config set inventory ./fleet-inventory.json
import { SpsFleet } from "pulumi-sps";
import { inventoryFleet } from "../fleet-config";

// System-control routes only for clusters with an HA pair; a standalone node needs none (../fleet-config.ts).
const fleet = SpsFleet.fromInventory("fleet", inventoryFleet());

export const clusterCount = fleet.clusters.length;
export const nodes = fleet.clusters.map((c) => c.nodes);
