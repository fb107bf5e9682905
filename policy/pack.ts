/**
 * The pulumi-sps policy pack (PulumiPolicy.yaml in this directory; docs/reference/policies.md). Each policy is
 * mandatory unless the policy config says otherwise (`{ "<policy>": "advisory" }` or
 * `{ "<policy>": { "enforcementLevel": "disabled" } }`), and takes its settings from the same config file
 * (`pulumi preview --policy-pack policy --policy-pack-config FILE`).
 */
import * as pulumi from "@pulumi/pulumi";
import { PolicyPack, type ResourceValidationArgs, type ResourceValidationPolicy } from "@pulumi/policy";
import {
  estimateFitsWindow,
  firmwareSha256,
  maxParallelWithinLimit,
  productionLts,
  tlsVerified,
  type RuleContext,
} from "./rules";
import { flatInputs } from "../sdk/wiring";
import { CLUSTER_FIRMWARE_TYPE, isSpsType, type Props } from "./sps-resources";
import { READ_WIRING_POLICY, readWiringPolicy, WIRING_UNKNOWN, wiringOf } from "./wiring-capture";

type Rule<C> = (inputs: Props, ctx: RuleContext, config: C) => string[];

interface Scope {
  /** Resource types the rule checks. */
  applies: (type: string) => boolean;
  /** Whether it reads the resource's wiring (./wiring-capture.ts). */
  needsWiring: boolean;
}

/** A resource policy running `rule` on the resources `scope` selects, with the policy's config. */
function policy<C extends object>(
  spec: Omit<ResourceValidationPolicy, "validateResource">,
  scope: Scope,
  rule: Rule<C>,
): ResourceValidationPolicy {
  return {
    ...spec,
    validateResource: (args: ResourceValidationArgs, reportViolation) => {
      if (!scope.applies(args.type)) return;
      const ctx = { stack: pulumi.getStack(), resourceName: args.name };
      // The resource's inputs with its wiring merged in (either shape accepted).
      const visible = flatInputs(args.props);
      let inputs = visible;
      if (scope.needsWiring) {
        const wiring = wiringOf(args.urn);
        if (wiring === WIRING_UNKNOWN) return; // checked again once the values are known (up)
        if (wiring === undefined) {
          reportViolation(
            `${args.name}: ${spec.name} cannot check this resource: the policy ${READ_WIRING_POLICY}, which reads ` +
              `its wiring, did not run. Fix: keep ${READ_WIRING_POLICY} at the enforcement level remediate in the ` +
              `policy config.`,
          );
          return;
        }
        inputs = { ...visible, ...wiring };
      }
      for (const message of rule(inputs, ctx, args.getConfig<C>())) reportViolation(message);
    },
  };
}

const firmware = (type: string): boolean => type === CLUSTER_FIRMWARE_TYPE;

new PolicyPack("pulumi-sps", {
  enforcementLevel: "mandatory",
  policies: [
    readWiringPolicy,
    policy(
      {
        name: "sps-production-lts",
        description: "Production stacks target an LTS release (V1: minor version 0).",
        configSchema: {
          properties: {
            productionStacks: {
              type: "array",
              items: { type: "string" },
              default: ["^prod"],
              description: "Regular expressions; a stack whose name matches one is production.",
            },
          },
        },
      },
      { applies: firmware, needsWiring: false },
      productionLts,
    ),
    policy(
      {
        name: "sps-estimate-fits-window",
        description: "A cluster's estimated upgrade duration, plus a margin, fits its maintenance window.",
        configSchema: {
          properties: {
            marginPercent: { type: "number", minimum: 0, default: 0, description: "Added to the estimate." },
            requireWindow: {
              type: "boolean",
              default: false,
              description: "A cluster with work to do must declare maintenanceWindow.",
            },
          },
        },
      },
      { applies: firmware, needsWiring: false },
      estimateFitsWindow,
    ),
    policy(
      {
        name: "sps-max-parallel",
        description: "Nodes upgraded at once in a wave stay within a limit.",
        configSchema: {
          properties: {
            limit: { type: "integer", minimum: 1, default: 2, description: "Most nodes at once." },
          },
        },
      },
      { applies: firmware, needsWiring: true },
      maxParallelWithinLimit,
    ),
    policy(
      {
        name: "sps-firmware-sha256",
        description: "Every firmware image names its SHA-256 (S3, V7).",
      },
      { applies: firmware, needsWiring: true },
      firmwareSha256,
    ),
    policy(
      {
        name: "sps-tls-verified",
        description: "No SPS resource turns TLS certificate verification off (insecure).",
      },
      { applies: isSpsType, needsWiring: true },
      tlsVerified,
    ),
  ],
});
