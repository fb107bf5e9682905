// A fleet rolled out in stages (docs/user-guide.md, "Staged rollout"): the canary cluster, then stage "first"
// (site-a, site-b), then stage "second" (the rest, 100 %), at most two clusters at once. After each
// stage a gate verifies that every node runs the target; a failed cluster stops every later stage.
// Preview prints each stage with its estimated duration, and what the engine's `--parallel` costs.
// `failureBudget` (stack config, default 0): failed clusters a stage may have while the next stage
// still starts; the `up` still fails while any cluster has failed (docs/user-guide.md, "Staged rollout").
// `maxInFlight` (stack config, default 2): clusters of a stage at once.
import * as pulumi from "@pulumi/pulumi";
import { SpsFleet } from "pulumi-sps";
// Every cluster is one standalone node: no system-control channel (the REST upgrade call reboots it).
import { confirmed, deadlines, firmware, node, target } from "../fleet-config";

const config = new pulumi.Config();
const cluster = (name: string, nodeName: string, canary = false) => ({
  cluster: name,
  ...(canary ? { canary } : {}),
  target: target("6.3"),
  ...confirmed(),
  nodes: [node(nodeName, { settings: { healthOk: true } })],
  firmware: firmware(),
  deadlines: deadlines(),
});

const fleet = new SpsFleet("fleet", {
  clusters: [
    cluster("canary", "sps-canary", true),
    cluster("site-a", "sps-a"),
    cluster("site-b", "sps-b"),
    cluster("site-c", "sps-c"),
    cluster("site-d", "sps-d"),
  ],
  rollout: {
    stages: [
      { name: "first", clusters: ["site-a", "site-b"] },
      { name: "second", percent: 100 },
    ],
    maxInFlight: config.getNumber("maxInFlight") ?? 2,
    failureBudget: config.getNumber("failureBudget") ?? 0,
  },
});

export const stages = fleet.stages.map((s) => ({ stage: s.name, clusters: s.clusters.map((c) => c.nodes) }));
export const gates = fleet.gates;
