/**
 * The firmware resource's provider logic (one resource per cluster, the unit of ordering).
 *   check  — validates inputs; in a preview also reads live versions, plans (domain planner), puts
 *            the plan into `plannedActions` / `planFindings`; blocking findings fail with {property,
 *            reason}. A real run's check reads nothing (../wiring.ts isRealRun): create/update plan.
 *   diff   — changes when there are planned actions or the declaration changed.
 *   create/update — run the executor, progress on stdout; a failure records partial state (or, with
 *            `recordFailure`, is returned as `outcome: "failed"`: see runLocked).
 *   read   — live per-node state and drift.   delete — forgets; never downgrades (V3).
 */
import { foreignSlotLines } from "./foreign-slots";
import { evidenceDirProblem, prepareEvidenceDir } from "./evidence-dir";
import type { CheckResult, DiffResult, ReadResult } from "@pulumi/pulumi/dynamic";
import type { ClusterPlan } from "../../core/plan";
import { executeClusterPlan, ExecutionError, observeCluster } from "../executor";
import { acquireApplianceLocks } from "./appliance-lock";
import { engineWatchdog } from "./engine-watchdog";
import type { EvidenceRecord, ExecutionResult, ObservedNode, ProgressEvent } from "../executor/types";
import { routeLines as stepRouteLines } from "../executor/step-routes";
import { SystemControlConfigError } from "../clients/system-control/errors";
import type { LicenseFile } from "../clients/system-control/operations";
import { usableFirmwareImages } from "../../core/firmware-images";
import { isFetched, urlHost } from "../../core/firmware-source";
import { fieldProblems } from "../../core/validation";
import { firmwareDrift, nodeState, stuckReason, type NodeFacts } from "../../sdk/drift";
import { firmwareInputSchema, type FirmwareInputs } from "../../sdk/inputs";
import {
  ESTIMATE_DETAIL_KEY,
  estimateDetail,
  estimateProperty,
  NOTHING_TO_DO,
  findingLines,
  plannedActionLines,
  wrapForDiff,
} from "../../sdk/plan-lines";
import {
  checkpointFile,
  acquireRunLock,
  fileBackedStore,
  parseRunRecord,
  readRunFile,
  removeRunFile,
  runToResume,
  stopRequestFile,
  stopRequestSignal,
  type RunRecord,
} from "./checkpoint-store";
import {
  closeBindings,
  liveStateChanged,
  credentials,
  errorText,
  holdsUnknown,
  runBindings,
  partialFailure,
  say,
  scrub,
  systemControlFor,
} from "./context";
import { planFirmware, readLiveFacts, type LiveNodeFacts } from "./firmware-plan";
import { indexerHostPackages, inputFailures, sdkIndexerFields } from "./input-findings";
import {
  checkedInputs,
  declarationDigest,
  declaredOf,
  flatInputs,
  isRealRun,
  pickKeys,
  previewedPlan,
  recordedDeclarationDigest,
  recordedOutputs,
} from "../../sdk/wiring";
import { forgetting, restNodeKey } from "./live-reads";
import { indexerBindings, indexerHostKey } from "./indexer-hosts";
import { prefetchLicenses } from "./license-provider";
import { systemControlFailures } from "./system-control-check";
import { effectiveCatalog } from "../../sdk/catalog-input";
import { applianceLogin, CREDENTIALS_CONFIG_KEY } from "../../sdk/credentials";
import type { CatalogFile } from "../../core/catalog";

export const FIRMWARE_STATE_VERSION = 1;
const COMPUTED = ["plannedActions", "planFindings", "resolvedTarget", "estimate"] as const;
const DECLARED = [
  "cluster",
  "target",
  "nodes",
  "firmware",
  "licenses",
  "pluginBuilds",
  "systemControl",
  "maxParallel",
  "deadlines",
] as const;
/** What `read` needs of the wiring (it gets the outputs only). */
const READ_WIRING = ["nodes", "systemControl"] as const;
/**
 * Of the system-control routes, `read` uses the read-only ones (../../provider/executor/observe.ts:
 * the HA state): only those are kept in the outputs, the rest is in the recorded inputs (and in the
 * declaration digest that `diff` compares).
 */
