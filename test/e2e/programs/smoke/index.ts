// Smoke program for test/e2e/engine-smoke.test.ts: proves that the locally built engine runs a TypeScript program,
// a dynamic provider (with a planned-actions input shown by `preview --diff` and a secret input) and the command
// provider plugin, all offline.
//
// Config (namespace pulumi-sps-smoke): plannedActions (JSON array of strings), token (secret).
import * as pulumi from "@pulumi/pulumi";
import * as command from "@pulumi/command";

interface SmokeInputs {
  plannedActions: string[];
  token: string;
}

// The provider is serialized into the state: it captures nothing and loads what it needs inside its methods.
const smokeProvider: pulumi.dynamic.ResourceProvider = {
  async check(_olds: SmokeInputs, news: SmokeInputs): Promise<pulumi.dynamic.CheckResult> {
    const failures: pulumi.dynamic.CheckFailure[] = [];
    if (!Array.isArray(news.plannedActions) || !news.plannedActions.every((a) => typeof a === "string")) {
      failures.push({ property: "plannedActions", reason: "plannedActions must be an array of strings" });
    }
    if (typeof news.token !== "string" || news.token.length === 0) {
      failures.push({ property: "token", reason: "token must be a non-empty string" });
    }
    return { inputs: news, failures };
  },
  async diff(_id: string, olds: SmokeInputs, news: SmokeInputs): Promise<pulumi.dynamic.DiffResult> {
    const changed = (["plannedActions", "token"] as const).filter(
      (key) => JSON.stringify(olds[key]) !== JSON.stringify(news[key]),
    );
    return { changes: changed.length > 0 };
  },
  async create(inputs: SmokeInputs): Promise<pulumi.dynamic.CreateResult> {
    // Loaded here, not imported: a dynamic provider is serialized into the state and must capture nothing.
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    const crypto = require("crypto") as typeof import("crypto");
    console.log(
      `smoke: applying ${inputs.plannedActions.length} planned action(s): ${inputs.plannedActions.join(", ")}`,
    );
    return {
      id: crypto.randomUUID(),
      outs: { ...inputs, appliedActions: inputs.plannedActions, stateVersion: 1 },
    };
  },
  async update(_id: string, _olds: SmokeInputs, news: SmokeInputs): Promise<pulumi.dynamic.UpdateResult> {
    console.log(
      `smoke: applying ${news.plannedActions.length} planned action(s): ${news.plannedActions.join(", ")}`,
    );
    return { outs: { ...news, appliedActions: news.plannedActions, stateVersion: 1 } };
  },
  async delete(id: string): Promise<void> {
    console.log(`smoke: deleting ${id}`);
  },
};

class SmokeResource extends pulumi.dynamic.Resource {
  declare readonly appliedActions: pulumi.Output<string[]>;
  declare readonly stateVersion: pulumi.Output<number>;

  constructor(
    name: string,
    args: { plannedActions: pulumi.Input<string[]>; token: pulumi.Input<string> },
    opts?: pulumi.CustomResourceOptions,
  ) {
    super(
      smokeProvider,
      name,
      { ...args, appliedActions: undefined, stateVersion: undefined },
      { ...opts, additionalSecretOutputs: ["token"] },
      "smoke",
      "SmokeResource",
    );
  }
}

const config = new pulumi.Config();
const smoke = new SmokeResource("smoke", {
  plannedActions: config.requireObject<string[]>("plannedActions"),
  token: config.requireSecret("token"),
});

const hello = new command.local.Command("hello", { create: "echo smoke-command-ran" });

export const resourceId = smoke.id;
export const appliedActions = smoke.appliedActions;
export const stateVersion = smoke.stateVersion;
export const commandStdout = hello.stdout;
