/**
 * What every dynamic resource of ours carries as `__provider`: one line that loads the compiled provider
 * implementation by package name — `pulumi-sps/runtime` (or `pulumi-sps/runtime/integration`) — resolved
 * from the working directory of the dynamic-provider host, which the engine starts in the program's
 * directory. So the state holds no path of this machine: another checkout, another CI runner or a
 * teammate's clone refreshes, ups and destroys the same stack with the pulumi-sps installed in its own
 * `node_modules`. Only two strings are in it — the runtime entry and the resource kind — never code,
 * clients or credentials. Credentials reach the provider through `configure()` from stack config
 * (sps:credentials). State written by versions that stored an absolute path: ./provider-text.ts.
 */
import { createRequire } from "node:module";
import * as path from "node:path";
import * as pulumi from "@pulumi/pulumi";
import { warnPlaintextCredentials } from "./credentials-warning";
import { RESOURCES, typeToken } from "./registry";
import type { ResourceKind, RuntimeEntry } from "./resource-kinds";
import { PREVIEW_KEY, splitWiring, WIRING_DIGEST_KEY, WIRING_KEY, wiringDigest } from "./wiring";

export type { RuntimeEntry };

/** The package's name: what `__provider` requires, from the program's directory. */
export const PACKAGE_NAME = "pulumi-sps";

/** The two compiled provider modules, as package.json `exports` names them. */
export const RUNTIME_ENTRIES: Readonly<Record<RuntimeEntry, string>> = {
  core: `${PACKAGE_NAME}/runtime`,
  integration: `${PACKAGE_NAME}/runtime/integration`,
};

/**
 * The `__provider` of a resource of `kind`. Node resolves the runtime entry from the program directory's
 * `node_modules` upwards, and inside this repository (package.json named pulumi-sps) as a self-reference
 * through `exports`. About 150 bytes per resource, nothing to serialize per resource in the program (a
 * serialized closure was 3 KB, stored in both inputs and outputs, and cost 8–14 ms per resource to make).
 */
export function providerModuleText(kind: string, entry: RuntimeEntry = "core"): string {
  return (
    `exports.handler = () => require("node:module").createRequire(process.cwd() + "/")` +
    `(${JSON.stringify(RUNTIME_ENTRIES[entry])}).dynamicProvider(${JSON.stringify(kind)});`
  );
}

const checkedDirs = new Set<string>();

/**
 * Fails the program, naming the fix, when the provider's runtime would not load in this program's
 * directory (the dynamic-provider host's working directory): `pulumi-sps` not installed there, or a
 * source checkout without `npm run build`.
 */
export function assertRuntimeResolvable(entry: RuntimeEntry, dir: string = process.cwd()): void {
  const key = `${dir}\0${entry}`;
  if (checkedDirs.has(key)) return;
  try {
    createRequire(path.join(dir, "/")).resolve(RUNTIME_ENTRIES[entry]);
  } catch (e) {
    const why = e instanceof Error ? e.message.split("\n")[0] : String(e);
    throw new Error(
      `the dynamic provider loads "${RUNTIME_ENTRIES[entry]}" from the program's directory ${dir}, ` +
        `where it does not resolve (${why}): install ${PACKAGE_NAME} in this project ` +
        `(npm install ${PACKAGE_NAME}); in a checkout of ${PACKAGE_NAME} itself run \`npm run build\``,
    );
  }
  checkedDirs.add(key);
}

/**
 * The declared properties as sent to the engine: the shown ones, the wiring under `__wiring` (never
 * printed by the engine) and its digest (printed, so a change to the wiring alone shows), and whether
 * this is a preview (the plan is shown then, and never recorded: PREVIEW_KEY). See ./wiring.ts.
 */
export function wiredInputs(args: object, wiringKeys: readonly string[]): Record<string, unknown> {
  warnPlaintextCredentials();
  const { shown, wiring } = splitWiring(args as Record<string, unknown>, wiringKeys);
  return {
    ...shown,
    [WIRING_KEY]: wiring,
    [WIRING_DIGEST_KEY]: pulumi.output(wiring).apply(wiringDigest),
    [PREVIEW_KEY]: pulumi.runtime.isDryRun(),
  };
}

/**
 * A dynamic resource of ours: what `pulumi.dynamic.Resource` registers (type
 * `pulumi-nodejs:dynamic/sps:<type>`, served by the engine's Node.js dynamic-provider host), with
 * `__provider` the line of `providerModuleText` instead of a serialized provider object. Everything
 * but the declared inputs comes from the kind's entry in ./registry.ts: the type, the runtime entry,
 * the wiring keys and the output slots.
 */
export abstract class SpsDynamicResource extends pulumi.CustomResource {
  protected constructor(
    kind: ResourceKind,
    name: string,
    declared: object,
    opts: pulumi.CustomResourceOptions | undefined,
  ) {
    if ("__provider" in declared) throw new Error("a dynamic resource must not declare __provider");
    const spec = RESOURCES[kind];
    assertRuntimeResolvable(spec.entry);
    const sent = spec.wiring === null ? declared : wiredInputs(declared, spec.wiring);
    super(
      typeToken(kind),
      name,
      { ...sent, ...outputSlots(...spec.outputs), __provider: providerModuleText(kind, spec.entry) },
      opts,
    );
  }
}

/** A dynamic resource that reports drift (./drift.ts) and records its state's version: every kind but the rollout gate. */
export abstract class SpsDriftingResource extends SpsDynamicResource {
  declare readonly drift: pulumi.Output<string[]>;
  declare readonly stateVersion: pulumi.Output<number>;
}

/**
 * The outputs a dynamic resource declares, as the `undefined` placeholders Pulumi needs among its
 * inputs so that they become outputs of the resource.
 */
function outputSlots(...names: string[]): Record<string, undefined> {
  return Object.fromEntries(names.map((n) => [n, undefined]));
}