const READ_NARROW = { systemControl: pickKeys(["readHaState", "readPowerState"]) };

type Props = Record<string, unknown>;

const INPUT_KEYS = Object.keys(firmwareInputSchema.shape);
const DECLARED_INPUTS = INPUT_KEYS.filter((k) => !(COMPUTED as readonly string[]).includes(k));

/** The declared inputs in the flat shape the schema validates (wiring merged back, see ../wiring.ts). */
function declaredInputs(props: Props): Props {
  const out = declaredOf(props, DECLARED_INPUTS);
  // The lane's outcomes are not known in a preview while the clusters before it are to run.
  if (holdsUnknown(out["hold"])) delete out["hold"];
  return out;
}

function parseInputs(props: Props): FirmwareInputs {
  return firmwareInputSchema.parse(declaredInputs(props));
}

function resourceName(cluster: string): string {
  return `firmware/${cluster}`;
}

export async function check(_olds: Props, news: Props): Promise<CheckResult> {
  if (holdsUnknown({ ...news, hold: null })) return { inputs: news };
  const parsed = firmwareInputSchema.safeParse(declaredInputs(news));
  if (!parsed.success) return { inputs: news, failures: fieldProblems(parsed.error) };
  const f = parsed.data;
  // Every node needs a REST login (sps:credentials.appliance or .nodes.<name>).
  try {
    for (const n of f.nodes) applianceLogin(credentials(), n.name);
  } catch (e) {
    return { inputs: news, failures: [{ property: CREDENTIALS_CONFIG_KEY, reason: errorText(e) }] };
  }
  // A configuration the run would refuse fails here, named as the program wrote it.
  const routeFailures = systemControlFailures(f.nodes, f.systemControl);
  if (routeFailures.length > 0) return { inputs: news, failures: routeFailures };
  const evidence = evidenceDirProblem(f.evidenceDir);
  if (evidence) return { inputs: news, failures: [{ property: "evidenceDir", reason: evidence }] };
  // A real run plans in create/update from its own fresh read (../wiring.ts isRealRun).
  if (isRealRun(news)) return { inputs: news };
  // The cluster's License resource is checked next and reads the same nodes: start its reads now.
  if (Object.keys(f.licenses).length > 0) prefetchLicenses(f.nodes);
  const live = await readLiveFacts(f);
  const { plan, failures } = planFirmware(f, live);
  if (!plan) return { inputs: news, failures };
  // S2, S3, S11, P6: the files the run needs, checked as the run checks them before its first write.
  const missing = await inputFailures(plan, f, credentials().licenses);
  return {
    inputs: checkedInputs(news, computedFields(plan, f, live)),
    failures: [...failures, ...missing],
  };
}

/**
 * The route every routed step of each node will take and why (docs/design-notes.md), decided by what the run
 * itself consults: the SystemControl router the executor gets (systemControlFor), the declared
 * upgradeCall, the node's REST tree as read by this check and evidenceDir (provider/executor/step-routes.ts).
 */
export function routeLines(
  plan: ClusterPlan,
  f: FirmwareInputs,
  live: Record<string, LiveNodeFacts>,
): string[] {
  let control: ReturnType<typeof systemControlFor>;
  try {
    control = systemControlFor(f.nodes, f.systemControl);
  } catch (e) {
    // A configuration the run would refuse: no step's route can be shown, and the preview says why
    // instead of silently leaving the lines out (the run itself fails on the same error).
    return [...fetchLines(plan), ...wrapForDiff(routeConfigLine(e))];
  }
  const byName = new Map(f.nodes.map((n) => [n.name, n]));
  const lines = stepRouteLines(plan.steps, (name) => {
    const n = byName.get(name);
    if (!n) return undefined;
    return {
      ha: n.ha,
      upgradeCall: f.upgradeCall,
      channelOf: (op) => control.channelOf(op),
      declared: (op) => control.declares(op),
      capabilities: live[name]?.capabilities,
      evidenceDir: f.evidenceDir,
    };
  });
  return [...fetchLines(plan), ...lines.flatMap((l) => wrapForDiff(l))];
}

