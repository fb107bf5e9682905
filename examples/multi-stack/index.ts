// One stack per site on a shared backend (docs/user-guide.md, "Several stacks"): each stack's fleet comes from its
// own inventory file; the team's CI runs the stacks side by side. A stack that names `waitForStack`
// holds its first stage until that stack's canary gate has passed (a StackReference to its `gates`
// output), so the progressive rollout spans stacks:
//   pulumi config set inventory ./site-b.json
//   pulumi config set waitForStack organization/sps-multi-stack/site-a
import * as pulumi from "@pulumi/pulumi";
import { SpsFleet, type GateOutput } from "pulumi-sps";
import { confirmed, deadlines, firmware, haSystemControl } from "../fleet-config";

const config = new pulumi.Config();
const dl = deadlines();
const waitForStack = config.get("waitForStack");

const fleet = SpsFleet.fromInventory("fleet", {
  inventory: config.require("inventory"),
  target: config.get("target") ?? "6.3",
  firmware: firmware(),
  // System-control routes only for clusters with an HA pair; a standalone node needs none
  // (docs/design-notes.md#standalone-nodes-need-no-channel).
  cluster: (c) => ({ ...haSystemControl(c.nodes), ...confirmed() }),
  ...(dl ? { deadlines: dl } : {}),
  ...(waitForStack
    ? {
        waitFor: {
          [`${waitForStack} canary`]: new pulumi.StackReference(waitForStack)
            .getOutput("gates")
            .apply((g: Record<string, GateOutput> | undefined) => g?.["canary"]),
        },
      }
    : {}),
});

export const gates = fleet.gates;
export const nodes = fleet.clusters.map((c) => c.nodes);
