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
 *   appears in details, progress, the checkpoint and errors (`redactUrl`).
 */
import { ApplianceApiError } from "../appliance/api-error";
import type { FirmwareFetchStatus } from "../appliance/appliance-client";
import { listFirmwareFetches, type KnownFetch } from "../appliance/firmware-fetches";
import { readCapabilities } from "../appliance/rest-capabilities";
import { firmwareFetchDeadlineMs } from "../domain/deadlines";
import { isFetched, redactUrl, urlHost } from "../domain/firmware-source";
import type { PlanStep } from "../domain/plan";
import { ensureEmptySlot } from "./appliance-steps";
import { fetchMarkOf } from "./checkpoint";
import { slotWithVersion } from "./node-state";
import type { RunContext } from "./run-context";
import {
  done,
  ensureUp,
  hopOf,
  hopTarget,
  onTarget,
  skipped,
  stepError,
  where,
  type NodeHandle,
  type StepOutcome,
} from "./step-kit";

const RUNNING = new Set(["queued", "in-progress"]);
const SETTLED = new Set(["finished", "failed", "cancelled"]);

export async function fetchFirmware(ctx: RunContext, node: NodeHandle, step: PlanStep): Promise<StepOutcome> {
  const target = hopTarget(ctx, step);
  const running = await ensureUp(ctx, node, step);
  if (onTarget(running, target)) return skipped(`node already on the hop target (running ${running})`);
  const slots = await node.client.listFirmwareSlots();
  const have = slotWithVersion(slots.slots, target);
  const mark = fetchMarkOf(ctx.checkpoint, node.name, target);
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
  const redact = (text: string): string => redactUrl(text, image.url);
  // The node that runs the call decides: its REST tree must list /api/firmware/fetch [doc 7.0 LTS].
  const caps = await readCapabilities(node.client);
  if (!caps.firmwareFetch)
    throw stepError(
      "input-missing",
      step,
      `${where(ctx, step)}: ${node.name} runs ${running} and its REST tree lists no /api/firmware/fetch (firmware by URL needs SPS 7.0 LTS or later [doc]); give firmware["${target}"].path so the tool uploads the ISO (rule S3)`,
      { rule: "S3" },
    );

  let key = mark?.key;
  let how = "started";
  if (key !== undefined) {
    const st = await statusOrGone(node, key);
    if (!st || !(RUNNING.has(st.status) || st.status === "finished")) key = undefined;
    else how = `resumed (download ${key}, recorded ${mark!.startedAt})`;
  }
  if (key === undefined) {
    // A call whose answer was not seen (or an earlier run's download): found in the node's list.
    const known = pickOwn(await listFirmwareFetches(node.client), image);
    if (known) {
      key = known.key;
      how = `resumed (download ${key} found on the node, ${known.status})`;
      await saveKey(ctx, node, step, target, host, key);
    }
  }
  let freed = "";
  if (key === undefined) {
    freed = await ensureEmptySlot(ctx, node, step, slots);
    // Saved before the call: a resumed run looks for this download instead of starting a second one.
    await saveKey(ctx, node, step, target, host, undefined);
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
    await saveKey(ctx, node, step, target, host, key);
  }
  const fetchKey = key;
  const st = await ctx.waitFor(
    {
      what: `firmware ${target} downloaded and verified by ${node.name} from ${host}`,
      deadlineMs: firmwareFetchDeadlineMs(ctx.deadlines),
      kind: "deadline",
      rule: "S3",
      step,
      hint: `the download is recorded (key ${fetchKey}); a rerun follows it — check the source and the node's Basic Settings > System > Firmwares`,
      onWait: (m) => ctx.progress(step, "waiting", m),
    },
    async () => {
      const s = await node.client.firmwareFetchStatus(fetchKey);
      return SETTLED.has(s.status) ? s : undefined;
    },
  );
  if (st.status !== "finished") {
    // Forgotten, so a rerun after the source or the checksum is fixed starts a fresh download.
    await ctx.save((c) => {
      c.fetches = (c.fetches ?? []).filter((f) => !(f.node === node.name && f.toVersion === target));
    });
    throw stepError(
      "step-failed",
      step,
      `${where(ctx, step)}: the node's download of firmware ${target} from ${host} ${st.status}${st.error ? `: ${redact(st.error)}` : ""}; nothing was activated or rebooted — check the url and firmware["${target}"].sha256, then run again (rule S3)`,
      { rule: "S3" },
    );
  }
  // S3: the checksum the node verified, when it says, must be ours; the slot must hold the hop target.
  if (st.sha256 !== undefined && st.sha256 !== image.sha256.toLowerCase())
    throw stepError(
      "step-failed",
      step,
      `${where(ctx, step)}: the node verified firmware ${target} against sha256 ${st.sha256}, not the declared ${image.sha256.toLowerCase()}; not used (rule S3)`,
      { rule: "S3" },
    );
  const slot = slotWithVersion((await node.client.listFirmwareSlots()).slots, target);
  if (!slot)
    throw stepError(
      "step-failed",
      step,
      `${where(ctx, step)}: the download from ${host} finished, but no slot holds ${target}${st.slotId !== undefined ? ` (the node put it into slot ${st.slotId})` : ""}; check that the URL serves the ${target} ISO (rule S3)`,
      { rule: "S3" },
    );
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

async function saveKey(
  ctx: RunContext,
  node: NodeHandle,
  step: PlanStep,
  target: string,
  host: string,
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
    } else
      list.push({
        node: node.name,
        hop: hopOf(step),
        toVersion: target,
        host,
        startedAt,
        ...(key !== undefined ? { key } : {}),
      });
  });
}

function messageOf(e: unknown): string {
  return e instanceof Error ? e.message : String(e);
}
