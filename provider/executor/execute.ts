/**
 * `executeClusterPlan`: runs one cluster's plan. Waves in order; the nodes of a wave in parallel (up
 * to `maxParallel`); the steps of one node in `seq` order. The planner makes waves hop-synchronised
 * (C1 order, C3: no node starts hop k+1 before every node finished hop k) and the executor checks it
 * before touching anything. After every step: a progress event and a checkpoint save. Any failure
 * becomes an `ExecutionError` carrying the step and the partial result, so the next run resumes.
 */
import { z } from "zod";
import { messageOf } from "../../core/errors";
import { checkFirmwareSources, firmwareSourceSchema } from "../../core/firmware-source";
import { APPLIANCE_ACTIONS, INDEXER_ACTIONS, type ApplianceAction, type PlanStep } from "../../core/plan";
import * as A from "./appliance-steps";
import { emptyCheckpoint, parseCheckpoint, zodMessage } from "./checkpoint";
import * as H from "./ha-steps";
import { IndexerSteps } from "./indexer-steps";
import { readLiveness } from "./node-state";
import { observeWith } from "./observe";
import { failedStep, RunContext } from "./run-context";
import { inputProblemLines, inputProblems } from "./input-check";
import { backupPending, requireConfirmations } from "./confirmations";
import { requiredInputs } from "../../core/plan-inputs";
import { firmwareImageStep } from "./fetch-firmware";
import { activateFirmware, beforePendingUpgradeCall } from "./upgrade-call";
import { nodeHandle, stepError, type NodeHandle, type StepOutcome } from "./step-kit";
import { ExecutionError, type ExecutionInputs, type ExecutionResult, type StepRecord } from "./types";

const versionText = z.string().regex(/^\d+\.\d+\.\d+$/, "must be a revision X.Y.Z");
const stepSchema = z.object({
  seq: z.number().int().positive(),
  wave: z.number().int().positive(),
  hop: z.number().int().positive().nullable(),
  node: z.string().min(1),
  action: z.enum([...APPLIANCE_ACTIONS, ...INDEXER_ACTIONS]),
  version: versionText.optional(),
  command: z.string().optional(),
  plugin: z.string().optional(),
  host: z.string().optional(),
});
const planSchema = z.object({
  name: z.string().min(1),
  target: z.string(),
  hops: z.array(z.object({ from: versionText, to: versionText })),
  steps: z.array(stepSchema),
  findings: z.array(z.object({ rule: z.string(), severity: z.enum(["error", "warning"]) }).loose()),
});
const indexerPackageSchema = z.object({
  path: z.string().min(1),
  version: versionText.optional(),
  sha256: z
    .string()
    .regex(/^[0-9a-fA-F]{64}$/, "must be 64 hex digits")
    .optional(),
});
const inputsSchema = z.object({
  // {path, sha256} (upload) or {url, sha256} (fetch, https, 7.0 and later): core/firmware-source.ts.
  firmware: z.record(versionText, firmwareSourceSchema).superRefine((m, ctx) => checkFirmwareSources(m, ctx)),
  maxParallel: z.number().int().positive().optional(),
  licenses: z
    .record(
      z.string().regex(/^\d+$/, 'must be an LTS major, e.g. "6"'),
      z.object({ fileName: z.string().min(1) }).loose(),
    )
    .optional(),
  indexerPackages: z.record(versionText, indexerPackageSchema).optional(),
  indexerHostPackages: z.record(z.string(), z.record(versionText, indexerPackageSchema)).optional(),
});

const INDEXER = new Set<string>(INDEXER_ACTIONS);

function invalid(message: string): ExecutionError {
  return new ExecutionError("input-missing", message);
}

