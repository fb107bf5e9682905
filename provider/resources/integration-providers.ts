/**
 * The runtime entry `pulumi-sps/runtime/integration` (package.json `exports`): the provider
 * implementations of the integration resources (docs/design-notes.md#integration-resources), the kinds
 * whose registry entry names "integration" (../registry.ts). One file per resource:
 *
 *   sppJoin             — ./spp-join-provider.ts
 *   trafficRedirection  — ./traffic-redirection-provider.ts
 *   nextHopMonitoring   — ./next-hop-provider.ts
 *
 * and what they share (secret configuration, redacted engine messages): ./integration-common.ts.
 */
import type { KindsOf } from "../../sdk/registry";
import { runtimeEntry, type KindImplementation } from "./dynamic-host";
import { configure } from "./integration-common";
import { nextHopMonitoring } from "./next-hop-provider";
import { sppJoin } from "./spp-join-provider";
import { trafficRedirection } from "./traffic-redirection-provider";

export {
  configure,
  INTEGRATION_STATE_VERSION,
  ROUTER_SSH_CONFIG_KEY,
  SPP_TOKEN_CONFIG_KEY,
} from "./integration-common";
export { nextHopMonitoring, sppJoin, trafficRedirection };

/** Every kind of the "integration" entry, and no other (the compiler checks both against ../registry.ts). */
const implementations: Record<KindsOf<"integration">, KindImplementation> = {
  sppJoin,
  trafficRedirection,
  nextHopMonitoring,
};

export const { providers, dynamicProvider } = runtimeEntry(implementations, configure);
