/**
 * fetch-firmware (S3, S5): the appliance downloads the hop's ISO by URL itself (SPS 7.0 LTS and later),
 * so the image never passes through the machine that runs the tool; then the same test-firmware (P12)
 * and activation follow as after an upload.
 *
 * - [doc] 7.0 LTS / 8.0 LTS REST guides, "Install firmware files by providing a URL":
 *   `POST /api/firmware/fetch` `{url, checksum: {sha256}}` → 202; `GET /api/firmware/fetch[/<key>]` the
 *   status (queued, in-progress, finished, failed, cancelled). The node verifies the checksum (S3).
 * - [unknown] the status body's fields (where the image lands, the failure text, whether the URL and the
 *   checksum are echoed), and whether the node accepts a second fetch of the same URL. So:
 * - Check, then act: an image of the hop target already in a slot is never fetched again.
 * - Idempotent and resumable: the download is recorded in the checkpoint *before* the call, its key
 *   after; a resumed run follows that key, or finds its download in the node's list, and never starts a
 *   second one while one runs or has finished.
 * - Whether the node can fetch is read from its REST tree (`readCapabilities`: `GET /api/firmware` lists
 *   `fetch`), never guessed from its version.
 * - A failure (checksum mismatch, HTTP error at the source, deadline) fails the step with the node's text;
 *   nothing is activated or rebooted. The URL may carry secrets (userinfo, a signed query): only its host
 *   appears in details, progress, the checkpoint and errors: one boundary (`fetchFirmware`) passes every
 *   detail, progress line and error leaving the step through `redactUrl`, node texts included.
 * - A recorded download is followed only while it is of the declared image (the mark keeps the host and
 *   the sha256, the node's status its checksum): a changed declaration, or a download that ended in an
 *   image the step cannot use (checksum not ours, no slot holds the target), is forgotten — the mark
 *   cleared and the node's record removed (`DELETE /api/firmware/fetch/<key>`, [doc] docs/appliance-facts.md
 *   §4) — so the rerun after the user fixes the url or sha256 fetches the fixed source (S3).
 */
import { messageOf } from "../../core/errors";
import { ApplianceApiError } from "../clients/sps/api-error";
import { ExecutionError } from "./types";
import type { FirmwareFetchStatus } from "../clients/sps/appliance-client";
import { listFirmwareFetches, type KnownFetch } from "../clients/sps/firmware-fetches";
import { readCapabilities } from "../clients/sps/rest-capabilities";
import { firmwareFetchDeadlineMs } from "../../core/deadlines";
import { isFetched, redactUrl, urlHost } from "../../core/firmware-source";
import type { PlanStep } from "../../core/plan";
import { ensureEmptySlot, targetImage, uploadFirmware } from "./appliance-steps";
import { foreignDownload, refuseForeignState } from "./foreign-state";
import { fetchMarkOf } from "./checkpoint";
import { slotWithVersion } from "./node-state";
import type { RunContext } from "./run-context";
import {
  done,
  hopOf,
  hopTarget,
  skipped,
  stepError,
  where,
  type NodeHandle,
  type StepOutcome,
} from "./step-kit";

const RUNNING = new Set(["queued", "in-progress"]);
const SETTLED = new Set(["finished", "failed", "cancelled"]);

/**
 * `upload-firmware` and `fetch-firmware` follow the declared image source, not the planned action: a
 * resumed run keeps its recorded plan (finished steps, a finished reboot, are never repeated, S9), so a
 * user who switches a failed or timed-out upload to a `url` (or a fetch to a `path`) gets the declared
 * source for the step not yet done instead of "plan again". Both end in the same state (the hop's image in
 * a slot, S3), both check first whether a slot holds it. No image: the planned handler names what to add.
 */
export async function firmwareImageStep(
  ctx: RunContext,
  node: NodeHandle,
  step: PlanStep,
): Promise<StepOutcome> {
  const image = ctx.inputs.firmware[hopTarget(ctx, step)];
  const fetch = image === undefined ? step.action === "fetch-firmware" : isFetched(image);
  const planned = step.action === "fetch-firmware";
  const out = fetch ? await fetchFirmware(ctx, node, step) : await uploadFirmware(ctx, node, step);
  if (fetch === planned) return out;
  return {
    ...out,
    detail: `${out.detail} (planned as ${step.action}; firmware["${hopTarget(ctx, step)}"] now gives a ${fetch ? "url" : "path"}, so the declared source was used)`,
  };
}

/** The redaction boundary of the module comment. */
export async function fetchFirmware(ctx: RunContext, node: NodeHandle, step: PlanStep): Promise<StepOutcome> {
  const image = ctx.inputs.firmware[hopTarget(ctx, step)];
  const redact = (text: string): string => (isFetched(image) ? redactUrl(text, image.url) : text);
  try {
    const out = await fetchOnce(ctx, node, step, redact);
    return { ...out, detail: redact(out.detail) };
  } catch (e) {
    throw redactedError(e, redact);
  }
}