/**
 * The route line for a system-control configuration the run refuses: each problem with the field it
 * is about, in the declaration's terms, and the fix; redacted like every error.
 */
function routeConfigLine(e: unknown): string {
  const field = (property: string): string => {
    const [head, name, channel] = property.split(".");
    if (head === "operations") return `systemControl.${property.slice("operations.".length)}`;
    if (head === "nodes" && channel === "ssh")
      return `nodes["${name}"].coreShell (and sps:credentials.coreShell)`;
    if (head === "nodes") return `nodes${name ? `["${name}"]` : ""}.bmc (and sps:credentials.ipmi)`;
    return property;
  };
  const problems =
    e instanceof SystemControlConfigError
      ? e.issues.map((i) => `${field(i.property)}: ${i.reason}`).join("; ")
      : errorText(e);
  return scrub(
    `routes not shown: the system-control configuration is refused (the run would fail the same way): ${problems} — fix systemControl or the nodes' coreShell / bmc settings`,
  );
}

/**
 * One line per revision the appliances fetch by URL (S3, 7.0 and later): `fetch firmware 7.1.1 from
 * downloads.example.com` — the host only, never the URL's userinfo, path or query.
 */
function fetchLines(plan: ClusterPlan): string[] {
  const seen = new Map<string, string>();
  for (const s of plan.steps)
    if (s.action === "fetch-firmware" && s.version !== undefined && s.host !== undefined)
      seen.set(s.version, s.host);
  return [...seen].map(
    ([version, host]) =>
      `fetch firmware ${version} from ${host} (each node downloads it itself, POST /api/firmware/fetch; the ISO does not pass through this machine)`,
  );
}

/** Support bundles this tool downloaded (S8, S13): where, how big, SHA-256; kept across runs. */
function evidenceOutputs(evidence: readonly EvidenceRecord[] | undefined, old: unknown): unknown {
  if (evidence && evidence.length > 0) return evidence;
  return Array.isArray(old) ? old : [];
}

/** What `check` computes for the preview to show (never recorded: ../wiring.ts PREVIEW_KEY). */
function computedFields(plan: ClusterPlan, f: FirmwareInputs, live: Record<string, LiveNodeFacts>): Props {
  const steps = plannedActionLines(plan);
  // A slot `up` would stop at (foreign-state) is named in the preview, before up (./foreign-slots.ts).
  const foreign = foreignSlotLines(
    f.nodes.map((n) => ({ name: n.name, slots: live[n.name]?.slots })),
    plan,
    f.confirmed,
    readRunFile(checkpointFile(f.checkpointDir, f.checkpointKey ?? f.cluster))?.checkpoint,
  );
  return {
    resolvedTarget: plan.target,
    plannedActions: steps.length > 0 ? [...steps, ...foreign, ...routeLines(plan, f, live)] : steps,
    planFindings: findingLines(plan),
    estimate: estimateProperty(plan),
    [ESTIMATE_DETAIL_KEY]: estimateDetail(plan),
  };
}

/**
 * Whether an `up` would run steps now: the plan `check` made in this preview, otherwise a plan from
 * the live state (shared reads). A cluster that cannot be planned (a node does not answer) counts as
 * a change: the drift job must not pass it.
 */
async function hasPendingSteps(news: Props): Promise<boolean> {
  const previewed = previewedPlan(news);
  if (previewed) return previewed.length > 0;
  const parsed = firmwareInputSchema.safeParse(declaredInputs(news));
  if (!parsed.success) return true;
  const { plan } = planFirmware(parsed.data, await readLiveFacts(parsed.data));
  return !plan || plannedActionLines(plan).length > 0;
}

/**
 * What `diff` compares of the declaration. The image map as the program now sends it (only the usable
 * images): state written before compares equal when nothing else changed.
 */
export function declaredKey(p: Props): string {
  const flat = flatInputs(p);
  const images = flat["firmware"];
  const usable =
    images && typeof images === "object" && typeof flat["target"] === "string"
      ? usableFirmwareImages(
          images as Record<string, unknown>,
          flat["target"],
          effectiveCatalog(flat["catalog"] as CatalogFile | undefined),
        )
      : images;
  const declared = DECLARED.map((k) => (k === "firmware" ? digestableImages(usable) : flat[k]) ?? null);
  // A declared catalog and indexer hosts are part of the declaration; without them the key is what
  // earlier versions wrote.
  const indexers = Array.isArray(flat["indexers"]) && flat["indexers"].length > 0 ? [flat["indexers"]] : [];
  return JSON.stringify([
    ...declared,
    ...(flat["catalog"] !== undefined ? [flat["catalog"]] : []),
    ...indexers,
  ]);
}

