/**
 * `RolloutStage`: the gate after each stage of an `SpsFleet` rollout (../provider/resources/rollout-stage-provider.ts).
 * Its own type token; its `__provider` is the one-line stub of ./dynamic.ts.
 */
import * as pulumi from "@pulumi/pulumi";
import { SpsDynamicResource } from "./dynamic";

export interface RolloutStageArgs {
  fleet: pulumi.Input<string>;
  stage: pulumi.Input<string>;
  position: pulumi.Input<string>;
  clusters: pulumi.Input<string[]>;
  inFlight: pulumi.Input<number>;
  summary: pulumi.Input<string[]>;
  nodeStates?: pulumi.Input<Record<string, Record<string, { version: string | null; state: string }>>>;
  waitsFor?: pulumi.Input<string[]>;
  /** Failed clusters the gate lets pass (docs/user-guide.md, "Staged rollout"; default 0). */
  failureBudget?: pulumi.Input<number>;
  /** Per cluster, what its firmware run recorded (`outcome`, `message`), with a budget above 0. */
  outcomes?: pulumi.Input<Record<string, { outcome: string; message?: string }>>;
  /** The fleet's last gate: fails the `up` when any cluster of the fleet failed. */
  final?: pulumi.Input<boolean>;
}

export class RolloutStage extends SpsDynamicResource {
  /** True once every node of every cluster of the stage ran its target (the gate passed). */
  declare readonly verified: pulumi.Output<boolean>;
  declare readonly clusters: pulumi.Output<string[]>;
  declare readonly summary: pulumi.Output<string[]>;
  /** Clusters of the stage that failed (or are not on target) and that the failure budget let pass. */
  declare readonly failed: pulumi.Output<string[]>;

  constructor(name: string, args: RolloutStageArgs, opts?: pulumi.CustomResourceOptions) {
    super("rolloutStage", name, args, opts);
  }
}