/**
 * The error with its message redacted. An ExecutionError is rebuilt without its cause (a library error
 * under it may quote the URL); another error keeps its type (callers may classify it), its message and
 * stack redacted in place.
 */
function redactedError(e: unknown, redact: (t: string) => string): unknown {
  if (e instanceof ExecutionError)
    return new ExecutionError(e.kind, redact(e.message), { step: e.step, rule: e.rule, partial: e.partial });
  if (e instanceof Error) {
    e.message = redact(e.message);
    if (e.stack !== undefined) e.stack = redact(e.stack);
    if ("cause" in e) delete e.cause;
    return e;
  }
  return new Error(redact(String(e)));
}

async function fetchOnce(
  ctx: RunContext,
  node: NodeHandle,
  step: PlanStep,
  redact: (text: string) => string,
): Promise<StepOutcome> {
  const found = await targetImage(ctx, node, step);
  if ("skip" in found) return found.skip;
  const { target, running, slots, have } = found;
  let mark = fetchMarkOf(ctx.checkpoint, node.name, target);
  // Another run's upload or selected slot stops the node here (./foreign-state.ts).
  refuseForeignState(ctx, node, step, target, slots.slots, "the download");
  if (have)
    return skipped(
      `firmware ${target} already in slot ${have.id}${mark ? ` (fetched from ${mark.host})` : ""}; not fetched again`,
    );
  const image = ctx.inputs.firmware[target];
  if (!image)
    throw stepError(
      "input-missing",
      step,
      `${where(ctx, step)}: no firmware image for ${target}; add firmware["${target}"] with its url (or path) and sha256 (rule V7)`,
      { rule: "V7" },
    );
  if (!isFetched(image))
    throw stepError(
      "input-missing",
      step,
      `${where(ctx, step)}: the plan fetches firmware ${target} by URL, but firmware["${target}"] has a path; plan again (a path is uploaded with upload-firmware) (rule S3)`,
      { rule: "S3" },
    );
  const host = urlHost(image.url);
  const sha = image.sha256.toLowerCase();
  // The node that runs the call decides: its REST tree must list /api/firmware/fetch [doc 7.0 LTS].
  const caps = await readCapabilities(node.client);
  if (!caps.firmwareFetch)
    throw stepError(
      "input-missing",
      step,
      `${where(ctx, step)}: ${node.name} runs ${running} and its REST tree lists no /api/firmware/fetch (firmware by URL needs SPS 7.0 LTS or later [doc]); give firmware["${target}"].path so the tool uploads the ISO (rule S3)`,
      { rule: "S3" },
    );

  // A mark of another declaration (the user fixed the url's host or the sha256 since) is not followed.
  if (mark && (mark.host !== host || (mark.sha256 !== undefined && mark.sha256 !== sha))) {
    await forgetFetch(ctx, node, target, mark.key);
    mark = undefined;
  }
  let key = mark?.key;
  let how = "started";
  if (key !== undefined) {
    const st = await statusOrGone(node, key);
    const ours = st !== undefined && (st.sha256 === undefined || st.sha256 === sha);
    if (!st || !ours || !(RUNNING.has(st.status) || st.status === "finished")) {
      if (st && !ours) await forgetFetch(ctx, node, target, key);
      key = undefined;
    } else how = `resumed (download ${key}, recorded ${mark!.startedAt})`;
  }
  if (key === undefined) {
    // A call whose answer was not seen: found in the node's list. Without a mark of ours, a download
    // of this image on the node is another run's (or one started by hand): not followed, named.
    const known = pickOwn(await listFirmwareFetches(node.client), image);
    if (known && !mark) throw foreignDownload(ctx, node, step, target, known.key, known.status);
    if (known) {
      key = known.key;
      how = `resumed (download ${key} found on the node, ${known.status})`;
      await saveKey(ctx, node, step, target, host, sha, key);
    }
  }
  let freed = "";
  if (key === undefined) {
    freed = await ensureEmptySlot(ctx, node, step, slots);
    // Saved before the call: a resumed run looks for this download instead of starting a second one.
    await saveKey(ctx, node, step, target, host, sha, undefined);
    try {
      key = await node.client.startFirmwareFetch(image.url, image.sha256);
    } catch (e) {
      throw stepError(
        "step-failed",
        step,
        `${where(ctx, step)}: the node refused to fetch firmware ${target} from ${host}: ${redact(messageOf(e))} (rule S3)`,
        { rule: "S3" },
      );
    }
    await saveKey(ctx, node, step, target, host, sha, key);
  }
  const fetchKey = key;
  const st = await ctx.waitFor(
    {
      what: `firmware ${target} downloaded and verified by ${node.name} from ${host}`,
      deadlineMs: firmwareFetchDeadlineMs(ctx.deadlines),
      rule: "S3",
      step,
      hint: `the download is recorded (key ${fetchKey}); a rerun follows it — check the source and the node's Basic Settings > System > Firmwares`,
      onWait: (m) => ctx.progress(step, "waiting", redact(m)),
    },
    async () => {
      const s = await node.client.firmwareFetchStatus(fetchKey);
      return SETTLED.has(s.status) ? s : undefined;
    },
  );
  if (st.status !== "finished") {
    // Forgotten, so a rerun after the source or the checksum is fixed starts a fresh download.
    await forgetFetch(ctx, node, target);
    throw stepError(
      "step-failed",
      step,
      `${where(ctx, step)}: the node's download of firmware ${target} from ${host} ${st.status}${st.error ? `: ${redact(st.error)}` : ""}; nothing was activated or rebooted — check the url and firmware["${target}"].sha256, then run again (rule S3)`,
      { rule: "S3" },
    );
  }
  // S3: the checksum the node verified, when it says, must be ours; the slot must hold the hop target.
  if (st.sha256 !== undefined && st.sha256 !== sha) {
    await forgetFetch(ctx, node, target, fetchKey);
    throw stepError(
      "step-failed",
      step,
      `${where(ctx, step)}: the node verified firmware ${target} against sha256 ${st.sha256}, not the declared ${sha}; not used, and the download forgotten — a rerun fetches again (rule S3)`,
      { rule: "S3" },
    );
  }
  const slot = slotWithVersion((await node.client.listFirmwareSlots()).slots, target);
  if (!slot) {
    await forgetFetch(ctx, node, target, fetchKey);
    throw stepError(
      "step-failed",
      step,
      `${where(ctx, step)}: the download from ${host} finished, but no slot holds ${target}${st.slotId !== undefined ? ` (the node put it into slot ${st.slotId})` : ""}; check that the URL serves the ${target} ISO and fix firmware["${target}"]; the download is forgotten, so the rerun fetches the declared source (rule S3)`,
      { rule: "S3" },
    );
  }
  return done(
    `firmware ${target} fetched by the appliance from ${host} into slot ${slot.id} (sha256 verified by the node, S3; ${how})${freed}`,
  );
}

