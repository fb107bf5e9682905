// One stack per site on a shared backend (docs/user-guide.md, "Several stacks"): each stack's fleet comes from its
// own inventory file; the team's CI runs the stacks side by side. A stack that names `waitForStack`
// holds its first stage until that stack's canary gate has passed (a StackReference to its `gates`
// output), so the progressive rollout spans stacks:
//   pulumi config set inventory ./site-b.json
//   pulumi config set waitForStack organization/sps-multi-stack/site-a
import * as pulumi from "@pulumi/pulumi";
import { SpsFleet, type GateOutput } from "pulumi-sps";
import { inventoryFleet } from "../fleet-config";

const waitForStack = new pulumi.Config().get("waitForStack");

// The fleet of this stack's inventory file, as examples/inventory declares it (../fleet-config.ts).
const fleet = SpsFleet.fromInventory("fleet", {
  ...inventoryFleet(),
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
