/**
 * The plugin resource: one plugin at a declared version on one node (P6, S15). Uploads the zip when
 * the appliance reports another version; `read` reports a changed or missing plugin as drift.
 */
import { BINARY_INPUT_MAX_BYTES, readFileBounded } from "../../core/bounded-file";
import type { CheckResult, DiffResult, ReadResult } from "@pulumi/pulumi/dynamic";
import { fieldProblems } from "../../core/validation";
import { pluginDrift } from "../../sdk/drift";
import { pluginInputSchema, type PluginInputs } from "../../sdk/inputs";
import { liveStateChanged, errorText, partialFailure, restClient, say } from "./context";
import {
  checkedInputs,
  declaredOf,
  flatInputs,
  isRealRun,
  previewedPlan,
  recordedInputs,
} from "../../sdk/wiring";
import { forgetting, readNode, restNodeKey } from "./live-reads";

type Props = Record<string, unknown>;
export const PLUGIN_STATE_VERSION = 1;

const DECLARED = Object.keys(pluginInputSchema.shape);

/** The declared inputs, flat (wiring merged back, see ../wiring.ts), undefined ones dropped. */
function declared(props: Props): Props {
  return declaredOf(props, DECLARED);
}

/** The plugin's version on the node: the node's plugin list is shared (./live-reads.ts), or `fresh` for a run. */
async function liveVersion(f: PluginInputs, options: { fresh?: boolean } = {}): Promise<string | undefined> {
  const list = await readNode(
    f.node,
    "plugins",
    async (client) => {
      await client.login();
      return client.listPlugins();
    },
    options,
  );
  return list.find((p) => p.name === f.name)?.version;
}

/** The upload an `up` would make now, from the live plugin list. */
async function plannedLines(f: PluginInputs): Promise<string[]> {
  try {
    const live = await liveVersion(f);
    return live === f.version
      ? []
      : [`upload-plugin ${f.name} ${f.version} to ${f.node.name} (runs ${live ?? "none"})`];
  } catch (e) {
    return [`upload-plugin ${f.name} ${f.version} to ${f.node.name} (live version unknown: ${errorText(e)})`];
  }
}

export async function check(_olds: Props, news: Props): Promise<CheckResult> {
  const parsed = pluginInputSchema.safeParse(declared(news));
  if (!parsed.success) return { inputs: news, failures: fieldProblems(parsed.error) };
  // A real run records no plan and reads nothing here (../wiring.ts isRealRun).
  if (isRealRun(news)) return { inputs: news };
  return { inputs: checkedInputs(news, { plannedActions: await plannedLines(parsed.data) }) };
}

/** The plan `check` made in this preview, or (recorded inputs, a real run) one from the live state. */
async function hasPendingUpload(news: Props): Promise<boolean> {
  const previewed = previewedPlan(news);
  if (previewed) return previewed.length > 0;
  const parsed = pluginInputSchema.safeParse(declared(news));
  return !parsed.success || (await plannedLines(parsed.data)).length > 0;
}

export async function diff(_id: string, olds: Props, news: Props): Promise<DiffResult> {
  const changed =
    JSON.stringify(declared(olds)) !== JSON.stringify(declared(news)) ||
    liveStateChanged(olds, news, ["drift", "installedVersion"]);
  return { changes: changed || (await hasPendingUpload(news)) };
}

async function apply(id: string, news: Props): Promise<{ id: string; outs: Props }> {
  const f = pluginInputSchema.parse(declared(news));
  return forgetting([restNodeKey(f.node)], () => upload(id, news, f));
}

async function upload(id: string, news: Props, f: PluginInputs): Promise<{ id: string; outs: Props }> {
  const name = `plugin/${f.cluster}/${f.node.name}/${f.name}`;
  const outs = (installed: string | undefined): Props => ({
    ...recordedInputs(news, DECLARED),
    plannedActions: [],
    stateVersion: PLUGIN_STATE_VERSION,
    installedVersion: installed ?? null,
    drift: [],
  });
  const before = await liveVersion(f, { fresh: true });
  if (before === f.version) {
    say(name, `already at ${f.version}`);
    return { id, outs: outs(before) };
  }
  const client = restClient(f.node, 120_000);
  try {
    say(name, `upload-plugin ${f.version} (runs ${before ?? "none"})`);
    await client.login();
    const result = await client.uploadPlugin(
      readFileBounded(f.path, BINARY_INPUT_MAX_BYTES),
      `pulumi-sps: plugin ${f.name} ${f.version}`,
    );
    say(name, `installed ${result.version}`);
    return { id, outs: outs(result.version) };
  } catch (e) {
    const now = await liveVersion(f, { fresh: true }).catch(() => before);
    throw partialFailure(`${name}: ${errorText(e)}`, id, outs(now), news["__provider"]);
  } finally {
    client.close();
  }
}

export async function create(inputs: Props): Promise<{ id: string; outs: Props }> {
  const node = (flatInputs(inputs)["node"] ?? {}) as { name?: string };
  return apply(
    `sps-plugin:${String(inputs["cluster"])}/${node.name ?? "?"}/${String(inputs["name"])}`,
    inputs,
  );
}

export async function update(id: string, _olds: Props, news: Props): Promise<{ outs: Props }> {
  return { outs: (await apply(id, news)).outs };
}

export async function read(id: string, props: Props): Promise<ReadResult> {
  const f = pluginInputSchema.parse(declared(props));
  let installed: string | undefined;
  let drift: string[];
  try {
    installed = await liveVersion(f);
    drift = pluginDrift(f.node.name, f.name, f.version, installed);
  } catch (e) {
    drift = [`unreachable ${f.node.name}: ${errorText(e)}`];
  }
  return {
    id,
    props: { ...props, stateVersion: PLUGIN_STATE_VERSION, installedVersion: installed ?? null, drift },
  };
}

export async function remove(_id: string, props: Props): Promise<void> {
  say(`plugin/${String(props["cluster"])}/${String(props["name"])}`, "forgotten: the plugin stays installed");
}
