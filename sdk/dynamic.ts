/**
 * The serialized part of every dynamic provider: a few lines that `require` the compiled provider
 * implementation (sdk/runtime, from dist/) inside each method. Only two strings are captured — the
 * resource kind and the path of the compiled module — never code, clients or credentials.
 * Credentials reach the provider through `configure()` from stack config (sps:credentials).
 */
import * as fs from "node:fs";
import * as path from "node:path";
import type * as pulumi from "@pulumi/pulumi";

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

/** The serialized provider of one resource kind of the compiled module at `modulePath`. */
export function makeProvider(
  kind: string,
  modulePath: string = runtimeModulePath(),
): pulumi.dynamic.ResourceProvider {
  // Everything below is serialized into the state: keep it to `require` plus the two strings.
  /* eslint-disable @typescript-eslint/no-require-imports, @typescript-eslint/no-unsafe-return, @typescript-eslint/no-unsafe-member-access, @typescript-eslint/no-unsafe-call */
  return {
    async configure(req) {
      require(modulePath).configure(req.config);
    },
    async check(olds, news) {
      return require(modulePath).providers[kind].check(olds, news);
    },
    async diff(id, olds, news) {
      return require(modulePath).providers[kind].diff(id, olds, news);
    },
    async create(inputs) {
      return require(modulePath).providers[kind].create(inputs);
    },
    async update(id, olds, news) {
      return require(modulePath).providers[kind].update(id, olds, news);
    },
    async read(id, props) {
      return require(modulePath).providers[kind].read(id, props ?? {});
    },
    async delete(id, props) {
      return require(modulePath).providers[kind].remove(id, props);
    },
  };
  /* eslint-enable @typescript-eslint/no-require-imports, @typescript-eslint/no-unsafe-return, @typescript-eslint/no-unsafe-member-access, @typescript-eslint/no-unsafe-call */
}

/**
 * The outputs a dynamic resource declares, as the `undefined` placeholders Pulumi needs among its
 * inputs so that they become outputs of the resource: `{ ...wired, ...outputSlots("drift", …) }`.
 */
export function outputSlots(...names: string[]): Record<string, undefined> {
  return Object.fromEntries(names.map((n) => [n, undefined]));
}
