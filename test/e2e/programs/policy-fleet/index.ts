// A central-management cluster of three nodes on the emulated lab (test/support/sps-lab.ts), for
// test/e2e/policy-pack.test.ts: its stack config (namespace pulumi-sps-policy-fleet) turns one compliant declaration
// into each violating example —
//   target (default 7.0), maxParallel (default 2), maintenanceWindow (e.g. "8h"; default none),
//   omitSha256 (a revision: its firmware image loses its SHA-256), insecureTls (true: node cm's TLS trust is
//   `insecure`, which the SDK's types do not offer — a program forcing it must still be stopped by the policy).
import * as pulumi from "@pulumi/pulumi";
import { SpsCluster, type ApplianceNodeInput } from "../../../../sdk";
import { firmware, node, systemControl } from "../../../../examples/fleet-config";

const config = new pulumi.Config();

const nodes: ApplianceNodeInput[] = [
  node("cm", { roles: ["central-management"], settings: { healthOk: true } }),
  node("mh1", { roles: ["managed-host"] }),
  node("mh2", { roles: ["managed-host"] }),
];
if (config.getBoolean("insecureTls")) {
  nodes[0] = {
    ...nodes[0],
    tls: { insecure: true } as unknown as ApplianceNodeInput["tls"],
  };
}

const images = firmware();
const omit = config.get("omitSha256");
const declaredImages = omit
  ? {
      ...images,
      [omit]: { path: images[omit]?.path ?? `/srv/sps-${omit}.iso` } as { path: string; sha256: string },
    }
  : images;

const maintenanceWindow = config.get("maintenanceWindow");
const cluster = new SpsCluster("dc1", {
  target: config.get("target") ?? "7.0",
  nodes,
  firmware: declaredImages,
  systemControl: systemControl(),
  // The plan enters 7 LTS: its license file (S2), from the lab's sps:credentials.licenses.
  hopLicenses: { "7": "sps-7" },
  maxParallel: config.getNumber("maxParallel") ?? 2,
  ...(maintenanceWindow === undefined ? {} : { maintenanceWindow }),
});

export const plannedActions = cluster.plannedActions;
export const estimate = cluster.estimate;
