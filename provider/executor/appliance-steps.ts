/**
 * The appliance steps of one hop (plan-contract action vocabulary), each "check, then act": every
 * handler first reads the real state and returns `skipped` when its work is already true, so a rerun
 * after any interruption converges without repeating anything (and a finished plan causes no write).
 * The HA-only steps are in ./ha-steps.ts.
 */
import { createHash } from "node:crypto";
import { promises as fs } from "node:fs";
import type { FirmwareSlot, FirmwareSlots } from "../clients/sps/appliance-client";
import { ManualStepRequired } from "../clients/system-control/errors";
import { rebootDeadlineMs } from "../../core/deadlines";
import { crossesStorageReorganisation, RULES } from "../../core/rules";
import { decideLicense, licenseConfirmation, licenseGateLines } from "../../core/license-decision";
import type { PlanStep } from "../../core/plan";
import { noteRunning } from "./boot-watch";
import { readPair } from "./ha";
import { livenessWatch } from "./liveness-watch";
import {
  atOrPast,
  comparePluginVersions,
  compareVersionText,
  licenseFacts,
  licenseValidFor,
  majorOf,
  slotWithVersion,
} from "./node-state";
import { fetchMarkOf, rebootMarkOf, rebootStarted } from "./checkpoint";
import { backupPending, bundleConfirmation, isConfirmed, requireConfirmations } from "./confirmations";
import { imageMarkOf, markUpload, recordUploadSlot, refuseForeignState } from "./foreign-state";
import { keepUpgradeNotes, shownUpgradeNotes } from "./upgrade-notes";
import {
  checkLicenseWrite,
  checkPluginWrite,
  forgetFoundLicense,
  licenseFoundNote,
  licenseIdentity,
  pluginFoundNote,
  recordFoundOnNode,
} from "./plugin-license-check";
import {
  bundleMadeByHand,
  describeEvidence,
  ensureSupportBundle,
  evidenceOf,
  WEB_INTERFACE_BUNDLE,
} from "./support-bundle";
import type { RunContext } from "./run-context";
import {
  channelPhrase,
  done,
  ensureUp,
  hopFrom,
  hopOf,
  hopTarget,
  skipped,
  stepError,
  waitForWebInterface,
  where,
  type NodeHandle,
  type StepOutcome,
} from "./step-kit";
import type { PluginPackage } from "./types";
import { pluginBuild, releaseOf } from "./input-check";

function crossesP14(ctx: RunContext, step: PlanStep, running?: string): boolean {
  const to = step.version;
  const from = running ?? hopFrom(ctx, step);
  return to !== undefined && from !== undefined && crossesStorageReorganisation(from, to);
}

/** The node (both units of a pair) already runs the plan's target: nothing before its first change is due. */
async function atPlanTarget(
  ctx: RunContext,
  node: NodeHandle,
  step: PlanStep,
  running: string,
): Promise<boolean> {
  const target = ctx.inputs.plan.target;
  if (!atOrPast(running, target)) return false;
  if (!node.ha) return true;
  const view = await readPair(ctx, node, step);
  return (
    view.state.status === "HA" &&
    view.state.nodes.every((n) => n.firmware.current !== null && atOrPast(n.firmware.current, target))
  );
}

// ---- P: preflight and backup -------------------------------------------------------------------

