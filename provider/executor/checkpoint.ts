import type { CheckpointStore, ExecutionCheckpoint } from "./types";

/** In-memory store (tests; the sdk keeps the checkpoint in resource outputs). */
export function memoryCheckpointStore(initial?: ExecutionCheckpoint): CheckpointStore & {
  current: ExecutionCheckpoint | undefined;
} {
  const store = {
    current: initial,
    load: () => Promise.resolve(store.current),
    save: (c: ExecutionCheckpoint) => {
      store.current = JSON.parse(JSON.stringify(c)) as ExecutionCheckpoint;
      return Promise.resolve();
    },
  };
  return store;
}

export function parseCheckpoint(raw: unknown): ExecutionCheckpoint {
  return raw as ExecutionCheckpoint;
}