/** The status of a recorded download, or undefined when the node no longer knows it (404). */
async function statusOrGone(node: NodeHandle, key: string): Promise<FirmwareFetchStatus | undefined> {
  try {
    return await node.client.firmwareFetchStatus(key);
  } catch (e) {
    if (e instanceof ApplianceApiError && e.failure === "http" && e.status === 404) return undefined;
    throw e;
  }
}

/**
 * A running download of this very image (same URL or same checksum), newest first. A finished one is
 * not taken: no slot holds the target any more, so its image is gone.
 */
function pickOwn(list: KnownFetch[], image: { url: string; sha256: string }): KnownFetch | undefined {
  const sha = image.sha256.toLowerCase();
  return list
    .filter((f) => RUNNING.has(f.status))
    .filter((f) => f.url === image.url || f.sha256 === sha)
    .sort((a, b) => Number(b.key) - Number(a.key))[0];
}

/**
 * Clears the node's mark for `target` and, given a key, removes the node's record of that download
 * (`DELETE /api/firmware/fetch/<key>`, [doc] docs/appliance-facts.md §4: cancels it). Best effort: a node
 * that refuses or no longer knows the key changes nothing — the mark is what a rerun follows.
 */
async function forgetFetch(ctx: RunContext, node: NodeHandle, target: string, key?: string): Promise<void> {
  if (key !== undefined) await node.client.deleteFirmwareFetch(key).catch(() => undefined);
  await ctx.save((c) => {
    c.fetches = (c.fetches ?? []).filter((f) => !(f.node === node.name && f.toVersion === target));
  });
}

async function saveKey(
  ctx: RunContext,
  node: NodeHandle,
  step: PlanStep,
  target: string,
  host: string,
  sha256: string,
  key: string | undefined,
): Promise<void> {
  const startedAt = ctx.nowIso();
  await ctx.save((c) => {
    const list = (c.fetches ??= []);
    const m = list.find((f) => f.node === node.name && f.toVersion === target);
    if (m) {
      if (key !== undefined) m.key = key;
      else delete m.key;
      m.host = host;
      m.sha256 = sha256;
    } else
      list.push({
        node: node.name,
        hop: hopOf(step),
        toVersion: target,
        host,
        sha256,
        startedAt,
        ...(key !== undefined ? { key } : {}),
      });
  });
}