/** Read-only checks before the node's first change (P2, P4, P8). */
export async function preflight(ctx: RunContext, node: NodeHandle, step: PlanStep): Promise<StepOutcome> {
  const target = ctx.inputs.plan.target;
  const running = await ensureUp(ctx, node, step);
  if (await atPlanTarget(ctx, node, step, running))
    return skipped(`already on the plan target ${target} (running ${running})`);
  // P5, P15: prerequisites declared as not done stop here, before the node's first change, until confirmed.
  requireConfirmations(
    ctx,
    step,
    ctx.inputs.plan.findings.flatMap((f) =>
      f.confirm !== undefined && f.node === node.name
        ? [{ rule: f.rule, what: f.message.replace(/; the run stops at .*$/, ""), confirm: f.confirm }]
        : [],
    ),
  );
  const notes: string[] = [];
  // P2, P4, P8 judged by the rule table (../domain/rules.ts), as doctor and preview judge them. A pair
  // we are in the middle of upgrading (secondary shut down or rebooting by us) is degraded on purpose.
  const ours =
    node.ha &&
    (ctx.checkpoint.secondaryDown[node.name] !== undefined ||
      ctx.checkpoint.reboots.some((r) => r.node === node.name));
  const { problems } = RULES.P2.live({ health: await node.client.getHealth(), pairDegradedByUs: ours });
  if (problems.length > 0) {
    throw stepError(
      "preflight-blocked",
      step,
      `${where(ctx, step)}: System Monitor shows a problem (${problems.join("; ")}); fix it before upgrading (rule P2)`,
      { rule: "P2" },
    );
  }
  notes.push("health OK (P2)");
  // What the node shows of the plugins and license this plan writes, before its first change: a later
  // write is checked against it (./plugin-license-check.ts).
  await recordFoundOnNode(ctx, node);
  if (atOrPast(target, RULES.P8.from)) {
    const d = await node.client.getDiskFillupPrevention();
    if (!RULES.P8.live({ diskFillupLimitPercent: d.usedSpaceRatioLimit }).ok) {
      throw stepError(
        "preflight-blocked",
        step,
        `${where(ctx, step)}: "disconnect clients when disks are N% used" is ${d.usedSpaceRatioLimit}; set it within 50–98 or the upgrade to ${target} cannot start (rule P8)`,
        { rule: "P8" },
      );
    }
    notes.push(`disk fill-up limit ${d.usedSpaceRatioLimit}% (P8)`);
  }
  // P4: HA — the secondary's IPMI answers and the pair is not degraded (unless we shut it down).
  if (node.ha) {
    const view = await readPair(ctx, node, step);
    if (!RULES.P4.live({ haStatus: view.state.status, pairDegradedByUs: ours }).ok) {
      throw stepError(
        "preflight-blocked",
        step,
        `${where(ctx, step)}: HA status is ${view.state.status} (sync ${view.state.sync}); repair the pair before upgrading (rule P4)`,
        { rule: "P4" },
      );
    }
    // Named after the route that reads the power: IPMI by rule H2, or another configured one.
    const how = channelPhrase(ctx, "readPowerState", "through system control");
    try {
      const power = await ctx.inputs.systemControl.readPowerState(view.pair.secondary);
      notes.push(`secondary ${view.secondary.unit} power read ${how} (power ${power}) (P4)`);
    } catch (e) {
      if (e instanceof ManualStepRequired) notes.push("secondary power is checked by hand (manual channel)");
      else
        throw stepError(
          "preflight-blocked",
          step,
          `${where(ctx, step)}: the secondary's power cannot be read ${how} — the same route powers it on again, so the upgrade cannot start (rule P4): ${e instanceof Error ? e.message : String(e)}`,
          { rule: "P4", cause: e },
        );
    }
  }
  return done(notes.join("; "));
}

/**
 * P1: configuration backup and export before the first change — through the user's hook, or made by the
 * operator and confirmed (./confirmations.ts `backupPending`: no public API makes one); never skipped.
 * Later hops ask again before their first step (./execute.ts).
 */
export async function backupConfig(ctx: RunContext, node: NodeHandle, step: PlanStep): Promise<StepOutcome> {
  if (ctx.checkpoint.finished.includes(step.seq)) return skipped("backup made in an earlier run");
  const running = await ensureUp(ctx, node, step);
  if (await atPlanTarget(ctx, node, step, running))
    return skipped(`already on the plan target ${ctx.inputs.plan.target}`);
  const hook = ctx.inputs.hooks?.backupConfig;
  if (hook) {
    const where_ = await hook(node.name);
    return done(typeof where_ === "string" ? `backup: ${where_}` : "backup made");
  }
  const first = ctx.inputs.plan.hops[0];
  if (!first) return skipped("no hop planned");
  const pending = backupPending(ctx.inputs.plan.name, 1, first.to);
  requireConfirmations(ctx, step, [pending]);
  return done(
    `configuration backup and export made by the operator: confirmed "${pending.confirm}" (rule P1)`,
  );
}

