/**
 * What every dynamic resource of ours carries as `__provider`: one line that `require`s the compiled
 * provider implementation (sdk/runtime, from dist/). Only two strings are in it — the resource kind
 * and the path of the compiled module — never code, clients or credentials. Credentials reach the
 * provider through `configure()` from stack config (sps:credentials).
 */
import * as fs from "node:fs";
import * as path from "node:path";
import * as pulumi from "@pulumi/pulumi";

export type ResourceKind = "firmware" | "license" | "plugin" | "indexer" | "rolloutStage";

/**
 * Path of a compiled provider implementation under dist/sdk/runtime (run `npm run build`);
 * `envOverride` names an environment variable that points elsewhere.
 */
export function compiledRuntimePath(file: string, envOverride: string): string {
  const override = process.env[envOverride];
  if (override) return path.resolve(override);
  const compiledDir = __filename.endsWith(".ts") ? path.join(__dirname, "..", "dist", "sdk") : __dirname;
  const resolved = path.join(compiledDir, "runtime", file);
  if (!fs.existsSync(resolved)) {
    throw new Error(
      `the compiled provider ${resolved} is missing: run \`npm run build\` (scripts/setup.sh does)`,
    );
  }
  return resolved;
}

/** Path of the compiled provider implementation: dist/sdk/runtime/index.js. */
export function runtimeModulePath(): string {
  return compiledRuntimePath("index.js", "PULUMI_SPS_RUNTIME");
}

/**
 * The `__provider` of a resource of `kind`: one line the dynamic-provider host evaluates, requiring the
 * compiled module and taking its provider of that kind (./runtime/dynamic-host.ts). About a hundred
 * bytes per resource in the state, nothing to serialize per resource in the program (a serialized
 * closure was 3 KB, stored in both inputs and outputs, and cost 8–14 ms per resource to make).
 */
export function providerModuleText(kind: string, modulePath: string = runtimeModulePath()): string {
  return `exports.handler = () => require(${JSON.stringify(modulePath)}).dynamicProvider(${JSON.stringify(kind)});`;
}

/**
 * A dynamic resource of ours: what `pulumi.dynamic.Resource` registers (type
 * `pulumi-nodejs:dynamic/<module>:<type>`, served by the engine's Node.js dynamic-provider host), with
 * `__provider` the line of `providerModuleText` instead of a serialized provider object.
 */
export abstract class SpsDynamicResource extends pulumi.CustomResource {
  protected constructor(
    provider: { kind: string; modulePath?: string },
    name: string,
    props: Record<string, unknown>,
    opts: pulumi.CustomResourceOptions | undefined,
    module: string,
    type: string,
  ) {
    if ("__provider" in props) throw new Error("a dynamic resource must not declare __provider");
    super(
      `pulumi-nodejs:dynamic/${module}:${type}`,
      name,
      { ...props, __provider: providerModuleText(provider.kind, provider.modulePath) },
      opts,
    );
  }
}

/**
 * The outputs a dynamic resource declares, as the `undefined` placeholders Pulumi needs among its
 * inputs so that they become outputs of the resource: `{ ...wired, ...outputSlots("drift", …) }`.
 */
export function outputSlots(...names: string[]): Record<string, undefined> {
  return Object.fromEntries(names.map((n) => [n, undefined]));
}
