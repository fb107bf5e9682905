/**
 * The plugin resource: one plugin at a declared version on one node (P6, S15). Uploads the zip when
 * the appliance reports another version; `read` reports a changed or missing plugin as drift.
 */
import { BINARY_INPUT_MAX_BYTES, readFileBounded } from "../../core/bounded-file";
import type { ReadResult } from "@pulumi/pulumi/dynamic";
import { pluginDrift } from "../../sdk/drift";
import { pluginInputSchema, type PluginInputs } from "../../sdk/inputs";
import { errorText, partialFailure, restClient, say } from "./context";
import { flatInputs, recordedInputs } from "../../sdk/wiring";
import { readNode, restNodeKey } from "./live-reads";
import { plannedKind } from "./planned-kind";

type Props = Record<string, unknown>;
export const PLUGIN_STATE_VERSION = 1;

const DECLARED = Object.keys(pluginInputSchema.shape);

/** The plugin's version on the node: the node's plugin list is shared (./live-reads.ts), or `fresh` for a run or a refresh. */
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

const kind = plannedKind<PluginInputs>({
  schema: pluginInputSchema,
  keys: DECLARED,
  planned: plannedLines,
  live: ["drift", "installedVersion"],
  id: (inputs) => {
    const node = (flatInputs(inputs)["node"] ?? {}) as { name?: string };
    return `sps-plugin:${String(inputs["cluster"])}/${node.name ?? "?"}/${String(inputs["name"])}`;
  },
  touched: (f) => [restNodeKey(f.node)],
  change: upload,
});

export const { check, diff, create, update } = kind;

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

export async function read(id: string, props: Props): Promise<ReadResult> {
  const f = kind.parse(props);
  let installed: string | undefined;
  let drift: string[];
  try {
    // Read afresh, never shared: an answer from before an out-of-band change would hide it (./live-reads.ts).
    installed = await liveVersion(f, { fresh: true });
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