// ---- P6 / S4 / S15: plugins ------------------------------------------------------------------

function pluginPackageFor(ctx: RunContext, step: PlanStep, target: string): PluginPackage {
  const name = step.plugin;
  const found = name !== undefined ? pluginBuild(ctx.inputs, name, target) : undefined;
  if (!name || !found) {
    throw stepError(
      "input-missing",
      step,
      `${where(ctx, step)}: no build of plugin ${name ?? "(unnamed)"} for ${target}; add plugins["${name ?? ""}"]["${releaseOf(target)}"] (rule P6)`,
      { rule: "P6" },
    );
  }
  return found.pkg;
}

/** upload-plugin (P6, S4) and upgrade-plugin (S15): skipped when that build or a newer one is installed. */
export async function plugin(ctx: RunContext, node: NodeHandle, step: PlanStep): Promise<StepOutcome> {
  const target = hopTarget(ctx, step);
  const pkg = pluginPackageFor(ctx, step, target);
  await ensureUp(ctx, node, step);
  const name = step.plugin ?? "";
  const installed = (await node.client.listPlugins()).find((p) => p.name === name);
  if (installed && comparePluginVersions(installed.version, pkg.version) >= 0)
    return skipped(
      `plugin ${installed.name} ${installed.version} already installed (wanted ${pkg.version})${pluginFoundNote(ctx, node.name, name, installed.version)}`,
    );
  // Another run's plugin change stops the node here; the write is recorded before it is made.
  await checkPluginWrite(ctx, node, step, name, installed?.version ?? null, pkg.version);
  const zip = pkg.zip ?? (pkg.path ? await fs.readFile(pkg.path) : undefined);
  if (!zip) throw new Error("plugin package has neither `zip` nor `path`");
  const result = await node.client.uploadPlugin(
    zip,
    `pulumi-sps: plugin ${step.plugin ?? ""} ${pkg.version} for ${target}`,
  );
  return done(
    `plugin ${result.name} ${result.version} installed${installed ? ` (was ${installed.version})` : ""}`,
  );
}

// ---- S3, S5–S7, P12: firmware ----------------------------------------------------------------

/**
 * What the image steps (upload-firmware, fetch-firmware) start from: the hop target, the node's slots
 * and the slot already holding the target, or a skip when the node already runs it (S5, S9).
 */
export async function targetImage(
  ctx: RunContext,
  node: NodeHandle,
  step: PlanStep,
): Promise<
  | { skip: StepOutcome }
  | { target: string; running: string; slots: FirmwareSlots; have: FirmwareSlot | undefined }
> {
  const target = hopTarget(ctx, step);
  const running = await ensureUp(ctx, node, step);
  if (atOrPast(running, target))
    return { skip: skipped(`node already on the hop target (running ${running})`) };
  const slots = await node.client.listFirmwareSlots();
  return { target, running, slots, have: slotWithVersion(slots.slots, target) };
}