/** Checks the plan before anything runs: order, C3 (one hop per wave), bindings for every node. */
function validate(inputs: ExecutionInputs): void {
  const p = planSchema.safeParse(inputs.plan);
  if (!p.success) throw invalid(zodMessage(`cluster plan ${inputs.plan?.name ?? "?"}`, p.error));
  const i = inputsSchema.safeParse(inputs);
  if (!i.success) throw invalid(zodMessage(`executor inputs of cluster ${inputs.plan.name}`, i.error));
  const plan = inputs.plan;
  if (plan.findings.some((f) => f.severity === "error"))
    throw invalid(
      `cluster ${plan.name}: the plan has blocking findings (${plan.findings
        .filter((f) => f.severity === "error")
        .map((f) => `${f.rule}: ${f.message}`)
        .join("; ")}); nothing was run`,
    );
  let lastSeq = 0;
  let lastWave = 0;
  const hopOfWave = new Map<number, number>();
  for (const s of plan.steps) {
    if (s.seq <= lastSeq)
      throw invalid(`cluster ${plan.name}: steps are not ordered by seq (step ${s.seq} after ${lastSeq})`);
    if (s.wave < lastWave) throw invalid(`cluster ${plan.name}: wave decreases at step ${s.seq}`);
    lastSeq = s.seq;
    lastWave = s.wave;
    if (s.hop !== null) {
      const h = hopOfWave.get(s.wave);
      // Rule C3: a wave works on one hop only, so every node finishes hop k before any starts hop k+1.
      if (h !== undefined && h !== s.hop)
        throw invalid(`cluster ${plan.name}: wave ${s.wave} mixes hops ${h} and ${s.hop} (rule C3)`);
      hopOfWave.set(s.wave, s.hop);
      if (s.hop > plan.hops.length)
        throw invalid(
          `cluster ${plan.name}: step ${s.seq} names hop ${s.hop}, the plan has ${plan.hops.length}`,
        );
    }
    if (!INDEXER.has(s.action) && !inputs.nodes[s.node])
      throw invalid(
        `cluster ${plan.name}: no binding for node ${s.node}; add nodes["${s.node}"] with its client`,
      );
  }
  const hopsSeen = [...hopOfWave.values()];
  for (let k = 1; k < hopsSeen.length; k++)
    if (hopsSeen[k] < hopsSeen[k - 1])
      throw invalid(`cluster ${plan.name}: a later wave goes back to hop ${hopsSeen[k]} (rule C3)`);
}

type Handler = (ctx: RunContext, node: NodeHandle, step: PlanStep) => Promise<StepOutcome>;

const APPLIANCE_HANDLERS: Record<ApplianceAction, Handler> = {
  preflight: A.preflight,
  "backup-config": A.backupConfig,
  "upload-plugin": A.plugin,
  // Both follow the declared image source (a resumed plan may predate a switch between path and url).
  "upload-firmware": firmwareImageStep,
  "fetch-firmware": firmwareImageStep,
  "test-firmware": A.testFirmware,
  "activate-firmware": activateFirmware,
  "wait-secondary-sync": H.waitSecondarySync,
  "shutdown-secondary": H.shutdownSecondary,
  "support-bundle": A.supportBundle,
  reboot: A.reboot,
  "upload-license": A.uploadLicense,
  "verify-version": A.verifyVersion,
  "power-on-secondary": H.powerOnSecondary,
  "wait-secondary-rejoin": H.waitSecondaryRejoin,
  "activate-secondary": H.activateSecondary,
  "verify-ha": H.verifyHa,
  "upgrade-plugin": A.plugin,
};

/** Verification steps: "done" only when something changed on the node in this run, else "skipped" (still checked). */
const VERIFY_ACTIONS: ReadonlySet<PlanStep["action"]> = new Set([
  "verify-version",
  "verify-ha",
  "verify-indexer",
  "preflight",
]);

async function pool<T>(
  items: readonly T[],
  limit: number,
  work: (item: T) => Promise<void>,
): Promise<unknown[]> {
  const errors: unknown[] = [];
  let next = 0;
  const worker = async (): Promise<void> => {
    while (next < items.length) {
      const item = items[next++];
      try {
        await work(item);
      } catch (e) {
        errors.push(e);
      }
    }
  };
  await Promise.all(Array.from({ length: Math.max(1, Math.min(limit, items.length)) }, () => worker()));
  return errors;
}

