/**
 * `observeCluster`: read-only live state of the nodes and indexer hosts (the sdk's `read` / drift).
 * Every part is read independently; a part that cannot be read is reported in `error`, never thrown.
 */
import { messageOf } from "../../core/errors";
import { IndexerSteps } from "./indexer-steps";
import { licenseFacts, readLiveness } from "./node-state";
import type {
  ClusterObservation,
  IndexerBinding,
  NodeBinding,
  ObserveInputs,
  ObservedIndexer,
  ObservedNode,
} from "./types";
import type { SystemControl } from "../clients/system-control/operations";

export async function observeNode(
  name: string,
  binding: NodeBinding,
  systemControl?: SystemControl,
  notRead?: string,
): Promise<ObservedNode> {
  const out: ObservedNode = {
    node: name,
    reachable: false,
    booting: false,
    runningVersion: null,
    afterRebootVersion: null,
    slots: [],
    ha: null,
    license: null,
    plugins: [],
  };
  if (notRead !== undefined) {
    // The run stopped because this node answers in a way it cannot read: it is not asked again.
    out.reachable = true;
    out.error = notRead;
    return out;
  }
  const l = await readLiveness(binding.client);
  if (l.phase !== "up") {
    // Booting (S10: the web interface shows a boot progress page, not the REST API), or answering, but
    // not as SPS does (over the cap, another shape, no version): nothing more is read.
    out.reachable = l.phase !== "down";
    out.booting = l.phase === "booting";
    out.error = l.error;
    return out;
  }
  out.reachable = true;
  out.runningVersion = l.version;
  const errors: string[] = [];
  const part = async (what: string, read: () => Promise<void>): Promise<void> => {
    try {
      await read();
    } catch (e) {
      errors.push(`${what}: ${messageOf(e)}`);
    }
  };
  await part("firmware slots", async () => {
    const s = await binding.client.listFirmwareSlots();
    out.slots = s.slots
      .filter((x) => !x.empty)
      .map((x) => ({ id: x.id, version: x.version, current: x.current, afterReboot: x.afterReboot }));
    out.afterRebootVersion = s.slots.find((x) => x.afterReboot)?.version ?? null;
  });
  await part("license", async () => {
    out.license = licenseFacts((await binding.client.getLicense()).raw);
  });
  await part("plugins", async () => {
    out.plugins = (await binding.client.listPlugins()).map((p) => ({ name: p.name, version: p.version }));
  });
  if (binding.ha && systemControl) {
    const primary = binding.ha.primary;
    await part("HA state", async () => {
      out.ha = await systemControl.readHaState(primary);
    });
  }
  if (errors.length > 0) out.error = errors.join("; ");
  return out;
}

export async function observeIndexer(name: string, steps: IndexerSteps): Promise<ObservedIndexer> {
  try {
    const host = await steps.hostOf(name)!;
    const s = await host.inspect();
    return { name, reachable: true, version: s.version, service: s.service };
  } catch (e) {
    return { name, reachable: false, version: null, service: "unknown", error: messageOf(e) };
  }
}

/** Read-only: per node running version, slots, booting, HA, license, plugins; per indexer package and service. */
export async function observeCluster(inputs: ObserveInputs): Promise<ClusterObservation> {
  return observeWith(inputs.nodes, inputs.systemControl, new IndexerSteps(inputs.indexers), inputs.indexers);
}

export async function observeWith(
  nodes: Record<string, NodeBinding>,
  systemControl: SystemControl | undefined,
  steps: IndexerSteps,
  indexers: Record<string, IndexerBinding> | undefined,
  /** Nodes not to read (why): those the run stopped on as unreadable (./liveness-watch.ts). */
  notRead: ReadonlyMap<string, string> = new Map(),
): Promise<ClusterObservation> {
  const nodeEntries = await Promise.all(
    Object.entries(nodes).map(
      async ([n, b]) => [n, await observeNode(n, b, systemControl, notRead.get(n))] as const,
    ),
  );
  const idxEntries = await Promise.all(
    Object.keys(indexers ?? {}).map(async (n) => [n, await observeIndexer(n, steps)] as const),
  );
  return { nodes: Object.fromEntries(nodeEntries), indexers: Object.fromEntries(idxEntries) };
}