export async function uploadFirmware(
  ctx: RunContext,
  node: NodeHandle,
  step: PlanStep,
): Promise<StepOutcome> {
  const found = await targetImage(ctx, node, step);
  if ("skip" in found) return found.skip;
  const { target, slots, have } = found;
  // Another run's upload or selected slot stops the node here (./foreign-state.ts).
  refuseForeignState(ctx, node, step, target, slots.slots, "the upload");
  if (have) {
    // Ours (the check above): stopped after the upload, before its slot was recorded.
    if (
      imageMarkOf(ctx, node.name, target)?.slot === undefined &&
      !fetchMarkOf(ctx.checkpoint, node.name, target)
    )
      await recordUploadSlot(ctx, node, target, have.id);
    return skipped(`firmware ${target} already in slot ${have.id}; not uploaded again`);
  }
  const image = ctx.inputs.firmware[target];
  if (!image)
    throw stepError(
      "input-missing",
      step,
      `${where(ctx, step)}: no firmware image for ${target}; add firmware["${target}"] with its path and sha256 (rule V7)`,
      { rule: "V7" },
    );
  if (!("path" in image))
    throw stepError(
      "input-missing",
      step,
      `${where(ctx, step)}: firmware["${target}"] has a url, no path, but the plan uploads it; plan again (the plan fetches url images with fetch-firmware) or give its path (rule S3)`,
      { rule: "S3" },
    );
  const freed = await ensureEmptySlot(ctx, node, step, slots);
  // Saved before the upload: a resumed run recognises this upload as its own (./foreign-state.ts).
  await markUpload(ctx, node, step, target);
  // S3: the client verifies the checksum by streaming before any byte is sent.
  const up = await node.client.uploadFirmware(image);
  await recordUploadSlot(ctx, node, target, up.slotId);
  // Another run that read the node at the same moment may have uploaded the image too: seen now, before the test.
  refuseForeignState(
    ctx,
    node,
    step,
    target,
    (await node.client.listFirmwareSlots()).slots,
    "the upgrade test",
  );
  return done(
    `firmware ${up.version ?? target} uploaded to slot ${up.slotId} (${up.bytes} bytes, sha256 verified)${freed}`,
  );
}

/**
 * A new image (upload or fetch) goes into an empty slot: when none is left, free the oldest slot that is
 * neither running nor selected for the next boot. Returns the detail text ("; freed slot 3 (5.0.9)").
 */
export async function ensureEmptySlot(
  ctx: RunContext,
  node: NodeHandle,
  step: PlanStep,
  slots: FirmwareSlots,
): Promise<string> {
  if (slots.emptySlots > 0) return "";
  const candidates = slots.slots
    .filter((s) => !s.empty && !s.current && !s.afterReboot && s.version !== undefined)
    .sort((a, b) => compareVersionText(a.version!, b.version!));
  const victim = candidates[0];
  if (!victim)
    throw stepError(
      "step-failed",
      step,
      `${where(ctx, step)}: no empty firmware slot and none that can be freed`,
    );
  await node.client.deleteFirmwareSlot(victim.id);
  return `; freed slot ${victim.id} (${victim.version ?? "?"})`;
}

/**
 * The slot holding the hop target (S5: uploaded by upload-firmware), for test and activation — after
 * checking that the node shows nothing another run did (./foreign-state.ts): `before` names the write.
 */
export async function uploadedSlot(
  ctx: RunContext,
  node: NodeHandle,
  step: PlanStep,
  target: string,
  before: string,
): Promise<FirmwareSlot> {
  const slots = (await node.client.listFirmwareSlots()).slots;
  refuseForeignState(ctx, node, step, target, slots, before);
  const slot = slotWithVersion(slots, target);
  if (!slot)
    throw stepError(
      "step-failed",
      step,
      `${where(ctx, step)}: firmware ${target} is in no slot; upload it first`,
    );
  return slot;
}

export async function testFirmware(ctx: RunContext, node: NodeHandle, step: PlanStep): Promise<StepOutcome> {
  const target = hopTarget(ctx, step);
  const running = await ensureUp(ctx, node, step);
  if (atOrPast(running, target)) return skipped(`node already on the hop target (running ${running})`);
  const slot = await uploadedSlot(ctx, node, step, target, "the upgrade test");
  if (slot.afterReboot)
    return skipped(`slot ${slot.id} already selected for the next boot: its test passed before (P12)`);
  // G53: the Upgrade Notes of the uploaded firmware, shown (and kept) before the test and the upgrade call.
  const notes = shownUpgradeNotes(target, slot.upgradeNotes);
  const kept = await keepUpgradeNotes(ctx, node.name, hopOf(step), slot.upgradeNotes);
  const result = await ctx.withDeadline(
    {
      what: `the firmware upgrade test of ${target}`,
      deadlineMs: ctx.deadlines.firmwareTestMs,
      rule: "P12",
      step,
    },
    node.client.testFirmware(slot.id),
  );
  // Rule P12: the test must pass; its text is shown verbatim and stops this node's upgrade.
  if (!result.passed) throw firmwareTestFailed(ctx, step, result.summary);
  // The notes go to the run's output, not into the recorded detail (the stack's state stays small).
  return {
    ...done(
      `upgrade test passed: ${firstLine(result.summary)}${notes ? `; Upgrade Notes of ${target} shown` : ""}${kept}`,
    ),
    ...(notes ? { shown: notes } : {}),
  };
}

