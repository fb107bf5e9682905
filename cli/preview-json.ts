/**
 * What `sps-upgrade render` reads from `pulumi preview --json`: the steps of the ClusterFirmware
 * resources (their inputs as check returned them: plannedActions, planFindings, estimate, the
 * window and the per-wave detail under `__estimate`) and the engine's error diagnostics (a preview
 * that failed, e.g. on a blocking finding). Validated with zod; everything else is ignored.
 */
import { SpsError } from "../core/errors";
import { z } from "zod";
import { ESTIMATE_DETAIL_KEY, parseFindingLines, parseHopLine, parseStepLine } from "../sdk/plan-lines";

export const FIRMWARE_TYPE = "pulumi-nodejs:dynamic/sps:ClusterFirmware";

const figures = {
  seconds: z.number(),
  lowSeconds: z.number(),
  deadlineSeconds: z.number(),
};

const waveSchema = z.object({
  wave: z.number().int(),
  hop: z.number().int().nullable(),
  ...figures,
  slowest: z.string(),
  nodes: z.array(z.object({ node: z.string(), ...figures })),
});

const inServiceSchema = z.object({
  node: z.string(),
  hop: z.number().int(),
  what: z.string(),
  lowSeconds: z.number(),
  seconds: z.number().optional(),
  rule: z.string(),
});

const firmwareInputs = z.object({
  cluster: z.string(),
  target: z.string(),
  canary: z.boolean().optional(),
  resolvedTarget: z.string().optional(),
  plannedActions: z.array(z.string()).optional(),
  planFindings: z.array(z.string()).optional(),
  estimate: z.object({ ...figures, text: z.string() }).optional(),
  maintenanceWindow: z.object({ seconds: z.number(), text: z.string().optional() }).optional(),
  [ESTIMATE_DETAIL_KEY]: z
    .object({ waves: z.array(waveSchema), inService: z.array(inServiceSchema) })
    .optional(),
});

const previewSchema = z.object({
  steps: z
    .array(
      z.object({
        op: z.string(),
        urn: z.string(),
        newState: z
          .object({ type: z.string(), inputs: z.record(z.string(), z.unknown()).optional() })
          .optional(),
      }),
    )
    .default([]),
  diagnostics: z
    .array(z.object({ urn: z.string().optional(), message: z.string(), severity: z.string() }))
    .default([]),
});

export type PreviewSummary = ReturnType<typeof readPreview>;
export type PreviewCluster = PreviewSummary["clusters"][number];

export class PreviewInputError extends SpsError {
  static override readonly code: string = "PREVIEW_INPUT_INVALID";
}

/** The clusters of a `pulumi preview --json` document; throws PreviewInputError naming the field. */
export function readPreview(doc: unknown) {
  const r = previewSchema.safeParse(doc);
  if (!r.success) {
    const issue = r.error.issues[0];
    throw new PreviewInputError(
      `not a pulumi preview --json document: ${issue?.path.join(".") || "(top)"}: ${issue?.message ?? "invalid"}`,
    );
  }
  const clusters = r.data.steps.flatMap((step) => {
    if (step.newState?.type !== FIRMWARE_TYPE) return [];
    const p = firmwareInputs.safeParse(step.newState.inputs ?? {});
    if (!p.success) {
      const issue = p.error.issues[0];
      throw new PreviewInputError(
        `${step.urn}: inputs.${issue?.path.join(".") ?? ""}: ${issue?.message ?? "invalid"}`,
      );
    }
    const i = p.data;
    const lines = i.plannedActions ?? [];
    const detail = i[ESTIMATE_DETAIL_KEY];
    return [
      {
        name: i.cluster,
        /** Declared target and the revision it resolved to. */
        target: i.target,
        ...(i.resolvedTarget !== undefined ? { resolvedTarget: i.resolvedTarget } : {}),
        canary: i.canary === true,
        op: step.op,
        hops: lines.flatMap((l) => {
          const h = parseHopLine(l);
          return h ? [{ from: h.from, to: h.to }] : [];
        }),
        steps: lines.map(parseStepLine).filter((s) => s !== undefined),
        findings: parseFindingLines(i.planFindings ?? []),
        ...(i.estimate ? { estimate: i.estimate } : {}),
        ...(i.maintenanceWindow ? { window: i.maintenanceWindow } : {}),
        waves: detail?.waves ?? [],
        inService: detail?.inService ?? [],
      },
    ];
  });
  /** Error diagnostics of the preview (a failed check names the field and the rule). */
  const errors = r.data.diagnostics.filter((d) => d.severity === "error").map((d) => d.message.trim());
  return { clusters, errors };
}
