/**
 * The license resource: the license file installed on each node of a cluster (S2, S11). The text
 * comes from sps:credentials.licenses and is never an input or output; outputs keep only what the
 * appliance reports (serial, major, end date, state) and the text's SHA-256 (a secret output).
 */
import { createHash } from "node:crypto";
import type { ReadResult } from "@pulumi/pulumi/dynamic";
import { z } from "zod";
import { readLicense } from "../clients/sps/license-reading";
import { ManualStepRequired } from "../clients/system-control/errors";
import {
  decideLicense,
  licenseGateLines,
  type LicenseDecision,
  type LicenseRecord,
} from "../../core/license-decision";
import { licenseDrift, type LicenseFacts } from "../../sdk/drift";
import { licenseInputSchema, type LicenseInputs } from "../../sdk/inputs";
import { credentials, errorText, partialFailure, say, systemControlFor } from "./context";
import type { SpsRestClient } from "../clients/sps/sps-rest-client";
import { recordedOutputs } from "../../sdk/wiring";
import { controlNode, systemControlFailures } from "./system-control-check";
import { plannedKind, refusal } from "./planned-kind";
import { byName, readNode, restNodeKey, type RestNode } from "./live-reads";

type Props = Record<string, unknown>;
export const LICENSE_STATE_VERSION = 1;

const DECLARED = Object.keys(licenseInputSchema.shape);

/**
 * Per node the SHA-256 of the license file installed through system control or confirmed by the
 * operator (S11, core/license-decision.ts). Only the hash: never the text. Earlier states
 * have none.
 */
type Records = Record<string, LicenseRecord>;
const recordsSchema = z.record(
  z.string(),
  z.object({ sha256: z.string().regex(/^[0-9a-f]{64}$/), by: z.enum(["system-control", "operator"]) }),
);

function recordsOf(props: Props | undefined): Records {
  const parsed = recordsSchema.safeParse(props?.["licenseRecords"]);
  return parsed.success ? parsed.data : {};
}

function sha256Of(text: string): string {
  return createHash("sha256").update(text).digest("hex");
}

/** What the license text says, when it is the JSON form (the emulator's); real files are opaque. */
function declaredFacts(text: string): LicenseFacts {
  try {
    const raw = JSON.parse(text) as Record<string, unknown>;
    return {
      serial: typeof raw["serial"] === "string" ? raw["serial"] : undefined,
      major: typeof raw["major"] === "number" ? raw["major"] : undefined,
      validNotAfter: typeof raw["validNotAfter"] === "string" ? raw["validNotAfter"] : undefined,
    };
  } catch {
    return {};
  }
}

type LiveLicense = LicenseFacts & { error?: string; warnings?: string[] };

async function readLiveLicense(client: SpsRestClient): Promise<LiveLicense> {
  try {
    await client.login();
    // Read leniently under the names public sources give (provider/clients/sps/license-reading.ts).
    const r = readLicense((await client.getLicense()).raw, new Date());
    // Only the facts the answer gave: an `undefined` value would break the dynamic provider's protobuf
    // Struct in `read` ("Unexpected struct type") on a node whose answer lacks `product_version`.
    return {
      ...(r.serial !== undefined ? { serial: r.serial } : {}),
      ...(r.major !== null ? { major: r.major } : {}),
      ...(r.validNotAfter !== undefined ? { validNotAfter: r.validNotAfter } : {}),
      ...(r.validity !== "unknown" ? { state: r.validity } : {}),
      ...(r.warnings.length > 0 ? { warnings: r.warnings } : {}),
    };
  } catch (e) {
    return { error: errorText(e) };
  }
}

/**
 * Starts the shared license reads of these nodes without waiting for them: the firmware resource's
 * preview check does, beside its own read, when its cluster declares licenses, so the License
 * resource's check (the engine's next one for that cluster) finds the answer there. Still one read
 * per node; a failed read is not kept (the License check reads again).
 */