/**
 * The first line of the appliance's text, without the separator it ends with (the upgrade test's
 * "Upgrade is allowed;" reads "Upgrade is allowed" after our colon).
 */
export function firstLine(s: string): string {
  return (s.split("\n")[0] ?? s).replace(/[\s;,:]+$/, "");
}

export function firmwareTestFailed(ctx: RunContext, step: PlanStep, summary: string, cause?: unknown): Error {
  return stepError(
    "firmware-test-failed",
    step,
    `${where(ctx, step)}: the firmware upgrade test for ${hopTarget(ctx, step)} failed (rule P12); the node's upgrade stops here. Test summary:\n${summary}`,
    { rule: "P12", cause },
  );
}

// ---- S8, S9, S10, S12, S13: support bundle, reboot, verify --------------------------------------

/** S8: the support bundle before the reboot (made by activate-firmware already where the call may reboot). */
export async function supportBundle(ctx: RunContext, node: NodeHandle, step: PlanStep): Promise<StepOutcome> {
  const target = hopTarget(ctx, step);
  const before = evidenceOf(ctx, node.name, hopOf(step), "before-reboot");
  if (before) return skipped(`${describeEvidence(before)} made before the reboot (kept)`);
  // The operator's confirmation counts only where the tool cannot make the bundle itself.
  const confirmation = bundleConfirmation(node.name, target);
  const byHand = `made in the web interface before the activation: the operator confirmed "${confirmation}" (rule S8)`;
  const noted = ctx.checkpoint.bundleNotes?.[`${node.name}#${hopOf(step)}`];
  if (noted)
    return skipped(
      isConfirmed(ctx, confirmation)
        ? byHand
        : `${noted} (rule S8; due before the upgrade call, which may be the reboot)`,
    );
  if (rebootStarted(rebootMarkOf(ctx.checkpoint, node.name, target)))
    return skipped(
      `reboot of this hop already under way; a bundle now would not show the state before it — next time create one in the web interface before the upgrade: ${WEB_INTERFACE_BUNDLE} (rule S8)`,
    );
  const running = await ensureUp(ctx, node, step);
  if (atOrPast(running, target)) return skipped(`node already on the hop target (running ${running})`);
  if (ctx.checkpoint.finished.includes(step.seq))
    return skipped("support bundle made in an earlier run (kept)");
  if (isConfirmed(ctx, confirmation) && (await bundleMadeByHand(ctx, node)) !== undefined)
    return skipped(byHand);
  const made = await ensureSupportBundle(ctx, node, step, "before-reboot");
  if (made.record) return done(`${describeEvidence(made.record)} (S8)`);
  if (made.hook) return done(`support bundle: ${made.hook} (kept)`);
  return skipped(`${made.note ?? "not automated"} (rule S8)`);
}

/**
 * S9 / H1: reboot this node only. The reboot is recorded in the checkpoint *before* it is issued;
 * with a recorded reboot the node is never rebooted again for this hop — we only wait (S10), and a
 * node back on the old version is a rollback (S13, reported by verify-version).
 */
