// Standalone clusters on the emulated lab (test/support/sps-lab.ts), for test/e2e/shared-appliance.test.ts.
// Stack config `clusters` (namespace pulumi-sps-shared-appliance): a JSON list of
//   { name, node, address?, ha? } — an SpsCluster `name` with the lab's node `node`, at `address` when
//   given (another spelling of the lab's address, to declare one appliance twice); `ha: true` for an HA
//   pair (the lab's system-control routes; its activation is the manual web-interface gate, H2).
import * as pulumi from "@pulumi/pulumi";
import { SpsCluster } from "../../../../sdk";
import {
  confirmed,
  deadlines,
  firmware,
  node,
  systemControl,
  target,
} from "../../../../examples/fleet-config";

const config = new pulumi.Config();
const dl = deadlines();
const declared =
  config.requireObject<Array<{ name: string; node: string; address?: string; ha?: boolean }>>("clusters");

const clusters = declared.map(
  (c) =>
    new SpsCluster(c.name, {
      target: target("6.3"),
      ...confirmed(),
      nodes: [
        {
          ...(c.ha
            ? node(c.node, { ha: true, settings: { haStatus: "HA", ipmiReachable: true, healthOk: true } })
            : node(c.node, { settings: { healthOk: true } })),
          ...(c.address !== undefined ? { address: c.address } : {}),
        },
      ],
      firmware: firmware(),
      ...(c.ha ? { systemControl: systemControl() } : {}),
      ...(dl ? { deadlines: dl } : {}),
    }),
);

export const nodes = clusters.map((c) => c.nodes);
export const outcome = clusters.map((c) => c.outcome);