/**
 * S3 / secrets: an image fetched by URL enters the declaration digest (a plain output) as its sha256 and
 * host only — never the URL's userinfo, path or query, so the digest is no offline brute-force target for
 * a URL password, and a rotating pre-signed URL of the same image is no change (no update, no drift).
 */
function digestableImages(images: unknown): unknown {
  if (images === null || typeof images !== "object" || Array.isArray(images)) return images;
  return Object.fromEntries(
    Object.entries(images as Record<string, unknown>).map(([rev, img]) => {
      if (img === null || typeof img !== "object" || !isFetched(img)) return [rev, img];
      const sha256 = (img as { sha256?: unknown }).sha256;
      return [
        rev,
        { fetchFrom: urlHost(img.url), sha256: typeof sha256 === "string" ? sha256.toLowerCase() : sha256 },
      ];
    }),
  );
}

export async function diff(_id: string, olds: Props, news: Props): Promise<DiffResult> {
  const changed =
    recordedDeclarationDigest(olds, declaredKey) !== declarationDigest(declaredKey(news)) ||
    liveStateChanged(olds, news, ["drift", "nodeStates"]) ||
    // A run recorded as failed or held (recordFailure) is retried by the next `up`, whatever the live state.
    olds["outcome"] === "failed" ||
    olds["outcome"] === "held";
  return { changes: changed || (await hasPendingSteps(news)), stables: ["cluster"] };
}

function factsOf(o: ObservedNode): NodeFacts {
  const unitVersions: Record<string, string | null> = {};
  const unitPower: Record<string, string> = {};
  for (const u of o.ha?.nodes ?? []) {
    unitVersions[u.unit] = u.firmware.current;
    unitPower[u.unit] = u.power;
  }
  return {
    reachable: o.reachable,
    booting: o.booting,
    version: o.runningVersion,
    afterReboot: o.afterRebootVersion,
    ...(o.ha ? { unitVersions, unitPower } : {}),
  };
}

/** Per-node outputs: version and state (plus HA units and what is activated for the next boot). */
export function nodeOutputs(nodes: Record<string, ObservedNode>, target: string): Record<string, Props> {
  const out: Record<string, Props> = {};
  for (const [name, o] of Object.entries(nodes)) {
    const facts = factsOf(o);
    out[name] = {
      version: o.runningVersion,
      state: nodeState(facts, target),
      afterReboot: o.afterRebootVersion,
      ...(stuckReason(facts) ? { stuck: stuckReason(facts) } : {}),
      ...(o.ha
        ? {
            ha: {
              status: o.ha.status,
              sync: o.ha.sync,
              units: o.ha.nodes.map((u) => ({
                unit: u.unit,
                role: u.role,
                power: u.power,
                current: u.firmware.current,
                active: u.firmware.active,
              })),
            },
          }
        : {}),
      ...(o.error ? { error: o.error } : {}),
    };
  }
  return out;
}

function stepLines(result: ExecutionResult | undefined): string[] {
  return (result?.steps ?? []).map(
    (s) =>
      `#${s.seq} ${s.node} ${s.action}${s.version ? ` ${s.version}` : ""}: ${s.status}${s.detail ? ` (${s.detail})` : ""}`,
  );
}

function progressLine(e: ProgressEvent): string {
  const hop = e.hop === null ? "" : ` hop ${e.hop}`;
  const at = `+${(e.elapsedMs / 1000).toFixed(1)}s`;
  return `${at} #${e.seq}${hop} ${e.node} ${e.action}${e.version ? ` ${e.version}` : ""} ${e.phase}${e.message ? `: ${e.message}` : ""}`;
}

