/**
 * What the policies read of the SPS resources: their type, and their inputs in the flat view (the `__wiring`
 * property, sdk/wiring.ts, merged back in). The analyzer sees a resource's inputs after the provider's check, so a
 * ClusterFirmware also carries the `estimate` and `plannedActions` its check computed. Pure.
 */
import { RESOURCE_KINDS, typeToken } from "../sdk/registry";

/** Type tokens of the dynamic resources, one per kind of the SDK's registry (sdk/registry.ts). */
export const SPS_TYPES: ReadonlySet<string> = new Set(RESOURCE_KINDS.map(typeToken));
export const CLUSTER_FIRMWARE_TYPE = typeToken("firmware");

export function isSpsType(type: string): boolean {
  return SPS_TYPES.has(type);
}

export type Props = Record<string, unknown>;

/** `cluster "<name>" (resource <resource>)`, the way every violation names what it is about. */
export function subject(inputs: Props, resourceName: string): string {
  const cluster = typeof inputs["cluster"] === "string" ? inputs["cluster"] : undefined;
  return cluster === undefined
    ? `resource ${resourceName}`
    : `cluster "${cluster}" (resource ${resourceName})`;
}

export function isRecord(value: unknown): value is Props {
  return value !== null && typeof value === "object" && !Array.isArray(value);
}

export function numberOf(value: unknown): number | undefined {
  return typeof value === "number" && Number.isFinite(value) ? value : undefined;
}

/**
 * Every place in `value` that turns TLS verification off, by path (`nodes[0].tls`): `insecure: true`,
 * `mode: "insecure"` (provider/clients/sps/tls-trust.ts), `acknowledgeInsecure: true`, `rejectUnauthorized: false`.
 */
export function insecureTlsPaths(value: unknown, at = ""): string[] {
  if (Array.isArray(value)) return value.flatMap((v, i) => insecureTlsPaths(v, `${at}[${i}]`));
  if (!isRecord(value)) return [];
  const here =
    value["insecure"] === true ||
    value["mode"] === "insecure" ||
    value["acknowledgeInsecure"] === true ||
    value["rejectUnauthorized"] === false;
  const below = Object.entries(value).flatMap(([k, v]) =>
    k === "__provider" ? [] : insecureTlsPaths(v, at === "" ? k : `${at}.${k}`),
  );
  return here ? [at === "" ? "(the resource itself)" : at, ...below] : below;
}
