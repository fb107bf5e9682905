/**
 * The serialized part of every dynamic provider: a few lines that `require` the compiled provider
 * implementation (sdk/runtime, from dist/) inside each method. Only two strings are captured — the
 * resource kind and the path of the compiled module — never code, clients or credentials.
 * Credentials reach the provider through `configure()` from stack config (sps:credentials).
 */
import * as fs from "node:fs";
import * as path from "node:path";
import type * as pulumi from "@pulumi/pulumi";

export type ResourceKind = "firmware" | "license" | "plugin" | "indexer";

/** Path of the compiled provider implementation: dist/sdk/runtime/index.js (run `npm run build`). */
export function runtimeModulePath(): string {
  const override = process.env["PULUMI_SPS_RUNTIME"];
  if (override) return path.resolve(override);
  const compiledDir = __filename.endsWith(".ts") ? path.join(__dirname, "..", "dist", "sdk") : __dirname;
  const file = path.join(compiledDir, "runtime", "index.js");
  if (!fs.existsSync(file)) {
    throw new Error(
      `the compiled provider ${file} is missing: run \`npm run build\` (scripts/setup.sh does)`,
    );
  }
  return file;
}

export function makeProvider(
  kind: ResourceKind,
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
