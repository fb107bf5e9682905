import type { ClusterObservation, ObserveInputs } from "./types";

/** Read-only live state of nodes and indexers (implementation in progress). */
export function observeCluster(inputs: ObserveInputs): Promise<ClusterObservation> {
  return Promise.reject(
    new Error(`observeCluster not implemented yet (${Object.keys(inputs.nodes).length} nodes)`),
  );
}
