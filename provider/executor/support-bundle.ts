/**
 * Support bundles as evidence: before the reboot (S8) and after a detected rollback (S13, "keep the
 * support bundle"). Automated where the node's REST tree offers `/api/troubleshooting/support-bundle`
 * (`readCapabilities`, never a version guess): [doc] 8.0 LTS REST guide, "Generating SPS support bundle
 * using REST"; [ps] `Get-SafeguardSpsSupportBundle` (POST, poll `body.status` until "finished", download,
 * DELETE). The file goes into the user's evidence directory; path, size and SHA-256 are kept in the
 * checkpoint (and so in the stack outputs). File names carry cluster, node, hop and time — never a
 * credential. Where the node lacks the API the step says so with the web-interface path.
 */
import { createHash } from "node:crypto";
import { promises as fs } from "node:fs";
import { join, resolve } from "node:path";
import { readCapabilities } from "../clients/sps/rest-capabilities";
import type { PlanStep } from "../../core/plan";
import type { RunContext } from "./run-context";
import { bundleConfirmation, requireConfirmations } from "./confirmations";
import { hopOf, type NodeHandle } from "./step-kit";
import type { EvidenceRecord } from "./types";

export const WEB_INTERFACE_BUNDLE =
  "Basic Settings > Troubleshooting > Create support bundle (download it and keep it)";

export interface BundleOutcome {
  /** Made now or earlier by this tool. */
  record?: EvidenceRecord;
  /** Why none was made automatically, with what to do instead. */
  note?: string;
  /** The user's hook made it (its answer). */
  hook?: string;
}

/**
 * How the bundle of a node is made: by the user's hook, through the REST API into `evidenceDir`, or
 * not automatically (no API in the node's REST tree; no evidence directory). The run (`makeBundle`)
 * and the preview's route line (./step-routes.ts) both decide by this.
 */
export type BundleRoute = "hook" | "rest" | "no-api" | "no-evidence-dir";

export function bundleRoute(o: {
  hook: boolean;
  supportBundleApi: boolean;
  evidenceDir: string | undefined;
}): BundleRoute {
  if (o.hook) return "hook";
  if (!o.supportBundleApi) return "no-api";
  return o.evidenceDir ? "rest" : "no-evidence-dir";
}

function safe(part: string): string {
  return part.replace(/[^A-Za-z0-9._-]+/g, "_").slice(0, 64) || "_";
}

export function evidenceOf(
  ctx: RunContext,
  node: string,
  hop: number,
  when: EvidenceRecord["when"],
): EvidenceRecord | undefined {
  return (ctx.checkpoint.evidence ?? []).find((e) => e.node === node && e.hop === hop && e.when === when);
}

export function describeEvidence(r: EvidenceRecord): string {
  const what = r.when === "upgrade-notes" ? "Upgrade Notes" : "support bundle";
  return `${what} ${r.path} (${r.bytes} bytes, sha256 ${r.sha256})`;
}

/**
 * Writes `content` into the evidence directory `dir` as `<cluster>-<node>-hop<k>-<when>-<time>.<ext>`
 * (owner-only) and keeps its path, size and SHA-256 in the checkpoint (and so in the stack outputs).
 */
export async function keepEvidence(
  ctx: RunContext,
  dir: string,
  node: string,
  hop: number,
  when: EvidenceRecord["when"],
  ext: string,
  content: Buffer,
): Promise<EvidenceRecord> {
  const createdAt = ctx.nowIso();
  const stamp = createdAt.replace(/[-:]/g, "").replace(/\.\d+Z$/, "Z");
  const name = `${safe(ctx.cluster)}-${safe(node)}-hop${hop}-${when}-${stamp}.${ext}`;
  await fs.mkdir(dir, { recursive: true });
  const path = resolve(join(dir, name));
  await fs.writeFile(path, content, { mode: 0o600 });
  const record: EvidenceRecord = {
    node,
    hop,
    when,
    path,
    bytes: content.length,
    sha256: createHash("sha256").update(content).digest("hex"),
    createdAt,
  };
  await ctx.save((c) => {
    c.evidence = [...(c.evidence ?? []), record];
  });
  return record;
}

