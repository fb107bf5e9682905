// A standalone SPS 7.0 appliance upgraded to 7.1, its firmware fetched by the appliance itself from an
// https URL (POST /api/firmware/fetch, 7.0 LTS and later; docs/design-notes.md#firmware-by-url): the 7.1.1 ISO never passes
// through the machine that runs `pulumi up`. The URL may carry credentials or a signed query, so it is
// secret config (`pulumi config set --secret fleet:firmwareUrl https://…`); its SHA-256 is plain config.
// Only the URL's host is ever shown, and the firmware map is stored as a secret because it holds a url.
import * as pulumi from "@pulumi/pulumi";
import { SpsCluster, type FirmwareImageArg } from "pulumi-sps";
import { confirmed, deadlines, node, systemControl, target } from "../fleet-config";

const fleet = new pulumi.Config("fleet");
const byUrl: Record<string, FirmwareImageArg> = {
  "7.1.1": { url: fleet.requireSecret("firmwareUrl"), sha256: fleet.require("firmwareSha256") },
};
const edge = new SpsCluster("edge", {
  target: target("7.1"),
  ...confirmed(), // the operator's confirmations of the manual gates (P1, S8, P5, P15)
  nodes: [node("sps-edge", { virtual: true, settings: { vmSnapshot: true, healthOk: true } })],
  firmware: byUrl,
  systemControl: systemControl(),
  deadlines: deadlines(),
});

export const plannedActions = edge.plannedActions;
export const nodes = edge.nodes;