function licensesFor(f: FirmwareInputs): Record<string, LicenseFile> {
  const texts = credentials().licenses;
  const out: Record<string, LicenseFile> = {};
  for (const [major, name] of Object.entries(f.licenses)) {
    const text = texts[name];
    if (text === undefined)
      throw new Error(
        `licenses.${major}: no license "${name}" in sps:credentials.licenses; add it with --secret`,
      );
    out[major] = { fileName: `${name}.lic`, content: Buffer.from(text, "utf8"), name };
  }
  return out;
}

/**
 * The outputs of a run that changed nothing (held, or could not plan) under a failure budget: the
 * recorded state as it was, with the stop as the run's result (the next `up` retries, diff forces it).
 */
function notRunOutputs(
  olds: Props | undefined,
  news: Props,
  kind: "held" | "cannot-plan",
  message: string,
): Props {
  return {
    ...(olds ?? {}),
    ...recordedOutputs(news, INPUT_KEYS, READ_WIRING, declaredKey(news)),
    stateVersion: FIRMWARE_STATE_VERSION,
    nodeStates: olds?.["nodeStates"] ?? {},
    lastRun: { complete: false, failed: { kind, message }, steps: [] },
    outcome: kind === "held" ? "held" : "failed",
    drift: [],
  };
}

async function apply(id: string, news: Props, olds: Props | undefined): Promise<{ id: string; outs: Props }> {
  const f = parseInputs(news);
  const name = resourceName(f.cluster);
  // Under a failure budget: when more clusters before this one in its lane failed (or were held) than
  // the stage's budget, the stage can no longer pass its gate — the cluster does not start. Nothing is
  // contacted; the recorded state stays as it was, with `outcome: "held"` (the next `up` retries it).
  const hold = f.recordFailure === true ? f.hold : undefined;
  if (hold && hold.failedBefore.length > hold.budget) {
    const why = `not started: ${hold.failedBefore.length} cluster(s) before it in its lane failed (${hold.failedBefore.join(", ")}), over the stage's failure budget of ${hold.budget}`;
    say(name, why);
    return { id, outs: notRunOutputs(olds, news, "held", `${name}: ${why}`) };
  }
  const file = checkpointFile(f.checkpointDir, f.checkpointKey ?? f.cluster);
  const take = (acquire: () => { release(): void }): { release(): void } => {
    try {
      return acquire();
    } catch (e) {
      throw new Error(`${name}: ${errorText(e)}`);
    }
  };
  const locks = [take(() => acquireRunLock(file))];
  try {
    // One run per appliance on this machine, whatever stack declares it (./appliance-lock.ts).
    const addresses = f.nodes.map((n) => n.address);
    locks.push(take(() => acquireApplianceLocks(f.checkpointDir, addresses, f.checkpointKey ?? f.cluster)));
    // The run changes these nodes and indexer hosts (./live-reads.ts).
    const touched = [...f.nodes.map(restNodeKey), ...f.indexers.map(indexerHostKey)];
    return await forgetting(touched, () => runLocked(id, news, olds, f, file, name));
  } finally {
    for (const lock of locks.reverse()) lock.release();
  }
}

/**
 * Whether a run that stopped with `kind` is returned as `outcome: "failed"` (a fleet's failure
 * budget above 0) rather than failing in the engine. Never for a stop that is not the appliance's
 * failure, since the engine would then start every later cluster and stage within the budget:
 * - "aborted": the operator's stop file or the engine gone (engine-watchdog.ts) — the operator asked
 *   the whole `up` to stop, so it fails as with budget 0 and nothing later starts;
 * - "manual-step-required": a gate the operator must pass by hand (H2 HA activation in the default
 *   reading of POST /api/firmware/upgrade [unknown], a manual SystemControl channel such as a license
 *   upload) — the rollout stops at the gate, as with budget 0; the next `up` resumes after it.
 */
export function recordsAsResult(f: Pick<FirmwareInputs, "recordFailure">, kind: string): boolean {
  return f.recordFailure === true && kind !== "aborted" && kind !== "manual-step-required";
}

