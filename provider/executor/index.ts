/** The executor's public surface: run a cluster plan resumably (`executeClusterPlan`), observe live state. */
export * from "./types";
export { executeClusterPlan } from "./execute";
export { observeCluster } from "./observe";
export { memoryCheckpointStore, parseCheckpoint } from "./checkpoint";
