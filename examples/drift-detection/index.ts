// Drift detection: a cluster that already runs its target. `pulumi up` keeps the declared license,
// plugin version and indexer package in place; afterwards `pulumi refresh` (or `pulumi preview
// --refresh`) reports what changed behind Pulumi's back: an upgrade or a rollback done out of band, a
// node stuck mid-hop (HA unit off, firmware activated but not booted), a changed or expiring license,
// a changed plugin version, a changed indexer package or a stopped indexer service.
import { SpsCluster } from "pulumi-sps";
import {
  confirmed,
  deadlines,
  firmware,
  indexers,
  node,
  plugins,
  systemControl,
  target,
} from "../fleet-config";

const zips = plugins()["mfa-demo"] ?? {};
const edge = new SpsCluster("edge", {
  target: target("6.3"),
  ...confirmed(), // the operator's confirmations of the manual gates (P1, S8, P5, P15)
  nodes: [node("sps-edge", { ha: true, settings: { haStatus: "HA", healthOk: true } })],
  firmware: firmware(),
  systemControl: systemControl(),
  license: { name: "sps-6", major: 6, warnDays: 30 },
  plugins: zips["2.1.0"]
    ? [{ node: "sps-edge", name: "mfa-demo", version: "2.1.0", path: zips["2.1.0"] }]
    : [],
  indexers: indexers(),
  deadlines: deadlines(),
});

export const nodes = edge.nodes;
export const indexerStates = edge.indexerStates;
export const drift = edge.drift;