/** `apply` while this process holds the cluster's run lock and its appliances' locks. */
async function runLocked(
  id: string,
  news: Props,
  olds: Props | undefined,
  f: FirmwareInputs,
  file: string,
  name: string,
): Promise<{ id: string; outs: Props }> {
  const live = await readLiveFacts(f, { fresh: true });
  const { plan: fresh, failures } = planFirmware(f, live);
  if (!fresh || failures.length > 0) {
    const message = scrub(
      `${name}: cannot plan: ${failures.map((p) => `${p.property}: ${p.reason}`).join("; ")}`,
    );
    if (f.recordFailure !== true) throw new Error(message);
    // Nothing ran: the recorded state stays as it was, with the failure as the run's result.
    say(name, `stopped: ${message}`);
    return { id, outs: notRunOutputs(olds, news, "cannot-plan", message) };
  }
  const resume = runToResume(parseRunRecord(olds?.["run"]), readRunFile(file), fresh.target);
  const plan: ClusterPlan = resume && resume.checkpoint ? resume.plan : fresh;
  // Resuming an interrupted run: the executor gets the same plan (same seqs) minus the steps the
  // checkpoint records as finished, so nothing that already happened is attempted again.
  const finished = new Set(resume?.checkpoint?.finished ?? []);
  const remaining: ClusterPlan = { ...plan, steps: plan.steps.filter((s) => !finished.has(s.seq)) };
  const store = fileBackedStore(file, plan, resume?.checkpoint ?? null);
  const base: Props = {
    // Of the wiring only what `read` needs (nodes, system control); the digest stands for the rest.
    ...recordedOutputs(news, INPUT_KEYS, READ_WIRING, declaredKey(news), READ_NARROW),
    // The plan's target and findings as of this run (outputs; the recorded inputs hold no plan).
    resolvedTarget: plan.target,
    planFindings: findingLines(fresh),
    stateVersion: FIRMWARE_STATE_VERSION,
    targetRevision: plan.target,
  };
  if (plan.steps.length === 0) {
    say(name, `nothing to do: every node runs ${plan.target}`);
  } else {
    say(
      name,
      `${resume?.checkpoint ? `resuming (${finished.size} step(s) already finished):` : "starting"} ${remaining.steps.length} step(s) over ${plan.hops.length} hop(s) to ${plan.target}; to stop after the step in flight: touch ${stopRequestFile(file)}`,
    );
  }
  const bindings = runBindings(f);
  const systemControl = systemControlFor(f.nodes, f.systemControl);
  const stopRequest = stopRequestSignal(file);
  // I1–I5: the indexer hosts, upgraded after every hop's appliance steps (connected at their first step).
  const indexers = indexerBindings(f.indexers, (host, line) => say(`${name} ${host}`, line));
  try {
    // Before the first step: a support bundle must have somewhere to go (no job left on the node).
    if (remaining.steps.length > 0) prepareEvidenceDir(f.evidenceDir);
    const result = await executeClusterPlan({
      plan: remaining,
      nodes: bindings,
      systemControl,
      firmware: f.firmware,
      licenses: licensesFor(f),
      ...(f.licenseConfirmed ? { licenseConfirmed: [f.licenseConfirmed] } : {}),
      ...(f.confirmed.length > 0 ? { confirmed: f.confirmed } : {}),
      plugins: f.pluginBuilds,
      ...(f.deadlines ? { deadlines: f.deadlines } : {}),
      ...(f.maxParallel !== undefined ? { maxParallel: f.maxParallel } : {}),
      ...(f.upgradeCall ? { upgradeCall: f.upgradeCall } : {}),
      ...(f.evidenceDir ? { evidenceDir: f.evidenceDir } : {}),
      ...(f.indexers.length > 0
        ? { indexers: indexers.bindings, indexerHostPackages: indexerHostPackages(f) }
        : {}),
      progress: (e) => say(name, progressLine(e)),
      checkpoint: store,
      // The engine killed under us (engine-watchdog.ts), or the operator's stop file: stop at the
      // next safe point.
      signal: AbortSignal.any([engineWatchdog().signal, stopRequest.signal]),
    });
    removeRunFile(file);
    const versions = Object.entries(result.nodes).map(([n, o]) => `${n}=${o.runningVersion ?? "?"}`);
    say(name, `done: ${versions.join(", ")}`);
    return {
      id,
      outs: {
        ...base,
        nodeStates: nodeOutputs(result.nodes, plan.target),
        applied: Object.fromEntries(Object.entries(result.nodes).map(([n, o]) => [n, o.runningVersion])),
        plannedActions: [],
        ...(result.complete ? { estimate: NOTHING_TO_DO } : {}),
        lastRun: { complete: result.complete, steps: stepLines(result) },
        outcome: "succeeded",
        evidence: evidenceOutputs(result.checkpoint.evidence, olds?.["evidence"]),
        run: null,
        drift: [],
      },
    };
  } catch (e) {
    const x = e instanceof ExecutionError ? e : undefined;
    const partial = x?.partial;
    const run: RunRecord = { plan, checkpoint: partial?.checkpoint ?? store.latest() };
    const kind = x?.kind ?? "step-failed";
    const rule = x?.rule ? ` (rule ${x.rule})` : "";
    const step = x?.step ? ` at #${x.step.seq} ${x.step.node} ${x.step.action}` : "";
    const message = `${name}: ${kind}${rule}${step}: ${sdkIndexerFields(errorText(e), f)}`;
    say(name, `stopped: ${message}`);
    const outs: Props = {
      ...base,
      nodeStates: partial ? nodeOutputs(partial.nodes, plan.target) : (olds?.["nodeStates"] ?? {}),
      applied: partial
        ? Object.fromEntries(Object.entries(partial.nodes).map(([n, o]) => [n, o.runningVersion]))
        : (olds?.["applied"] ?? {}),
      lastRun: { complete: false, failed: { kind, message }, steps: stepLines(partial) },
      evidence: evidenceOutputs(run.checkpoint?.evidence, olds?.["evidence"]),
      run,
      drift: [],
    };
    // Under a fleet's failure budget above 0 the failure is a result, not an engine error: the engine
    // skips every dependent of a failed resource, so the stage gate could never count it. The state
    // keeps the same partial outputs and run record (the next `up` resumes from the checkpoint, and
    // diff forces that retry); the gates fail the `up` at the end.
    if (recordsAsResult(f, kind)) return { id, outs: { ...outs, outcome: "failed" } };
    throw partialFailure(message, id, outs, news["__provider"]);
  } finally {
    stopRequest.dispose();
    closeBindings(bindings);
    await indexers.close();
  }
}

