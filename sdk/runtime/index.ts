/**
 * The provider implementation that each resource's `__provider` line requires (compiled, from dist/):
 * `dynamicProvider(kind)`. Nothing of it is captured into the state. `providers` and `configure` stay
 * exported for the serialized closures of state written by earlier versions.
 */
import * as firmware from "./firmware-provider";
import * as indexer from "./indexer-provider";
import * as license from "./license-provider";
import * as plugin from "./plugin-provider";
import * as rolloutStage from "./rollout-stage-provider";

import { configure } from "./context";
import { hostProvider } from "./dynamic-host";
import { watched } from "./engine-watchdog";

export { configure };

export const providers = {
  firmware: watched(firmware),
  license: watched(license),
  plugin: watched(plugin),
  indexer: watched(indexer),
  rolloutStage: watched(rolloutStage),
} as const;
export type ProviderKind = keyof typeof providers;

/** What a resource's `__provider` asks for (./dynamic-host.ts); state written before it uses `providers`. */
export function dynamicProvider(kind: string): ReturnType<typeof hostProvider> {
  return hostProvider(providers, configure, kind);
}
