/**
 * Indexer host steps (rules I1–I5), after every appliance step of the cluster (the plan's waves).
 * `IndexerHost.upgrade` is itself idempotent and convergent (it inspects the host and does only what
 * is missing, and never leaves the service stopped, I5), so the executor runs it once per host per
 * run, at the host's first step, and maps what it did onto the six plan steps. `verify-indexer`
 * checks the end state independently (version ≥ SPS, service running: I1, I5), then I4's last step:
 * SPS sees the worker again — `/api/health_status` → `indexer.indexer_status` lists the host's
 * address [doc: upgrade guide "check … on the Indexer > Worker status page"; REST guide "health
 * status"] on one of the cluster's nodes, within `indexerWorkerMs`. A worker that does not come
 * back fails the step naming the host; the indexer is left running (nothing is stopped).
 */
import { lookup } from "node:dns/promises";
import { messageOf } from "../../core/errors";
import type { ApplianceClient } from "../clients/sps/appliance-client";
import { indexersSeen } from "../clients/sps/indexer-workers";
import { isIpv4 } from "../../core/next-hop";
import { INDEXER_ACTIONS, type PlanStep } from "../../core/plan";
import type { IndexerHost } from "../clients/hosts/indexer-host";
import { IndexerUpgradeError, type IndexerUpgradeResult } from "../clients/hosts/indexer-upgrade-result";
import { compareIndexerVersions } from "../clients/hosts/indexer-version";
import type { RunContext } from "./run-context";
import { done, skipped, stepError, where, type StepOutcome } from "./step-kit";
import type { IndexerBinding } from "./types";
import { indexerPackageField, indexerPackageOf } from "./indexer-packages";

interface HostRun {
  host: IndexerHost;
  /** The upgrade of this run (started at the host's first step). */
  upgrade?: Promise<IndexerUpgradeResult>;
  alreadyConverged?: string;
}

function actionIndex(a: string): number {
  const i = (INDEXER_ACTIONS as readonly string[]).indexOf(a);
  return i < 0 ? INDEXER_ACTIONS.length : i;
}

/** I1: indexer ≥ the SPS it serves; I5: never left stopped. */
function converged(s: { version: string | null; service: string }, version: string): boolean {
  return s.version !== null && compareIndexerVersions(s.version, version) >= 0 && s.service === "running";
}

/** The plan action that failed (recovery actions of I5 are not plan steps). */
function firstFailedAction(r: IndexerUpgradeResult): string | undefined {
  return r.actions.find((a) => !a.ok && actionIndex(a.action) < INDEXER_ACTIONS.length)?.action;
}

export class IndexerSteps {
  private readonly hosts = new Map<string, Promise<IndexerHost>>();
  private readonly runs = new Map<string, HostRun>();

  constructor(
    private readonly bindings: Record<string, IndexerBinding> | undefined,
    /** The cluster's SPS nodes, asked whether they see the worker again (I4). */
    private readonly sps: ReadonlyArray<{ name: string; client: ApplianceClient }> = [],
  ) {}

  /** The IndexerHost of a name (factories are called once, lazily). */
  hostOf(name: string): Promise<IndexerHost> | undefined {
    const b = this.bindings?.[name];
    if (!b) return undefined;
    const h = this.hosts.get(name) ?? (typeof b === "function" ? b() : Promise.resolve(b));
    this.hosts.set(name, h);
    return h;
  }