export async function reboot(ctx: RunContext, node: NodeHandle, step: PlanStep): Promise<StepOutcome> {
  const target = hopTarget(ctx, step);
  const hop = hopOf(step);
  const mark = rebootMarkOf(ctx.checkpoint, node.name, target);
  if (mark && rebootStarted(mark)) {
    const by =
      mark.route === "upgrade-call" && mark.rebootIssuedAt === undefined
        ? `by the upgrade call at ${mark.issuedAt}`
        : `at ${mark.rebootIssuedAt ?? mark.issuedAt}`;
    // Read-only until it is back (S10); a node that is up again is accepted at once (never rebooted again).
    const v = await waitForReboot(ctx, node, step, mark.fromVersion, target, { issued: by });
    return skipped(`reboot for hop ${hop} already issued ${by} (never repeated, S9/S10); node up on ${v}`);
  }
  const running = await ensureUp(ctx, node, step);
  if (atOrPast(running, target)) return skipped(`node already on the hop target (running ${running})`);
  const slots = await node.client.listFirmwareSlots();
  refuseForeignState(ctx, node, step, target, slots.slots, "the reboot");
  const selected = slots.slots.find((s) => s.afterReboot);
  if (!selected || selected.version !== target)
    throw stepError(
      "step-failed",
      step,
      `${where(ctx, step)}: the firmware selected for the next boot is ${selected?.version ?? "none"}, not ${target}; refusing to reboot`,
    );
  let unit: string | undefined;
  if (node.ha) {
    // H2: the secondary is shut down before the primary reboots (else it takes over).
    const view = await readPair(ctx, node, step);
    if (view.secondary.power !== "off")
      throw stepError(
        "step-failed",
        step,
        `${where(ctx, step)}: the secondary (${view.secondary.unit}) is still powered on; refusing to reboot the primary (rule H2)`,
        { rule: "H2" },
      );
    unit = view.primary.unit;
  }
  const issuedAt = ctx.nowIso();
  // Saved before the reboot is issued: a resumed run never reboots twice (S9).
  await ctx.save((c) => {
    const m = rebootMarkOf(c, node.name, target);
    if (m) m.rebootIssuedAt = issuedAt;
    else
      c.reboots.push({
        node: node.name,
        hop,
        fromVersion: running,
        toVersion: target,
        ...(unit ? { unit } : {}),
        issuedAt,
      });
  });
  try {
    await ctx.inputs.systemControl.rebootNode(node.controlName);
  } catch (e) {
    if (e instanceof ManualStepRequired) {
      // Not issued by us: forget it so the next run sees the truth (booting, on target, or still old).
      await ctx.save((c) => {
        const m = rebootMarkOf(c, node.name, target);
        if (!mark) c.reboots = c.reboots.filter((r) => !(r.node === node.name && r.hop === hop));
        else if (m) delete m.rebootIssuedAt;
      });
      throw stepError(
        "manual-step-required",
        step,
        `${where(ctx, step)}: reboot this node by hand (never the cluster, H1), then run again:\n${e.instructions.join("\n")}`,
        { rule: "S9", cause: e },
      );
    }
    throw stepError(
      "step-failed",
      step,
      `${where(ctx, step)}: the reboot command failed; it is recorded as issued and will not be repeated — check the node, then run again: ${e instanceof Error ? e.message : String(e)}`,
      { rule: "S9", cause: e },
    );
  }
  const how = channelPhrase(ctx, "rebootNode", "through system control");
  const v = await waitForReboot(ctx, node, step, running, target);
  return done(
    `rebooted ${how} (this node only, S9${mark ? "; the upgrade call had only selected the slot" : ""}) from ${running}; web interface back on ${v}`,
  );
}