export async function create(inputs: Props): Promise<{ id: string; outs: Props }> {
  const cluster = typeof inputs["cluster"] === "string" ? inputs["cluster"] : "cluster";
  return apply(`sps-firmware:${cluster}`, inputs, undefined);
}

export async function update(id: string, olds: Props, news: Props): Promise<{ outs: Props }> {
  return { outs: (await apply(id, news, olds)).outs };
}

export async function read(id: string, props: Props): Promise<ReadResult> {
  const f = parseInputs(props);
  const bindings = runBindings(f);
  try {
    const systemControl = systemControlFor(f.nodes, f.systemControl);
    const observed = await observeCluster({ nodes: bindings, systemControl });
    const target =
      typeof props["targetRevision"] === "string" ? props["targetRevision"] : (f.resolvedTarget ?? f.target);
    // Compared with what the last run left (`applied`), not with the last refresh, so drift stays
    // visible until an `up` reconciles it.
    const applied = (props["applied"] ?? {}) as Record<string, string | null>;
    const refreshed = (props["nodeStates"] ?? {}) as Record<string, { version?: string | null }>;
    const drift = Object.entries(observed.nodes).flatMap(([n, o]) =>
      firmwareDrift(n, applied[n] ?? refreshed[n]?.version ?? undefined, factsOf(o)),
    );
    return {
      id,
      props: {
        ...props,
        stateVersion: FIRMWARE_STATE_VERSION,
        nodeStates: nodeOutputs(observed.nodes, target),
        drift,
      },
    };
  } finally {
    closeBindings(bindings);
  }
}

export async function remove(_id: string, props: Props): Promise<void> {
  const cluster = typeof props["cluster"] === "string" ? props["cluster"] : "?";
  say(
    resourceName(cluster),
    "forgotten: the appliances keep their firmware (upgrades are never reversed, rule V3)",
  );
}
