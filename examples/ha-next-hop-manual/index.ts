// Next-hop monitoring (rule H4) as a real SPS documents it: no REST path, no shell command — only the
// web interface. With the default system control (every out-of-band operation a manual gate) and a
// node whose REST tree shows no next-hop path, `pulumi up` prints the exact web-interface steps and
// stops; once the operator has done them, they set `manualConfirmed` to the value the message names
// (stack config `manualConfirmed`) and the next `up` records the step as done.
import * as pulumi from "@pulumi/pulumi";
import { NextHopMonitoring } from "pulumi-sps";
import { node } from "../fleet-config";

const confirmed = new pulumi.Config().get("manualConfirmed");

const monitoring = new NextHopMonitoring("dc1-next-hop", {
  node: node("sps-nh", { ha: true }),
  targets: [
    { interface: "external", thisNode: "192.0.2.1", otherNode: "192.0.2.2" },
    { interface: "management", thisNode: "198.51.100.1", otherNode: "198.51.100.2" },
  ],
  ...(confirmed ? { manualConfirmed: confirmed } : {}),
  pollMs: 100,
});

export const route = monitoring.route;
export const lastRun = monitoring.lastRun;