async function waitForReboot(
  ctx: RunContext,
  node: NodeHandle,
  step: PlanStep,
  from: string,
  target: string,
  earlier?: { issued: string },
): Promise<string> {
  const crosses = crossesStorageReorganisation(from, target);
  const issued = ctx.clock.now();
  // A reboot issued earlier (recorded): whatever version answers now is the outcome.
  let seenDown = earlier !== undefined;
  let announcedBoot = false;
  const watch = livenessWatch(ctx, node, step);
  return waitForWebInterface(
    ctx,
    step,
    {
      what: `web interface of ${node.name} back after the reboot into ${target}${earlier ? ` issued ${earlier.issued}` : ""}${crosses ? " (first boot reorganises storage, P14)" : ""}`,
      deadlineMs: rebootDeadlineMs(ctx.deadlines, crosses),
      hint: "console access needed: do not reboot or power it off during its first boot (S10); check it on the console, then run again",
    },
    async () => {
      const l = await watch.read();
      if (l.phase !== "up") {
        seenDown = true;
        // [doc] 6.0 upgrade guide: from 5.0.x the web interface shows no boot status until 6.0 is up, so
        // "down" is all a first boot from 5.0.x ever looks like.
        const silentBoot = /^5\.0\./.test(from);
        if ((l.phase === "booting" || silentBoot) && !announcedBoot) {
          announcedBoot = true;
          ctx.progress(
            step,
            "waiting",
            `first boot of ${node.name} (S10: no traffic, never interrupted${crosses ? "; P14 storage reorganisation" : ""}${silentBoot ? "; from 5.0.x the web interface shows nothing until it is up" : ""})`,
          );
        }
        return undefined;
      }
      // Back on a version that is neither the one it rebooted from nor the target: not this reboot's (./boot-watch.ts).
      noteRunning(ctx, node, step, l.version);
      // Up: accept once the node went down, runs something else, or had time to boot (rollback case).
      if (seenDown || l.version !== from || ctx.clock.now() - issued >= ctx.deadlines.firstBootMs)
        return l.version;
      return undefined;
    },
  );
}

/**
 * S11: a license for the new LTS major after the reboot into it. REST decides where it shows the
 * license's major; where it cannot ([unknown]: docs/appliance-facts.md §6), the SHA-256 recorded at an
 * install through system control or the operator's `licenseConfirmed` does (core/license-decision.ts),
 * so a manual gate is passed once, never on every run. No REST call uploads a license [doc: REST guide
 * "Manage the SPS license"]: without a system-control route the step stops at a manual gate with the web-interface steps.
 */
export async function uploadLicense(ctx: RunContext, node: NodeHandle, step: PlanStep): Promise<StepOutcome> {
  const running = await ensureUp(ctx, node, step);
  const major = majorOf(running);
  const raw = (await node.client.getLicense()).raw;
  const before = licenseFacts(raw);
  const key = `${node.name}#${major}`;
  const recorded = ctx.checkpoint.licenseRecords?.[key];
  if (licenseValidFor(before, major))
    return skipped(
      `license already valid for ${major} LTS${licenseFoundNote(ctx, node.name, licenseIdentity(raw), recorded !== undefined)}`,
    );
  const file = ctx.inputs.licenses?.[String(major)];
  if (!file)
    throw stepError(
      "input-missing",
      step,
      `${where(ctx, step)}: the node runs ${running} and needs a license for ${major} LTS; add licenses["${major}"] (rules S2, S11)`,
      { rule: "S11" },
    );
  const sha256 = createHash("sha256").update(file.content).digest("hex");
  const confirmation = licenseConfirmation(sha256);
  const decision = decideLicense({
    declaredMajor: major,
    declaredSha256: sha256,
    rest:
      before.major === null
        ? { major: null }
        : { major: before.major, differs: `state ${before.state ?? "?"}` },
    recorded,
    confirmed: (ctx.inputs.licenseConfirmed ?? []).includes(confirmation) ? confirmation : undefined,
  });
  if (decision.kind === "installed") {
    const record = decision.recordNow;
    if (record)
      await ctx.save((c) => {
        c.licenseRecords = { ...c.licenseRecords, [key]: record };
      });
    return skipped(`${decision.why} (rule S11)`);
  }
  // Another run's license change stops the node before this upload (./plugin-license-check.ts).
  if (ctx.inputs.systemControl.channelOf?.("uploadLicense") !== "manual")
    await checkLicenseWrite(ctx, node, step, licenseIdentity(raw), String(major));
  try {
    await ctx.inputs.systemControl.uploadLicense(node.controlName, file);
  } catch (e) {
    if (e instanceof ManualStepRequired) {
      // The operator writes it by hand: what the node shows next is theirs, not another run's.
      await forgetFoundLicense(ctx, node.name);
      const steps = [...e.instructions];
      steps.splice(
        Math.max(0, steps.length - 1),
        0,
        ...licenseGateLines({
          name: file.name ?? file.fileName,
          sha256,
          confirmable: decision.confirmable,
        }),
      );
      throw stepError(
        "manual-step-required",
        step,
        `${where(ctx, step)}: upload the ${major} LTS license by hand, then run again:\n${steps.map((l, i) => `  ${i + 1}. ${l}`).join("\n")}`,
        { rule: "S11", cause: e },
      );
    }
    throw e;
  }
  await ctx.save((c) => {
    c.licenseRecords = { ...c.licenseRecords, [key]: { sha256, by: "system-control" } };
  });
  const after = licenseFacts((await node.client.getLicense()).raw);
  if (after.major === null)
    // Not verifiable through REST: never a silent pass or fail — say so, where to check, and what is recorded.
    return done(
      `license for ${major} LTS uploaded (file ${file.fileName}, recorded ${confirmation}); ${(after.warnings ?? []).join("; ")}`,
    );
  if (!licenseValidFor(after, major))
    throw stepError(
      "step-failed",
      step,
      `${where(ctx, step)}: the license was uploaded but the node reports ${after.major ?? "?"} LTS, state ${after.state ?? "?"} (rule S11)`,
      { rule: "S11" },
    );
  return done(`license for ${major} LTS installed (file ${file.fileName})`);
}

