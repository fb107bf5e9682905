/**
 * The provider implementation that the serialized dynamic providers `require` (compiled, from dist/)
 * inside their methods: nothing of it is captured into the state.
 */
import * as firmware from "./firmware-provider";
import * as indexer from "./indexer-provider";
import * as license from "./license-provider";
import * as plugin from "./plugin-provider";

export { configure } from "./context";

export const providers = { firmware, license, plugin, indexer } as const;
export type ProviderKind = keyof typeof providers;
