/**
 * The indexer package resource: the external-indexer RPM on one host, upgraded after its cluster's
 * firmware (rules I1–I5) through `IndexerHost` over SSH. `read` reports the installed version and the
 * service state; a changed version or a stopped service is drift. `check` reads the host and puts the
 * plan into `plannedActions`: each step, then the exact command it runs (`  $ yum upgrade -y …`).
 */
import type { ReadResult } from "@pulumi/pulumi/dynamic";
import { clusterSchema } from "../../core/fleet";
import { planCluster } from "../../core/fleet-plan";
import { defaultCatalog } from "../../core/default-catalog";
import { indexerServiceCommand } from "../../core/indexer-commands";
import { indexerHostKey, inspectIndexerHost, withIndexerHost } from "./indexer-hosts";
import { indexerDrift } from "../../sdk/drift";
import { indexerInputSchema, type IndexerInputs } from "../../sdk/inputs";
import { commandLines, stepAndCommandLines } from "../../sdk/plan-lines";
import { errorText, partialFailure, say } from "./context";
import { today } from "./firmware-plan";
import { recordedInputs } from "../../sdk/wiring";
import { plannedKind, refusal } from "./planned-kind";

type Props = Record<string, unknown>;
export const INDEXER_STATE_VERSION = 1;
/** The declared inputs: the schema's keys but the plan `check` computes. */
const KEYS = Object.keys(indexerInputSchema.shape).filter((k) => k !== "plannedActions");

function packageFor(f: IndexerInputs): { path: string; version: string } {
  const p = f.packages[f.spsVersion];
  if (!p)
    throw new Error(
      `packages: no indexer RPM for SPS ${f.spsVersion}; add packages["${f.spsVersion}"] (rule I3)`,
    );
  return { path: p.path, version: p.version ?? f.spsVersion };
}

function planLines(f: IndexerInputs, installed: string): string[] {
  const cluster = clusterSchema.parse({
    name: f.cluster,
    target: f.spsVersion,
    nodes: [{ name: `${f.name}-sps`, version: f.spsVersion }],
    indexers: [{ name: f.name, os: f.os, version: installed }],
  });
  const plan = planCluster(cluster, defaultCatalog(), { asOf: today() });
  // Each step, then the exact command it runs on the host (as `sps-upgrade plan` prints them).
  return stepAndCommandLines(plan.steps.filter((s) => s.node === f.name));
}

/** The steps an `up` would run now, from the host's live state. */
async function plannedLines(f: IndexerInputs): Promise<string[]> {
  try {
    // Shared with the other resources' check and diff of this operation (./live-reads.ts).
    const state = await inspectIndexerHost(f);
    const target = packageFor(f).version;
    if (state.version === target && state.service === "running") return [];
    if (state.version === target)
      return [
        `start-indexer ${f.name} (service is ${state.service})`,
        ...commandLines(indexerServiceCommand(f.os, "start")),
      ];
    // Under SpsCluster the cluster's firmware run upgrades the host after every hop (I1: its plannedActions
    // list those steps, one set per hop); this resource then only converges and verifies the final version.
    if (f.perHop)
      return [
        `verify ${f.name} runs ${target} (now ${state.version ?? "not installed"}): the cluster's firmware run upgrades it after every hop (see its plannedActions); this converges what is left`,
      ];
    return planLines(f, state.version ?? "0.0.0");
  } catch (e) {
    return [`upgrade ${f.name} to ${f.spsVersion} (host not inspected: ${errorText(e)})`];
  }
}

const kind = plannedKind<IndexerInputs>({
  schema: indexerInputSchema,
  keys: KEYS,
  problems: (f) => refusal("packages", () => packageFor(f)),
  planned: plannedLines,
  live: ["drift", "version", "service"],
  id: (inputs) => `sps-indexer:${String(inputs["cluster"])}/${String(inputs["name"])}`,
  touched: (f) => [indexerHostKey(f)],
  change: upgrade,
});

export const { check, diff, create, update } = kind;

function outs(
  news: Props,
  version: string | null | undefined,
  service: string | undefined,
  extra: Props = {},
): Props {
  return {
    ...recordedInputs(news, KEYS),
    plannedActions: [],
    stateVersion: INDEXER_STATE_VERSION,
    version: version ?? null,
    service: service ?? "unknown",
    drift: [],
    ...extra,
  };
}

async function upgrade(id: string, news: Props, f: IndexerInputs): Promise<{ id: string; outs: Props }> {
  const name = `indexer/${f.cluster}/${f.name}`;
  const pkg = packageFor(f);
  const result = await withIndexerHost(
    f,
    (h) => h.upgrade({ rpmPath: pkg.path, version: pkg.version, spsVersion: f.spsVersion }),
    (line) => say(name, line),
  );
  const summary = `${result.outcome}: ${result.versionBefore ?? "none"} -> ${result.versionAfter ?? "none"}, service ${result.serviceAfter ?? "unknown"}`;
  say(name, summary);
  const o = outs(news, result.versionAfter, result.serviceAfter, { lastRun: summary });
  if (result.outcome === "failed" || result.outcome === "refused") {
    const why = result.actions
      .filter((a) => !a.ok)
      .map((a) => `${a.action}: ${a.detail ?? ""}`)
      .join("; ");
    const message = `${name}: ${summary}${why ? ` (${why})` : ""}`;
    if (result.changed) throw partialFailure(message, id, o, news["__provider"]);
    throw new Error(message);
  }
  return { id, outs: o };
}

export async function read(id: string, props: Props): Promise<ReadResult> {
  const f = kind.parse(props);
  try {
    // Read afresh, never shared: an answer from before an out-of-band change would hide it (./live-reads.ts).
    const state = await inspectIndexerHost(f, { fresh: true });
    // Compared with the declared package and a running service, never with the last refresh, so
    // drift stays visible until an `up` reconciles it.
    const drift = indexerDrift(
      f.name,
      undefined,
      { version: state.version, service: state.service },
      packageFor(f).version,
    );
    return {
      id,
      props: {
        ...props,
        stateVersion: INDEXER_STATE_VERSION,
        version: state.version,
        service: state.service,
        drift,
      },
    };
  } catch (e) {
    return { id, props: { ...props, drift: [`unreachable ${f.name}: ${errorText(e)}`] } };
  }
}

export async function remove(_id: string, props: Props): Promise<void> {
  say(
    `indexer/${String(props["cluster"])}/${String(props["name"])}`,
    "forgotten: the indexer package stays installed",
  );
}
