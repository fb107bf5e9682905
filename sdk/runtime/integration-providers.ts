/**
 * Provider implementations of the integration resources (docs/design-notes.md#integration-resources), `require`d from dist/ inside the
 * serialized provider methods (sdk/integration.ts), like ./index.ts. One file per resource:
 *
 *   sppJoin             — ./spp-join-provider.ts
 *   trafficRedirection  — ./traffic-redirection-provider.ts
 *   nextHopMonitoring   — ./next-hop-provider.ts
 *
 * and what they share (secret configuration, redacted engine messages): ./integration-common.ts.
 */
import { hostProvider } from "./dynamic-host";
import { watched } from "./engine-watchdog";
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

export const providers = {
  sppJoin: watched(sppJoin),
  trafficRedirection: watched(trafficRedirection),
  nextHopMonitoring: watched(nextHopMonitoring),
} as const;
export type IntegrationKind = keyof typeof providers;

/** What a resource's `__provider` asks for (./dynamic-host.ts); state written before it uses `providers`. */
export function dynamicProvider(kind: string): ReturnType<typeof hostProvider> {
  return hostProvider(providers, configure, kind);
}
