// The program of `npm run bench:fleet` (bench/fleet.ts): one SpsCluster per cluster of the fleet file
// that the benchmark writes (`bench:file`), standalone appliances and HA pairs, each 5.0 -> 6.0 -> 6.3
// with the license uploaded on the hop into 6.0 (S11). The fleet comes from a file, not from stack
// config: one config value over 128 KiB cannot be set, and the node list of 400 clusters is larger.
import { readFileSync } from "node:fs";
import * as pulumi from "@pulumi/pulumi";
import { SpsCluster, type SystemControlInput } from "../../sdk";

interface BenchFleetFile {
  clusters: Array<{ name: string; nodes: Array<{ name: string; ha: boolean }> }>;
  lab: {
    nodes: Record<string, { address: string; caPem: string }>;
    firmware: Record<string, { path: string; sha256: string }>;
    systemControl: SystemControlInput;
    confirmed: string[];
    deadlines: Record<string, number>;
  };
}

const file = new pulumi.Config("bench").require("file");
const fleet = JSON.parse(readFileSync(file, "utf8")) as BenchFleetFile;

for (const c of fleet.clusters) {
  new SpsCluster(c.name, {
    target: "6.3",
    nodes: c.nodes.map((n) => {
      const lab = fleet.lab.nodes[n.name];
      if (!lab) throw new Error(`${file}: lab.nodes has no node "${n.name}"`);
      return {
        name: n.name,
        address: lab.address,
        tls: { caPem: lab.caPem },
        ...(n.ha
          ? { ha: true, settings: { haStatus: "HA" as const, ipmiReachable: true, healthOk: true } }
          : { virtual: true, settings: { vmSnapshot: true, healthOk: true } }),
      };
    }),
    firmware: fleet.lab.firmware,
    systemControl: fleet.lab.systemControl,
    confirmed: fleet.lab.confirmed,
    license: { name: "sps-6", major: 6 },
    // The emulated HA pairs read the upgrade call as "selects" (bench/fleet.ts): the run makes it.
    ...(c.nodes.some((n) => n.ha) ? { upgradeCall: "selects" as const } : {}),
    deadlines: fleet.lab.deadlines,
  });
}
