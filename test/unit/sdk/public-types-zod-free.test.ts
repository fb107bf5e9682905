// The package's public type surface names no zod type: a consumer whose tsconfig has neither skipLibCheck nor
// esModuleInterop (the one `pulumi new typescript` writes) type-checks its program with `tsc --noEmit`, which
// fails when a declaration reachable from the entry imports "zod" (zod's own .d.cts files then need
// esModuleInterop). The declarations are emitted in memory from the source, as `npm run build` would, and
// walked from sdk/index.d.ts along their relative imports.
import { strict as assert } from "node:assert";
import * as path from "node:path";
import ts from "typescript";

const ROOT = path.resolve(__dirname, "..", "..", "..");

/** Every declaration file `tsc` emits for the program rooted at sdk/index.ts, by its source-relative path. */
function emittedDeclarations(): Map<string, string> {
  const options: ts.CompilerOptions = {
    target: ts.ScriptTarget.ES2022,
    module: ts.ModuleKind.CommonJS,
    moduleResolution: ts.ModuleResolutionKind.Node10,
    strict: true,
    esModuleInterop: true,
    resolveJsonModule: true,
    skipLibCheck: true,
    declaration: true,
    emitDeclarationOnly: true,
    rootDir: ROOT,
    outDir: path.join(ROOT, "dist"),
    types: ["node"],
  };
  const program = ts.createProgram([path.join(ROOT, "sdk", "index.ts")], options);
  const out = new Map<string, string>();
  const result = program.emit(undefined, (file, text) => {
    if (file.endsWith(".d.ts")) out.set(path.relative(path.join(ROOT, "dist"), file), text);
  });
  assert.deepEqual(
    result.diagnostics.map((d) => ts.flattenDiagnosticMessageText(d.messageText, "\n")),
    [],
  );
  return out;
}

/** The module specifiers a declaration file imports or re-exports (including `import("…")` types). */
function specifiers(text: string): string[] {
  const found = new Set<string>();
  for (const m of text.matchAll(/(?:from\s+|import\s*\(\s*|import\s+)["']([^"']+)["']/g))
    found.add(m[1] ?? "");
  return [...found];
}

describe("the package's public declarations", function () {
  this.timeout(120_000);

  it("reach no declaration that imports zod from sdk/index.d.ts", function () {
    const emitted = emittedDeclarations();
    const start = path.join("sdk", "index.d.ts");
    assert.ok(emitted.has(start), "sdk/index.d.ts was not emitted");
    const seen = new Set<string>();
    const queue = [start];
    const importingZod: string[] = [];
    while (queue.length > 0) {
      const file = queue.shift() ?? "";
      if (seen.has(file)) continue;
      seen.add(file);
      const text = emitted.get(file);
      assert.ok(text !== undefined, `${file} is imported by the public declarations but was not emitted`);
      for (const s of specifiers(text)) {
        if ((s === "zod" || s.startsWith("zod/")) && !importingZod.includes(file)) importingZod.push(file);
        if (!s.startsWith(".")) continue;
        const target = path.normalize(path.join(path.dirname(file), s));
        const candidates = [`${target}.d.ts`, path.join(target, "index.d.ts")];
        const next = candidates.find((c) => emitted.has(c));
        if (next !== undefined) queue.push(next);
      }
    }
    assert.deepEqual(importingZod.sort(), [], `declarations reachable from ${start} that import zod`);
  });
});