export function prefetchLicenses(nodes: readonly RestNode[]): void {
  for (const n of nodes) void readNode(n, "license", readLiveLicense).catch(() => undefined);
}

/** The license of each node: shared with the other resources (./live-reads.ts), or `fresh` for a run or a refresh. */
async function readLicenses(
  f: LicenseInputs,
  options: { fresh?: boolean } = {},
): Promise<Record<string, LiveLicense>> {
  return byName(f.nodes, (n) => readNode(n, "license", readLiveLicense, options));
}

/** Where REST shows the major: why the installed license is not the declared file (undefined: it is). */
function restDifference(text: string, live: LiveLicense): string | undefined {
  const declared = declaredFacts(text);
  if (declared.serial !== undefined && live.serial !== declared.serial)
    return `license serial differs from the declared file`;
  if (declared.validNotAfter !== undefined && live.validNotAfter !== declared.validNotAfter)
    return `license ends ${live.validNotAfter ?? "?"}, the declared file ends ${declared.validNotAfter}`;
  return undefined;
}

/** Rules S2, S11: the decision for one node (undefined: its license could not be read). */
function decisionFor(
  f: LicenseInputs,
  text: string,
  live: LiveLicense,
  recorded: LicenseRecord | undefined,
): LicenseDecision | undefined {
  if (live.error) return undefined;
  const major = live.major ?? null;
  return decideLicense({
    declaredMajor: f.major,
    declaredSha256: sha256Of(text),
    rest: { major, ...(major === null ? {} : { differs: restDifference(text, live) }) },
    ...(recorded ? { recorded } : {}),
    ...(f.licenseConfirmed !== undefined ? { confirmed: f.licenseConfirmed } : {}),
  });
}

/**
 * How the upload will happen. No REST call uploads a license [doc: REST guide "Manage the SPS
 * license"]: it is a system-control operation, a manual step unless the operator routes it.
 */
function uploadRoute(f: LicenseInputs): string {
  const channel = f.systemControl.uploadLicense?.channel ?? "manual";
  return channel === "manual"
    ? "a manual step (no REST call uploads a license): upload the file in Basic Settings > System > License, then run again"
    : `through system control (uploadLicense via ${channel}; no REST call uploads a license)`;
}

function licenseText(f: LicenseInputs): string {
  const text = credentials().licenses[f.license];
  if (text === undefined)
    throw new Error(`license: no "${f.license}" in sps:credentials.licenses; add it with --secret`);
  return text;
}

/** What an `up` would do now, from the live licenses and the recorded hashes. */
async function plannedLines(f: LicenseInputs, text: string, records: Records): Promise<string[]> {
  const live = await readLicenses(f);
  return f.nodes.flatMap((n) => {
    const d = decisionFor(f, text, live[n.name] ?? {}, records[n.name]);
    if (d?.kind === "install")
      return [`upload-license ${f.license} to ${n.name}: ${d.why} — ${uploadRoute(f)}`];
    if (d?.recordNow) return [`record-license ${f.license} on ${n.name}: ${d.why}`];
    return [];
  });
}

const kind = plannedKind<LicenseInputs>({
  schema: licenseInputSchema,
  keys: DECLARED,
  problems: (f) => {
    const missing = refusal("license", () => licenseText(f));
    // A configuration the upload would refuse fails here, named as the program wrote it.
    return missing.length > 0 ? missing : systemControlFailures(f.nodes, f.systemControl);
  },
  // The recorded hashes are outputs, which `check` does not get (only the old inputs): its lines are
  // made without them, and `diff` decides a non-empty plan again with them — an earlier install or
  // confirmation may have recorded the file (S11).
  planned: (f, olds) => plannedLines(f, licenseText(f), recordsOf(olds)),
  recheck: true,
  live: ["drift", "installed"],
  id: (inputs) => `sps-license:${String(inputs["cluster"])}`,
  touched: (f) => f.nodes.map(restNodeKey),
  change: upload,
});

export const { check, diff, create, update } = kind;

