/**
 * The license resource: the license file installed on each node of a cluster (S2, S11). The text
 * comes from sps:credentials.licenses and is never an input or output; outputs keep only what the
 * appliance reports (serial, major, end date, state) and the text's SHA-256 (a secret output).
 */
import { createHash } from "node:crypto";
import type { CheckResult, DiffResult, ReadResult } from "@pulumi/pulumi/dynamic";
import { LICENSE_CHECK_BY_HAND, readLicense } from "../../provider/appliance/license-reading";
import { fieldProblems } from "../../provider/domain/validation";
import { licenseDrift, type LicenseFacts } from "../drift";
import { licenseInputSchema, type LicenseInputs } from "../inputs";
import {
  liveStateChanged,
  credentials,
  errorText,
  partialFailure,
  restClient,
  say,
  systemControlFor,
} from "./context";
import { flatInputs, recordedInputs } from "../wiring";

type Props = Record<string, unknown>;
export const LICENSE_STATE_VERSION = 1;

const DECLARED = ["cluster", "nodes", "license", "major", "warnDays", "systemControl"] as const;

function inputsOf(props: Props): LicenseInputs {
  const { cluster, nodes, license, major, warnDays, systemControl } = flatInputs(props);
  return licenseInputSchema.parse({ cluster, nodes, license, major, warnDays, systemControl });
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

async function readLicenses(f: LicenseInputs): Promise<Record<string, LiveLicense>> {
  const out: Record<string, LiveLicense> = {};
  await Promise.all(
    f.nodes.map(async (n) => {
      const client = restClient(n, 15_000);
      try {
        await client.login();
        // Read leniently under the names public sources give (provider/appliance/license-reading.ts).
        const r = readLicense((await client.getLicense()).raw, new Date());
        out[n.name] = {
          serial: r.serial,
          major: r.major ?? undefined,
          validNotAfter: r.validNotAfter,
          state: r.validity === "unknown" ? undefined : r.validity,
          ...(r.warnings.length > 0 ? { warnings: r.warnings } : {}),
        };
      } catch (e) {
        out[n.name] = { error: errorText(e) };
      } finally {
        client.close();
      }
    }),
  );
  return out;
}

function needsInstall(f: LicenseInputs, text: string, live: LiveLicense): string | undefined {
  if (live.error) return undefined;
  const declared = declaredFacts(text);
  if (live.major === undefined)
    return `the installed license's LTS major is not verifiable through REST (${LICENSE_CHECK_BY_HAND}); declared ${f.major}`;
  if (live.major !== f.major) return `runs a license for major ${live.major}, declared ${f.major}`;
  if (declared.serial !== undefined && live.serial !== declared.serial)
    return `license serial differs from the declared file`;
  if (declared.validNotAfter !== undefined && live.validNotAfter !== declared.validNotAfter)
    return `license ends ${live.validNotAfter ?? "?"}, the declared file ends ${declared.validNotAfter}`;
  return undefined;
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

export async function check(_olds: Props, news: Props): Promise<CheckResult> {
  const parsed = licenseInputSchema.safeParse(inputsOfLoose(news));
  if (!parsed.success) return { inputs: news, failures: fieldProblems(parsed.error) };
  let text: string;
  try {
    text = licenseText(parsed.data);
  } catch (e) {
    return { inputs: news, failures: [{ property: "license", reason: errorText(e) }] };
  }
  const live = await readLicenses(parsed.data);
  const planned = parsed.data.nodes.flatMap((n) => {
    const why = needsInstall(parsed.data, text, live[n.name] ?? {});
    return why
      ? [`upload-license ${parsed.data.license} to ${n.name}: ${why} — ${uploadRoute(parsed.data)}`]
      : [];
  });
  return { inputs: { ...news, plannedActions: planned } };
}

/** The declared inputs, flat (wiring merged back, see ../wiring.ts), undefined ones dropped. */
function inputsOfLoose(props: Props): Props {
  const { cluster, nodes, license, major, warnDays, systemControl } = flatInputs(props);
  return Object.fromEntries(
    Object.entries({ cluster, nodes, license, major, warnDays, systemControl }).filter(
      ([, v]) => v !== undefined,
    ),
  );
}

export async function diff(_id: string, olds: Props, news: Props): Promise<DiffResult> {
  const planned = Array.isArray(news["plannedActions"]) ? news["plannedActions"].length : 0;
  const key = (p: Props): string => JSON.stringify(inputsOfLoose(p));
  return {
    changes: planned > 0 || key(olds) !== key(news) || liveStateChanged(olds, news, ["drift", "installed"]),
  };
}

async function apply(id: string, news: Props): Promise<{ id: string; outs: Props }> {
  const f = inputsOf(news);
  const name = `license/${f.cluster}`;
  const text = licenseText(f);
  const before = await readLicenses(f);
  const sc = systemControlFor(
    f.nodes.map((n) => ({ ...n, roles: [], ha: false })),
    f.systemControl,
  );
  const installed: string[] = [];
  try {
    for (const n of f.nodes) {
      const why = needsInstall(f, text, before[n.name] ?? {});
      if (before[n.name]?.error)
        throw new Error(`cannot read the license of ${n.name}: ${before[n.name]?.error}`);
      if (!why) {
        say(name, `${n.name}: license already installed`);
        continue;
      }
      say(name, `${n.name}: upload-license ${f.license} (${why})`);
      await sc.uploadLicense(n.name, { fileName: `${f.license}.lic`, content: Buffer.from(text, "utf8") });
      installed.push(n.name);
    }
  } catch (e) {
    const after = await readLicenses(f);
    const message = `${name}: ${errorText(e)}`;
    throw partialFailure(message, id, outputs(news, after, text), news["__provider"]);
  }
  const after = await readLicenses(f);
  say(name, installed.length > 0 ? `installed on ${installed.join(", ")}` : "nothing to do");
  return { id, outs: outputs(news, after, text) };
}

function outputs(news: Props, live: Record<string, LiveLicense>, text: string): Props {
  return {
    ...recordedInputs(news, DECLARED),
    plannedActions: [],
    stateVersion: LICENSE_STATE_VERSION,
    licenseSha256: createHash("sha256").update(text).digest("hex"),
    installed: live,
    applied: live,
    drift: [],
  };
}

export async function create(inputs: Props): Promise<{ id: string; outs: Props }> {
  return apply(`sps-license:${String(inputs["cluster"])}`, inputs);
}

export async function update(id: string, _olds: Props, news: Props): Promise<{ outs: Props }> {
  return { outs: (await apply(id, news)).outs };
}

export async function read(id: string, props: Props): Promise<ReadResult> {
  const f = inputsOf(props);
  const live = await readLicenses(f);
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
