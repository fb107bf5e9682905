/** The zod schemas of a declared rollout (./rollout-stages.ts), apart for the reason ./same-type.ts gives. */
import { z } from "zod";
import type { RolloutSpec, RolloutStageSpec } from "./rollout-stages";
import type { Equal, Same } from "./same-type";

const stageName = z
  .string()
  .regex(/^[A-Za-z0-9][A-Za-z0-9_-]{0,62}$/, "must be a stage name: letters, digits, '_' or '-'");

export const rolloutStageSchema = z.strictObject({
  name: stageName,
  clusters: z.array(z.string().min(1)).optional(),
  percent: z.number().gt(0, "must be above 0").max(100, "must be at most 100").optional(),
});
export type RolloutStageSchemaIsRolloutStageSpec = Same<
  Equal<z.output<typeof rolloutStageSchema>, RolloutStageSpec>
>;

export const rolloutSpecSchema = z.strictObject({
  stages: z.array(rolloutStageSchema).default([]),
  maxInFlight: z.number().int().min(1, "must be at least 1").optional(),
  failureBudget: z
    .number({ error: "must be a whole number of clusters, 0 or more" })
    .int("must be a whole number of clusters")
    .min(0, "must be 0 or more")
    .default(0),
});
export type RolloutSpecSchemaTakesRolloutSpec = Same<Equal<z.input<typeof rolloutSpecSchema>, RolloutSpec>>;
