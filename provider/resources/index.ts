/**
 * The runtime entry `pulumi-sps/runtime` (package.json `exports`): the provider implementations of the
 * kinds whose registry entry names "core" (../registry.ts), compiled, from dist/. Each resource's
 * `__provider` line requires it and asks `dynamicProvider(kind)`. Nothing of it is captured into the
 * state. `providers` and `configure` stay exported for the serialized closures of state written by
 * earlier versions.
 */
import * as firmware from "./firmware-provider";
import * as indexer from "./indexer-provider";
import * as license from "./license-provider";
import * as plugin from "./plugin-provider";
import * as rolloutStage from "./rollout-stage-provider";

import type { KindsOf } from "../../sdk/registry";
import { configure } from "./context";
import { runtimeEntry, type KindImplementation } from "./dynamic-host";

export { configure };

/** Every kind of the "core" entry, and no other (the compiler checks both against ../registry.ts). */
const implementations: Record<KindsOf<"core">, KindImplementation> = {
  firmware,
  license,
  plugin,
  indexer,
  rolloutStage,
};

export const { providers, dynamicProvider } = runtimeEntry(implementations, configure);
