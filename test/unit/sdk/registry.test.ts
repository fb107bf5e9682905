// The resource registry (sdk/registry.ts) is the one list of the dynamic resources: every kind in it is
// a class the package exports, a kind its runtime entry dispatches (and no entry dispatches another), a
// type the policy pack checks; and no module of the program side loads provider-side code.
import { strict as assert } from "node:assert";
import * as fs from "node:fs";
import * as path from "node:path";
import ts from "typescript";
import * as sdk from "../../../sdk";
import { RUNTIME_ENTRIES, SpsDynamicResource } from "../../../sdk/dynamic";
import { RESOURCE_KINDS, RESOURCES, typeToken, type RuntimeEntry } from "../../../sdk/registry";
import * as core from "../../../provider/resources";
import * as integration from "../../../provider/resources/integration-providers";
import { CLUSTER_FIRMWARE_TYPE, isSpsType } from "../../../policy/sps-resources";

const ROOT = path.join(__dirname, "..", "..", "..");
const RUNTIMES: Record<RuntimeEntry, { providers: Record<string, unknown>; dynamicProvider: unknown }> = {
  core,
  integration,
};

describe("the resource registry", function () {
  it("lists every kind once, each with its own class name", function () {
    assert.ok(RESOURCE_KINDS.length >= 8, RESOURCE_KINDS.join(", "));
    const types = RESOURCE_KINDS.map((k) => RESOURCES[k].type);
    assert.equal(new Set(types).size, types.length, types.join(", "));
  });

  it("every kind is a resource class the package exports", function () {
    for (const kind of RESOURCE_KINDS) {
      const cls = (sdk as Record<string, unknown>)[RESOURCES[kind].type];
      assert.equal(typeof cls, "function", `${kind}: pulumi-sps exports no ${RESOURCES[kind].type}`);
      assert.ok(
        (cls as { prototype: unknown }).prototype instanceof SpsDynamicResource,
        `${kind}: ${RESOURCES[kind].type} is not an SpsDynamicResource`,
      );
    }
  });

  it("every kind is dispatched by the runtime entry its registry line names, and no entry dispatches another kind", function () {
    for (const kind of RESOURCE_KINDS) {
      const runtime = RUNTIMES[RESOURCES[kind].entry];
      assert.ok(kind in runtime.providers, `${kind}: ${RUNTIME_ENTRIES[RESOURCES[kind].entry]} lacks it`);
    }
    const dispatched = Object.values(RUNTIMES).flatMap((r) => Object.keys(r.providers));
    assert.deepEqual([...dispatched].sort(), [...RESOURCE_KINDS].sort());
    for (const runtime of Object.values(RUNTIMES)) {
      const dynamicProvider = runtime.dynamicProvider as (kind: string) => { check?: unknown };
      for (const kind of Object.keys(runtime.providers))
        assert.equal(typeof dynamicProvider(kind).check, "function", kind);
      assert.throws(() => dynamicProvider("noSuchKind"), /no provider of kind "noSuchKind"/);
    }
  });

  it("every kind's type is one the policy pack checks; other types are not", function () {
    for (const kind of RESOURCE_KINDS) assert.ok(isSpsType(typeToken(kind)), typeToken(kind));
    assert.equal(CLUSTER_FIRMWARE_TYPE, "pulumi-nodejs:dynamic/sps:ClusterFirmware");
    assert.equal(isSpsType("pulumi-nodejs:dynamic/sps:NoSuchResource"), false);
    assert.equal(isSpsType("aws:s3/bucket:Bucket"), false);
  });

  it("every wiring key is an input of the kind's schema, and no output is a wiring key", function () {
    for (const kind of RESOURCE_KINDS) {
      const { schema, outputs } = RESOURCES[kind];
      const wiring: readonly string[] = RESOURCES[kind].wiring ?? [];
      for (const key of wiring) assert.ok(key in schema.shape, `${kind}: wiring key ${key}`);
      for (const key of outputs) assert.ok(!wiring.includes(key), `${kind}: output ${key} is wiring`);
    }
  });
});

/** The files a module loads when it runs: its imports and re-exports, less those of types only. */
function runtimeImports(file: string): string[] {
  const source = ts.createSourceFile(file, fs.readFileSync(file, "utf8"), ts.ScriptTarget.ES2022);
  const found: string[] = [];
  for (const statement of source.statements) {
    let specifier: ts.Expression | undefined;
    if (ts.isImportDeclaration(statement)) {
      const clause = statement.importClause;
      const bindings = clause?.namedBindings;
      const typesOnly =
        clause?.isTypeOnly === true ||
        (clause !== undefined &&
          clause.name === undefined &&
          bindings !== undefined &&
          ts.isNamedImports(bindings) &&
          bindings.elements.length > 0 &&
          bindings.elements.every((e) => e.isTypeOnly));
      if (!typesOnly) specifier = statement.moduleSpecifier;
    } else if (ts.isExportDeclaration(statement) && !statement.isTypeOnly) {
      specifier = statement.moduleSpecifier;
    }
    if (!specifier || !ts.isStringLiteral(specifier) || !specifier.text.startsWith(".")) continue;
    const base = path.resolve(path.dirname(file), specifier.text);
    const target = [`${base}.ts`, path.join(base, "index.ts")].find((p) => fs.existsSync(p));
    if (target) found.push(target);
  }
  return found;
}

/** Every file `entry` loads, directly or through others, relative to the repository. */
function loadedBy(entry: string): string[] {
  const seen = new Set<string>();
  const todo = [path.join(ROOT, entry)];
  for (let file = todo.pop(); file !== undefined; file = todo.pop()) {
    if (seen.has(file)) continue;
    seen.add(file);
    todo.push(...runtimeImports(file));
  }
  return [...seen].map((f) => path.relative(ROOT, f).split(path.sep).join("/"));
}

/**
 * What a user's program may load: the SDK's own files (sdk/*.ts) and the pure planner core (core/, which
 * holds the traffic redirection's input schema too). Executor, REST and SSH clients,
 * hosts and the provider implementations load only in the dynamic-provider host.
 */
function programSide(file: string): boolean {
  return /^sdk\/[^/]+\.ts$/.test(file) || file.startsWith("core/");
}

describe("the program side", function () {
  it("no module of sdk/ loads provider-side code", function () {
    const modules = fs.readdirSync(path.join(ROOT, "sdk")).filter((f) => f.endsWith(".ts"));
    assert.ok(modules.includes("index.ts") && modules.includes("registry.ts"));
    for (const module of modules) {
      const outside = loadedBy(`sdk/${module}`).filter((f) => !programSide(f));
      assert.deepEqual(outside, [], `sdk/${module} loads ${outside.join(", ")}`);
    }
  });

  it("the check sees through re-exports: a runtime entry is provider side", function () {
    const loaded = loadedBy("provider/resources/index.ts");
    assert.ok(
      loaded.some((f) => f.startsWith("provider/executor/")),
      loaded.join(", "),
    );
    assert.ok(!loaded.filter((f) => f !== "provider/resources/index.ts").every(programSide));
  });
});