function asExecutionError(e: unknown, fallback?: PlanStep): ExecutionError {
  if (e instanceof ExecutionError) return e;
  const msg = messageOf(e);
  return new ExecutionError(
    "step-failed",
    fallback ? `step ${fallback.seq} ${fallback.action} on ${fallback.node} failed: ${msg}` : msg,
    { step: fallback && failedStep(fallback), cause: e },
  );
}

export async function executeClusterPlan(inputs: ExecutionInputs): Promise<ExecutionResult> {
  validate(inputs);
  const plan = inputs.plan;
  const nowIso = (): string => new Date((inputs.clock ?? { now: () => Date.now() }).now()).toISOString();
  const loaded = inputs.checkpoint ? await inputs.checkpoint.load() : undefined;
  const checkpoint = loaded ? parseCheckpoint(loaded) : emptyCheckpoint(plan.name, plan.target, nowIso());
  if (checkpoint.cluster !== plan.name)
    throw invalid(`the checkpoint belongs to cluster ${checkpoint.cluster}, not ${plan.name}`);
  // Every file the remaining steps need, before the first write to any node (S2, S3, S11, P6, I3).
  const remaining = plan.steps.filter((s) => !checkpoint.finished.includes(s.seq));
  const problems = await inputProblems(requiredInputs(remaining, plan.target), inputs);
  if (problems.length > 0)
    throw new ExecutionError(
      "input-missing",
      `cluster ${plan.name}: ${problems.length} input(s) the plan needs are missing or unusable; nothing was changed:\n${inputProblemLines(
        problems,
      )
        .map((l) => `  - ${l}`)
        .join("\n")}`,
      { rule: problems[0].rule },
    );
  const ctx = new RunContext(inputs, checkpoint, inputs.checkpoint);
  const indexers = new IndexerSteps(
    inputs.indexers,
    Object.entries(inputs.nodes).map(([name, b]) => ({ name, client: b.client })),
  );
  const records: StepRecord[] = [];
  /** Nodes the run stopped on as unreadable (./liveness-watch.ts): the partial result does not read them again. */
  const unreadable = new Map<string, string>();
  const changed = new Set<string>();
  const handles = new Map<string, NodeHandle>(
    Object.entries(inputs.nodes).map(([n, b]) => [n, nodeHandle(n, b)]),
  );

  const runStep = async (step: PlanStep): Promise<void> => {
    ctx.throwIfAborted(step);
    const startedAt = ctx.nowIso();
    ctx.progress(
      step,
      "start",
      `${step.action}${step.plugin ? ` ${step.plugin}` : ""}${step.version ? ` → ${step.version}` : ""}`,
    );
    const record = (status: StepRecord["status"], detail: string): void => {
      records.push({
        ...failedStep(step),
        ...(step.plugin !== undefined ? { plugin: step.plugin } : {}),
        status,
        startedAt,
        finishedAt: ctx.nowIso(),
        detail,
      });
    };
    let outcome: StepOutcome;
    try {
      const rolled = ctx.checkpoint.rolledBack[step.node];
      const handle = handles.get(step.node);
      if (rolled && handle) {
        // S13: a node found rolled back stays stopped until it runs the expected version again.
        const running = await readLiveness(handle.client);
        if (running.phase !== "up" || running.version !== rolled.expected)
          throw stepError(
            "rollback-detected",
            step,
            `cluster ${plan.name}, node ${step.node}: SPS rolled back to ${rolled.running} after the reboot into ${rolled.expected} (hop ${rolled.hop}, rule S13); nothing more is done on this node until it runs ${rolled.expected} — investigate on the appliance, keep the support bundle. ${A.rollbackRetryAdvice(step.node, rolled.expected)}`,
            { rule: "S13" },
          );
        await ctx.save((c) => {
          delete c.rolledBack[step.node];
        });
      }
      const pendingCall = beforePendingUpgradeCall(ctx, step);
      if (pendingCall) outcome = { status: "skipped", detail: pendingCall };
      else if (INDEXER.has(step.action)) outcome = await indexers.run(ctx, step);
      else outcome = await APPLIANCE_HANDLERS[step.action as ApplianceAction](ctx, handle!, step);
      if (
        VERIFY_ACTIONS.has(step.action) &&
        outcome.status === "done" &&
        !changed.has(step.node) &&
        step.action !== "preflight"
      )
        outcome = { status: "skipped", detail: `already true: ${outcome.detail}` };
      if (outcome.status === "done" && !VERIFY_ACTIONS.has(step.action)) changed.add(step.node);
    } catch (e) {
      const err = asExecutionError(e, step);
      if (err.kind === "unreadable-answers")
        unreadable.set(step.node, "not read again: the run stopped on its unreadable answers");
      record("failed", err.message);
      ctx.progress(step, "failed", err.message);
      try {
        await ctx.save();
      } catch {
        // the step's error is what matters
      }
      throw err;
    }
    record(outcome.status, outcome.detail);
    ctx.progress(step, outcome.status, `${outcome.detail}${outcome.shown ?? ""}`);
    await ctx.save((c) => {
      if (!c.finished.includes(step.seq)) c.finished.push(step.seq);
    });
  };

  const waves = new Map<number, PlanStep[]>();
  for (const s of plan.steps) waves.set(s.wave, [...(waves.get(s.wave) ?? []), s]);

  const result = async (complete: boolean): Promise<ExecutionResult> => {
    const observed = await observeWith(
      inputs.nodes,
      inputs.systemControl,
      indexers,
      inputs.indexers,
      unreadable,
    );
    return {
      cluster: plan.name,
      target: plan.target,
      steps: [...records].sort((a, b) => a.seq - b.seq),
      nodes: observed.nodes,
      indexers: observed.indexers,
      complete,
      checkpoint: JSON.parse(JSON.stringify(ctx.checkpoint)) as ExecutionResult["checkpoint"],
    };
  };

  /** P1 for hops after the first: backup and export again before the hop's first step (./confirmations.ts). */
  const backupsAsked = new Set<number>();
  const backupBeforeHop = async (steps: readonly PlanStep[]): Promise<void> => {
    const hop = steps.find((s) => s.hop !== null)?.hop;
    if (hop === undefined || hop === null || hop < 2 || backupsAsked.has(hop)) return;
    backupsAsked.add(hop);
    const ofHop = plan.steps.filter((s) => s.hop === hop);
    if (ofHop.every((s) => checkpoint.finished.includes(s.seq))) return;
    const hook = inputs.hooks?.backupConfig;
    if (hook) {
      for (const n of new Set(ofHop.filter((s) => !checkpoint.finished.includes(s.seq)).map((s) => s.node)))
        await hook(n);
      return;
    }
    try {
      requireConfirmations(ctx, ofHop[0], [backupPending(plan.name, hop, plan.hops[hop - 1].to)]);
    } catch (e) {
      const err = asExecutionError(e, ofHop[0]);
      ctx.progress(ofHop[0], "failed", err.message);
      throw err;
    }
  };

  try {
    for (const [, steps] of [...waves.entries()].sort((a, b) => a[0] - b[0])) {
      ctx.throwIfAborted(steps[0]);
      await backupBeforeHop(steps);
      const perNode = new Map<string, PlanStep[]>();
      for (const s of steps) perNode.set(s.node, [...(perNode.get(s.node) ?? []), s]);
      const errors = await pool(
        [...perNode.values()],
        inputs.maxParallel ?? perNode.size,
        async (nodeSteps) => {
          for (const s of nodeSteps) await runStep(s);
        },
      );
      // The other nodes of the wave finish their steps; then the first failure stops the run.
      if (errors.length > 0) throw primaryError(errors);
    }
  } catch (e) {
    const err = asExecutionError(e);
    try {
      err.partial = await result(false);
    } catch {
      // observation is best effort on failure
    }
    throw err;
  }
  return result(true);
}

/** The error to report when several nodes of a wave failed: a real failure rather than an abort. */
function primaryError(errors: unknown[]): unknown {
  return errors.find((e) => !(e instanceof ExecutionError && e.kind === "aborted")) ?? errors[0];
}