  async run(ctx: RunContext, step: PlanStep): Promise<StepOutcome> {
    const target = step.version ?? ctx.inputs.plan.target;
    const hostP = this.hostOf(step.node);
    if (!hostP)
      throw stepError(
        "input-missing",
        step,
        `${where(ctx, step)}: no indexer host bound for ${step.node}; add indexers["${step.node}"]`,
        { rule: "I4" },
      );
    const pkg = indexerPackageOf(ctx.inputs, step.node, target);
    if (!pkg)
      throw stepError(
        "input-missing",
        step,
        `${where(ctx, step)}: no indexer RPM for SPS ${target}; add ${indexerPackageField(ctx.inputs, step.node, target)} (download it from the SPS: Local Services → Indexer service, rule I3)`,
        { rule: "I3" },
      );
    const version = pkg.version ?? target;
    // One upgrade per host and SPS revision: a multi-hop plan upgrades a host after each hop (I1).
    const runKey = `${step.node}@${target}`;
    let hr = this.runs.get(runKey);
    if (!hr) {
      const host = await hostP;
      hr = { host };
      this.runs.set(runKey, hr);
      // Read the truth first: already converged → every step of this host is skipped (no write).
      const state = await host.inspect();
      if (converged(state, version))
        hr.alreadyConverged = `indexer ${state.version} installed and running (≥ ${version})`;
    }
    if (hr.alreadyConverged) return skipped(`already converged: ${hr.alreadyConverged}`);
    if (step.action === "verify-indexer") return this.verify(ctx, step, hr, version, target);
    if (!hr.upgrade) {
      ctx.progress(
        step,
        "waiting",
        `upgrading indexer ${step.node} to ${version} (I4: copy → stop → yum upgrade → start)`,
      );
      hr.upgrade = hr.host.upgrade({ rpmPath: pkg.path, version, spsVersion: target });
    }
    let result: IndexerUpgradeResult;
    try {
      result = await hr.upgrade;
    } catch (e) {
      // Steps before the failed action did their part; the failed action's step carries the error.
      const failedAt = e instanceof IndexerUpgradeError ? firstFailedAction(e.result) : undefined;
      if (failedAt === undefined || actionIndex(step.action) >= actionIndex(failedAt))
        throw await this.failure(ctx, step, hr, e);
      result = (e as IndexerUpgradeError).result;
    }
    const records = result.actions.filter((a) => a.action === step.action);
    if (records.length === 0) return skipped(`not needed (${result.outcome})`);
    return done(records.map((r) => r.detail ?? r.command ?? r.action).join("; "));
  }

  private async verify(
    ctx: RunContext,
    step: PlanStep,
    hr: HostRun,
    version: string,
    target: string,
  ): Promise<StepOutcome> {
    if (hr.upgrade) {
      try {
        await hr.upgrade;
      } catch (e) {
        throw await this.failure(ctx, step, hr, e);
      }
    }
    const state = await hr.host.inspect();
    if (!converged(state, version))
      throw stepError(
        "step-failed",
        step,
        `${where(ctx, step)}: indexer ${step.node} runs ${state.version ?? "nothing"}, service ${state.service}; expected ≥ ${version} for SPS ${target}, running (rules I1, I5)`,
        { rule: state.service !== "running" ? "I5" : "I1" },
      );
    if (!hr.upgrade) return done(`indexer ${state.version} installed, service ${state.service}`);
    const seenBy = await this.awaitWorker(ctx, step, hr.host.address);
    return done(
      `indexer ${state.version} installed, service ${state.service}; SPS ${seenBy} sees the worker again (I4)`,
    );
  }

  /** I4's last step: poll the cluster's nodes until one lists the host among its workers. */
  private async awaitWorker(ctx: RunContext, step: PlanStep, host: string): Promise<string> {
    const ip = isIpv4(host) ? host : (await lookup(host, { family: 4 }).catch(() => undefined))?.address;
    const wanted = new Set([host, ...(ip ? [ip] : [])]);
    return ctx.waitFor(
      {
        what: `SPS seeing indexer ${step.node} (${host}) again in Indexer > Worker status`,
        deadlineMs: ctx.deadlines.indexerWorkerMs,
        kind: "step-failed",
        rule: "I4",
        step,
        hint: `the indexer ${step.node} was upgraded and is left running; check its connection to SPS (TCP 12345 both ways, its certificates in indexer-certs.cfg) and the Indexer > Worker status page, then run again`,
      },
      async () => {
        for (const { name, client } of this.sps) {
          const seen = indexersSeen((await client.getHealth()).raw);
          if (seen.some((w) => wanted.has(w.ip) && (w.workers ?? 1) > 0)) return name;
        }
        return undefined;
      },
    );
  }

  private async failure(ctx: RunContext, step: PlanStep, hr: HostRun, e: unknown): Promise<Error> {
    let service = "unknown";
    try {
      service = (await hr.host.inspect()).service;
    } catch {
      // keep "unknown"
    }
    const rule = e instanceof IndexerUpgradeError ? (e.rule ?? "I5") : "I4";
    return stepError(
      "step-failed",
      step,
      `${where(ctx, step)}: indexer upgrade failed (rule ${rule}): ${messageOf(e)}; service now ${service}${service === "running" ? "" : " — NOT running, start it by hand (I5)"}`,
      { rule, cause: e },
    );
  }
}
