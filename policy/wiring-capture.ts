/**
 * Reading the SPS resources' `__wiring` (sdk/wiring.ts: nodes and their TLS trust, firmware images with their
 * SHA-256, ...) from a policy pack.
 *
 * The engine sends a policy pack a resource's internal properties — keys starting with `__` — only when it asks for
 * remediation, not when it asks for analysis: `Analyze` marshals the inputs with `SkipInternalKeys: true`,
 * `Remediate` with `false` [Pulumi sdk/go/common/resource/plugin/analyzer_plugin.go, v3.276.0]. For each resource it
 * calls every pack's `Remediate` first and `Analyze` after [pkg/resource/deploy/step_generator.go], in the same
 * pack process. So the pack has one policy at the level `remediate`, `sps-read-wiring`, that changes nothing: its
 * remediation keeps a plain copy of the resource's wiring by URN, which the rules' analysis then reads. It must stay
 * enabled; if it is disabled, the rules that need the wiring report that they cannot check, rather than pass.
 */
import {
  Secret,
  UnknownValueError,
  type ResourceValidationArgs,
  type ResourceValidationPolicy,
} from "@pulumi/policy";
import { WIRING_KEY } from "../sdk/wiring";
import { isRecord, isSpsType, type Props } from "./sps-resources";

export const READ_WIRING_POLICY = "sps-read-wiring";

/** The wiring holds a value that is not known yet (a preview before an input is computed). */
export const WIRING_UNKNOWN = Symbol("wiring not known during preview");

const captured = new Map<string, Props | typeof WIRING_UNKNOWN>();

/** A plain copy (secrets unwrapped); throws UnknownValueError on a value not known yet. */
function plain(value: unknown): unknown {
  if (value instanceof Secret) return plain(value.value);
  // Index by index: the policy SDK's proxy of an array breaks Array.prototype.map (species lookup).
  if (Array.isArray(value)) return Array.from({ length: value.length }, (_, i) => plain(value[i]));
  if (isRecord(value)) return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, plain(v)]));
  return value;
}

function remember(args: ResourceValidationArgs): undefined {
  if (!isSpsType(args.type)) return undefined;
  try {
    const wiring = plain((args.props as Props)[WIRING_KEY]);
    captured.set(args.urn, isRecord(wiring) ? wiring : {});
  } catch (e) {
    if (!(e instanceof UnknownValueError)) throw e;
    captured.set(args.urn, WIRING_UNKNOWN);
  }
  return undefined; // no change to the resource
}

export const readWiringPolicy: ResourceValidationPolicy = {
  name: READ_WIRING_POLICY,
  description:
    "Not a rule: reads each SPS resource's wiring (nodes, TLS trust, firmware images) for the other rules, which " +
    "the engine shows a policy pack only for remediation. Changes nothing; keep it at the level remediate.",
  enforcementLevel: "remediate",
  remediateResource: remember,
};

/** The wiring the remediation pass saw for `urn`; undefined when it did not run (sps-read-wiring disabled). */
export function wiringOf(urn: string): Props | typeof WIRING_UNKNOWN | undefined {
  return captured.get(urn);
}
