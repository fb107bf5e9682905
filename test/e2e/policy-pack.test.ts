// The product's policy pack (policy/) through the real engine: `pulumi preview --policy-pack policy` on a
// three-node central-management cluster of the emulated lab. The compliant declaration passes; each violating one is
// refused naming the rule, the cluster, the resource and the fix; the policy config changes what is refused.
import { strict as assert } from "node:assert";
import * as fs from "node:fs";
import * as path from "node:path";
import { createTestStack, REPO_ROOT, type CliResult, type TestStack } from "../support/pulumi-engine";
import { LAB_LICENSE_END, startLab, type Lab } from "../support/sps-lab";

const PROGRAM_DIR = path.join(__dirname, "programs", "policy-fleet");
const POLICY_DIR = path.join(REPO_ROOT, "policy");
const license = { major: 6, validNotAfter: LAB_LICENSE_END };
const FLEET = {
  clusters: [
    {
      name: "dc1",
      nodes: [
        { name: "cm", version: "6.0.12", roles: ["central-management"], emulator: { license } },
        { name: "mh1", version: "6.0.12", roles: ["managed-host"], emulator: { license } },
        { name: "mh2", version: "6.0.12", roles: ["managed-host"], emulator: { license } },
      ],
    },
  ],
};
/** The compliant declaration: an LTS target, 2 nodes at a time, a window the estimate (about 2.4 h) fits. */
const COMPLIANT = { target: "7.0", maxParallel: "2", maintenanceWindow: "3h" };
const KNOBS = ["target", "maxParallel", "maintenanceWindow", "omitSha256", "insecureTls"];

describe("the policy pack (policy/) under the real engine", function () {
  this.timeout(600_000);
  let lab: Lab;
  const stacks: TestStack[] = [];
  let prod: TestStack;

  const newStack = async (stackName: string): Promise<TestStack> => {
    const stack = await createTestStack({
      programDir: PROGRAM_DIR,
      stackName,
      config: lab.config,
      secrets: lab.secrets,
    });
    stacks.push(stack);
    return stack;
  };

  /** `pulumi preview --policy-pack policy` with the program's knobs set to `knobs` (the rest removed). */
  const preview = async (
    stack: TestStack,
    knobs: Record<string, string>,
    policyConfig?: Record<string, unknown>,
  ): Promise<CliResult & { output: string }> => {
    for (const key of KNOBS) {
      const value = knobs[key];
      if (value === undefined) await stack.stack.removeConfig(key);
      else await stack.setConfig(key, value);
    }
    const args = ["preview", "--stack", stack.name, "--policy-pack", POLICY_DIR];
    if (policyConfig) {
      const file = path.join(stack.workDir, "policy-config.json");
      fs.writeFileSync(file, JSON.stringify(policyConfig));
      args.push("--policy-pack-config", file);
    }
    const result = await stack.cli(args);
    return { ...result, output: result.stdout + result.stderr };
  };

  /**
   * The text of `rule`'s mandatory violation on dc1-firmware: from its header (`[mandatory]  <rule>  (<type>:
   * dc1-firmware)`) to the next violation or the end of the block, white space collapsed.
   */
  const violation = (output: string, rule: string): string => {
    const header = new RegExp(
      `\\[mandatory\\]\\s+${rule}\\s+\\(pulumi-nodejs:dynamic/sps:ClusterFirmware: dc1-firmware\\)`,
    );
    const m = header.exec(output);
    assert.ok(m, `a mandatory ${rule} violation on dc1-firmware:\n${output}`);
    const rest = output.slice(m.index + m[0].length);
    const stop = rest.search(/\[(mandatory|advisory)\]|\n\s*\n/);
    return (stop < 0 ? rest : rest.slice(0, stop)).replace(/\s+/g, " ").trim();
  };

  const refused = (result: CliResult & { output: string }): void => {
    assert.notEqual(result.code, 0, `the preview must be refused:\n${result.output}`);
  };

  const passes = (result: CliResult & { output: string }): void => {
    assert.equal(result.code, 0, `the preview must pass:\n${result.output}`);
    assert.match(
      result.output,
      /✅ pulumi-sps@v0\.1\.0 \(local: /,
      `the policy pack ran and passed:\n${result.output}`,
    );
    assert.doesNotMatch(result.output, /\[mandatory\]/);
  };

  before(async function () {
    lab = await startLab(FLEET);
    prod = await newStack("prod");
  });

  after(async function () {
    for (const stack of stacks) await stack.dispose();
    await lab?.stop();
  });

  it("passes the compliant declaration on a production stack", async function () {
    passes(await preview(prod, COMPLIANT));
  });

  it("refuses a feature-release target on a production stack (V1), and allows it on staging", async function () {
    const result = await preview(prod, { ...COMPLIANT, target: "6.3", maintenanceWindow: "8h" });
    refused(result);
    const message = violation(result.output, "sps-production-lts");
    assert.match(
      message,
      /cluster "dc1" \(resource dc1-firmware\) targets 6\.3, a feature release, on production stack "prod"/,
    );
    assert.match(message, /Fix: set target to an LTS release, e\.g\. 7\.0/);

    const staging = await newStack("staging");
    passes(await preview(staging, { ...COMPLIANT, target: "6.3", maintenanceWindow: "8h" }));
  });

  it("refuses an estimate that fits the window only without the configured margin", async function () {
    const result = await preview(prod, COMPLIANT, { "sps-estimate-fits-window": { marginPercent: 50 } });
    refused(result);
    const message = violation(result.output, "sps-estimate-fits-window");
    assert.match(
      message,
      /the upgrade is estimated at 2\.4 h plus the policy's 50% margin = 3\.6 h, over its maintenance window of 3 h by 37\.5 min/,
    );
    assert.match(message, /Fix: widen maintenanceWindow to at least 3\.6 h/);
  });

  it("refuses maxParallel over the limit, and passes it when the policy config raises the limit", async function () {
    const result = await preview(prod, { ...COMPLIANT, maxParallel: "3" });
    refused(result);
    assert.match(
      violation(result.output, "sps-max-parallel"),
      /declares maxParallel 3, over the policy's limit of 2\. Fix: set maxParallel to 2 or less/,
    );
    passes(await preview(prod, { ...COMPLIANT, maxParallel: "3" }, { "sps-max-parallel": { limit: 3 } }));
  });

  it("refuses a firmware image without SHA-256, read from the resource's wiring", async function () {
    const result = await preview(prod, { ...COMPLIANT, omitSha256: "7.0.3" });
    refused(result);
    assert.match(
      violation(result.output, "sps-firmware-sha256"),
      /firmware image 7\.0\.3 \(no sha256\)\. Fix: give each image in firmware its SHA-256/,
    );
  });

  it("a program forcing TLS verification off is stopped by the SDK itself, naming the field, before any policy runs", async function () {
    // The policy's sps-tls-verified stays as a second line of defence (its check is unit-tested in
    // test/unit/policy); the SDK's input schema now refuses the key before a resource is registered.
    const result = await preview(prod, { ...COMPLIANT, insecureTls: "true" });
    refused(result);
    assert.match(result.output, /dc1: nodes\[0\]\.tls: Unrecognized key: "insecure"/);
    assert.doesNotMatch(result.output, /at .*\.js:\d+/, "no stack trace");
  });
});