async function upload(
  id: string,
  news: Props,
  f: LicenseInputs,
  olds: Props,
): Promise<{ id: string; outs: Props }> {
  const name = `license/${f.cluster}`;
  const text = licenseText(f);
  const records: Records = { ...recordsOf(olds) };
  const before = await readLicenses(f, { fresh: true });
  const sc = systemControlFor(f.nodes.map(controlNode), f.systemControl);
  const installed: string[] = [];
  const outs = async (): Promise<Props> =>
    outputs(news, await readLicenses(f, { fresh: true }), text, records);
  try {
    for (const n of f.nodes) {
      if (before[n.name]?.error)
        throw new Error(`cannot read the license of ${n.name}: ${before[n.name]?.error}`);
      const d = decisionFor(f, text, before[n.name] ?? {}, records[n.name]);
      if (d?.kind !== "install") {
        if (d?.recordNow) records[n.name] = d.recordNow;
        say(name, `${n.name}: license already installed${d ? ` (${d.why})` : ""}`);
        continue;
      }
      say(name, `${n.name}: upload-license ${f.license} (${d.why})`);
      try {
        await sc.uploadLicense(n.name, { fileName: `${f.license}.lic`, content: Buffer.from(text, "utf8") });
      } catch (e) {
        throw e instanceof ManualStepRequired ? licenseGate(e, f.license, sha256Of(text), d.confirmable) : e;
      }
      // Recorded so a node whose REST answer cannot show the major is not uploaded to again (S11).
      records[n.name] = { sha256: sha256Of(text), by: "system-control" };
      installed.push(n.name);
    }
  } catch (e) {
    throw partialFailure(`${name}: ${errorText(e)}`, id, await outs(), news["__provider"]);
  }
  const after = await outs();
  say(name, installed.length > 0 ? `installed on ${installed.join(", ")}` : "nothing to do");
  return { id, outs: after };
}

/**
 * The manual gate (no route, S11): the web-interface steps, the file by its declared name and SHA-256
 * (never its content), the Traffic-control warning and, where REST cannot verify, the confirmation.
 */
export function licenseGate(
  e: ManualStepRequired,
  name: string,
  sha256: string,
  confirmable: boolean,
): ManualStepRequired {
  const steps = [...e.instructions];
  steps.splice(Math.max(0, steps.length - 1), 0, ...licenseGateLines({ name, sha256, confirmable }));
  return new ManualStepRequired({ operation: e.operation, node: e.node, instructions: steps });
}

function outputs(news: Props, live: Record<string, LiveLicense>, text: string, records: Records): Props {
  return {
    // Of the wiring only the nodes (`read`); the digest stands for the system-control routes.
    ...recordedOutputs(news, DECLARED, ["nodes"], kind.key(news)),
    plannedActions: [],
    stateVersion: LICENSE_STATE_VERSION,
    licenseSha256: sha256Of(text),
    licenseRecords: records,
    installed: live,
    applied: live,
    drift: [],
  };
}

export async function read(id: string, props: Props): Promise<ReadResult> {
  const f = kind.parse(props);
  // Read afresh, never shared: an answer from before an out-of-band change would hide it (./live-reads.ts).
  const live = await readLicenses(f, { fresh: true });
  // Compared with what the last run installed (`applied`), not with the last refresh.
  const recorded = (props["applied"] ?? props["installed"] ?? {}) as Record<string, LicenseFacts>;
  const now = new Date();
  const drift = f.nodes.flatMap((n) => {
    const l = live[n.name] ?? {};
    if (l.error) return [`unreachable ${n.name}: ${l.error}`];
    return licenseDrift(n.name, recorded[n.name], l, now, f.warnDays);
  });
  return { id, props: { ...props, stateVersion: LICENSE_STATE_VERSION, installed: live, drift } };
}

export async function remove(_id: string, props: Props): Promise<void> {
  say(`license/${String(props["cluster"])}`, "forgotten: the installed license stays on the appliances");
}