/** Makes (once per node, hop and occasion) the support bundle; see the module comment. */
export async function ensureSupportBundle(
  ctx: RunContext,
  node: NodeHandle,
  step: PlanStep,
  when: EvidenceRecord["when"],
): Promise<BundleOutcome> {
  const hop = hopOf(step);
  const earlier = evidenceOf(ctx, node.name, hop, when);
  if (earlier) return { record: earlier };
  const noted = when === "before-reboot" ? ctx.checkpoint.bundleNotes?.[`${node.name}#${hop}`] : undefined;
  if (noted) return { note: noted };
  const outcome = await makeBundle(ctx, node, step, when, hop);
  if (outcome.note && when === "before-reboot") {
    const note = outcome.note;
    await ctx.save((c) => {
      c.bundleNotes = { ...(c.bundleNotes ?? {}), [`${node.name}#${hop}`]: note };
    });
  }
  return outcome;
}

async function makeBundle(
  ctx: RunContext,
  node: NodeHandle,
  step: PlanStep,
  when: EvidenceRecord["when"],
  hop: number,
): Promise<BundleOutcome> {
  const hook = ctx.inputs.hooks?.supportBundle;
  if (hook) {
    const answer = await hook(node.name, hop);
    return { hook: typeof answer === "string" ? answer : "support bundle created by the hook" };
  }
  const caps = await readCapabilities(node.client);
  const dir = ctx.inputs.evidenceDir;
  const route = bundleRoute({ hook: false, supportBundleApi: caps.supportBundle, evidenceDir: dir });
  if (route === "no-api")
    return {
      note: `not automated: ${node.name}'s REST API offers no support bundle (no /api/troubleshooting/support-bundle) — create one in the web interface: ${WEB_INTERFACE_BUNDLE}`,
    };
  if (route !== "rest" || !dir)
    return {
      note: `not downloaded: ${node.name} offers the support-bundle API but no evidence directory is configured (set evidenceDir) — or create one in the web interface: ${WEB_INTERFACE_BUNDLE}`,
    };
  const key = await node.client.startSupportBundle();
  await ctx.waitFor(
    {
      what: `support bundle ${key} of ${node.name} generated`,
      deadlineMs: ctx.deadlines.supportBundleMs,
      rule: when === "before-reboot" ? "S8" : "S13",
      step,
      hint: `create one in the web interface instead: ${WEB_INTERFACE_BUNDLE}`,
    },
    async () =>
      (await node.client.supportBundleStatus(key)).toLowerCase() === "finished" ? true : undefined,
  );
  const content = await node.client.downloadSupportBundle(key);
  const record = await keepEvidence(ctx, dir, node.name, hop, when, "tar.gz", content);
  // [ps] removes the bundle from the node once downloaded; a failure here loses nothing (SPS deletes it after 24 h [doc]).
  await node.client.deleteSupportBundle(key).catch(() => undefined);
  return { record };
}

/**
 * Why the tool cannot make `node`'s bundle itself (no hook, and no support-bundle API or no evidence
 * directory), or undefined when it can. Reads the node's REST tree.
 */
export async function bundleMadeByHand(ctx: RunContext, node: NodeHandle): Promise<string | undefined> {
  if (ctx.inputs.hooks?.supportBundle) return undefined;
  const caps = await readCapabilities(node.client);
  const dir = ctx.inputs.evidenceDir;
  const route = bundleRoute({ hook: false, supportBundleApi: caps.supportBundle, evidenceDir: dir });
  if (route === "rest") return undefined;
  return route === "no-api"
    ? `${node.name}'s REST API offers no support bundle`
    : `${node.name} offers the support-bundle API but no evidence directory is configured (or set evidenceDir)`;
}

/**
 * S8 where the tool cannot make the bundle (`why`): a manual gate before the hop's activation — the
 * upgrade call may be the reboot — passed once the operator confirms the web-interface bundle.
 */
export async function requireBundleByHand(
  ctx: RunContext,
  node: NodeHandle,
  step: PlanStep,
  target: string,
  why: string | undefined,
): Promise<void> {
  if (why === undefined) return;
  requireConfirmations(ctx, step, [
    {
      rule: "S8",
      what: `create a support bundle of ${node.name} in its web interface before the upgrade to ${target} is activated (the activation may reboot it): ${why.replace(/^not (automated|downloaded): /, "").replace(/ — .*$/, "")}`,
      confirm: bundleConfirmation(node.name, target),
      how: [WEB_INTERFACE_BUNDLE],
    },
  ]);
}
