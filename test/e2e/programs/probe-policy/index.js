// Probe policy pack for test/e2e/language-host.test.ts (plain JavaScript: a TypeScript pack is type-checked by
// @pulumi/pulumi's run-policy-pack on every start, ~30 s here). Its one rule reads the stack's configuration (which
// reaches a policy pack only through the language host's policy proxy) and the policy pack's own configuration.
"use strict";
const pulumi = require("@pulumi/pulumi");
const { PolicyPack } = require("@pulumi/policy");

new PolicyPack("probe-policy", {
  policies: [
    {
      name: "probe-forbidden-greeting",
      description: "A probe greeting must not greet the name the stack's config `forbidden` names.",
      enforcementLevel: "mandatory",
      configSchema: { properties: { prefix: { type: "string", default: "refused" } } },
      validateResource: (args, reportViolation) => {
        if (args.type !== "probe:index:Greeting") {
          return;
        }
        const forbidden = new pulumi.Config("pulumi-sps-host-probe").get("forbidden");
        const { prefix } = args.getConfig();
        if (forbidden !== undefined && args.props.name === forbidden) {
          reportViolation(
            `${prefix}: ${args.urn} greets ${JSON.stringify(args.props.name)} (stack ${pulumi.getStack()})`,
          );
        }
      },
    },
  ],
});
