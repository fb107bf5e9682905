/**
 * `RolloutStage`: the gate after each stage of an `SpsFleet` rollout (./runtime/rollout-stage-provider.ts).
 * Its own type token; its `__provider` is the one-line stub of ./dynamic.ts.
 */
import * as pulumi from "@pulumi/pulumi";
import { outputSlots, SpsDynamicResource } from "./dynamic";
import { SPS_MODULE } from "./resources";

export interface RolloutStageArgs {
  fleet: pulumi.Input<string>;
  stage: pulumi.Input<string>;
  position: pulumi.Input<string>;
  clusters: pulumi.Input<string[]>;
  inFlight: pulumi.Input<number>;
  summary: pulumi.Input<string[]>;
  nodeStates?: pulumi.Input<Record<string, Record<string, { version: string | null; state: string }>>>;
  waitsFor?: pulumi.Input<string[]>;
}

export class RolloutStage extends SpsDynamicResource {
  /** True once every node of every cluster of the stage ran its target (the gate passed). */
  declare readonly verified: pulumi.Output<boolean>;
  declare readonly clusters: pulumi.Output<string[]>;
  declare readonly summary: pulumi.Output<string[]>;

  constructor(name: string, args: RolloutStageArgs, opts?: pulumi.CustomResourceOptions) {
    super(
      { kind: "rolloutStage" },
      name,
      { ...args, ...outputSlots("verified", "stateVersion") },
      opts,
      SPS_MODULE,
      "RolloutStage",
    );
  }
}
