// Standalone clusters on the emulated lab (test/support/sps-lab.ts), for test/e2e/shared-appliance.test.ts.
// Stack config `clusters` (namespace pulumi-sps-shared-appliance): a JSON list of
//   { name, node, address?, ha? } — an SpsCluster `name` with the lab's node `node`, at `address` when
//   given (another spelling of the lab's address, to declare one appliance twice); `ha: true` for an HA
//   pair (the lab's system-control routes; its activation is the manual web-interface gate, H2);
//   `licensePlugin: true` targets 7.0 with the node's mfa-demo plugin built for it (pluginBuilds) and the
//   7 LTS license for the hop into 7 (hopLicenses), uploaded through the lab's system-control routes.
import * as pulumi from "@pulumi/pulumi";
import { SpsCluster } from "../../../../sdk";
import {
  confirmed,
  deadlines,
  firmware,
  node,
  plugins,
  systemControl,
  target,
} from "../../../../examples/fleet-config";

const config = new pulumi.Config();
const dl = deadlines();
const declared =
  config.requireObject<
    Array<{ name: string; node: string; address?: string; ha?: boolean; licensePlugin?: boolean }>
  >("clusters");
const mfaDemo = plugins()["mfa-demo"] ?? {};
/** The 7.0 target with the plugin build and license the hop needs (P6, S11). */
const licensePlugin = {
  target: target("7.0"),
  pluginBuilds: { "mfa-demo": { "7.0": { version: "2.1.0", path: mfaDemo["2.1.0"] ?? "" } } },
  hopLicenses: { "7": "sps-7" },
  systemControl: systemControl(),
};

const clusters = declared.map(
  (c) =>
    new SpsCluster(c.name, {
      target: target("6.3"),
      ...confirmed(),
      ...(c.licensePlugin ? licensePlugin : {}),
      nodes: [
        {
          ...(c.ha
            ? node(c.node, { ha: true, settings: { haStatus: "HA", ipmiReachable: true, healthOk: true } })
            : node(c.node, {
                settings: { healthOk: true },
                ...(c.licensePlugin
                  ? { plugins: [{ name: "mfa-demo", version: "2.0.0", builds: { "7.0": "2.1.0" } }] }
                  : {}),
              })),
          ...(c.address !== undefined ? { address: c.address } : {}),
        },
      ],
      firmware: firmware(),
      ...(c.ha && !c.licensePlugin ? { systemControl: systemControl() } : {}),
      ...(dl ? { deadlines: dl } : {}),
    }),
);

export const nodes = clusters.map((c) => c.nodes);
export const outcome = clusters.map((c) => c.outcome);
