/**
 * The provider implementation that the serialized dynamic providers `require` (compiled, from dist/)
 * inside their methods: nothing of it is captured into the state.
 */
import * as firmware from "./firmware-provider";
import * as indexer from "./indexer-provider";
import * as license from "./license-provider";
import * as plugin from "./plugin-provider";
import * as rolloutStage from "./rollout-stage-provider";

import { watched } from "./engine-watchdog";

export { configure } from "./context";

export const providers = {
  firmware: watched(firmware),
  license: watched(license),
  plugin: watched(plugin),
  indexer: watched(indexer),
  rolloutStage: watched(rolloutStage),
} as const;
export type ProviderKind = keyof typeof providers;