/** S13: running version equals the hop target; lower after a recorded reboot means SPS rolled back. */
export async function verifyVersion(ctx: RunContext, node: NodeHandle, step: PlanStep): Promise<StepOutcome> {
  const target = hopTarget(ctx, step);
  const hop = hopOf(step);
  const mark = rebootMarkOf(ctx.checkpoint, node.name, target);
  const running = await ensureUp(ctx, node, step, {
    crossesStorageReorganisation: crossesP14(ctx, step, mark?.fromVersion),
  });
  if (atOrPast(running, target))
    return done(`running ${running}${running === target ? "" : ` (past the hop target ${target})`}`);
  if (mark) {
    await ctx.save((c) => {
      c.rolledBack[node.name] = { hop, running, expected: target };
    });
    // S13: keep the support bundle — one made now, after the rollback, where the node offers the API.
    let bundle: string;
    try {
      const made = await ensureSupportBundle(ctx, node, step, "after-rollback");
      bundle = made.record
        ? `${describeEvidence(made.record)} made after the rollback`
        : (made.hook ?? made.note ?? "no support bundle made");
    } catch (e) {
      bundle = `the support bundle after the rollback failed (${e instanceof Error ? e.message : String(e)}): ${WEB_INTERFACE_BUNDLE}`;
    }
    throw stepError(
      "rollback-detected",
      step,
      `${where(ctx, step)}: SPS rolled back — the node runs ${running} after the reboot into ${target} (issued ${mark.issuedAt}) (rule S13). The run stops; keep the support bundle (${bundle}), investigate on the appliance. It will not be rebooted again for this hop. ${rollbackRetryAdvice(node.name, target)}`,
      { rule: "S13" },
    );
  }
  throw stepError(
    "step-failed",
    step,
    `${where(ctx, step)}: the node runs ${running}, not ${target}, and no reboot was recorded for hop ${hop}`,
    { rule: "S13" },
  );
}

/**
 * What to do before the next `up` after a rollback (S13): the run does not reboot a rolled-back node
 * again for the hop, so it goes on once the node runs the hop target.
 */
export function rollbackRetryAdvice(node: string, target: string): string {
  return `To retry: find the cause in the support bundle and fix it on the appliance, then upgrade ${node} to ${target} yourself (web interface, Basic Settings > System > Firmwares) and run \`pulumi up\` again — it checks that ${node} runs ${target} and goes on from there.`;
}
