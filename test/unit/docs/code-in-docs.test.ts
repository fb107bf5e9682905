/**
 * The code the documentation shows is code that compiles against the package: every `ts` block of the
 * README and docs/ is typechecked as a program that imports "pulumi-sps" (the package's own types,
 * sdk/index.ts), and docs/reference/resources.md names every input and output of every resource the
 * package exports. The user guide's full program is also run through the engine by
 * test/e2e/consumer-package.test.ts.
 */
import * as assert from "node:assert/strict";
import * as path from "node:path";
import * as ts from "typescript";
import { codeBlocks, docFiles, readDoc, ROOT, section, type CodeBlock } from "./doc-files";

/** The compiler options of the repository's tsconfig.json ("pulumi-sps" → sdk/index.ts). */
function compilerOptions(): ts.CompilerOptions {
  const file = path.join(ROOT, "tsconfig.json");
  const config = ts.readConfigFile(file, (f) => ts.sys.readFile(f));
  const parsed = ts.parseJsonConfigFileContent(config.config, ts.sys, ROOT);
  return { ...parsed.options, noEmit: true, incremental: false, declaration: false, sourceMap: false };
}

/**
 * One program over `sources` (virtual files at the repository root, each a module of its own) and the
 * package: the diagnostics of each source, and the checker.
 */
function typecheck(sources: Map<string, string>): {
  errors: Map<string, string[]>;
  checker: ts.TypeChecker;
  program: ts.Program;
} {
  const options = compilerOptions();
  const host = ts.createCompilerHost(options);
  const read = host.getSourceFile.bind(host);
  host.getSourceFile = (name, language, ...rest) => {
    const text = sources.get(name);
    return text === undefined
      ? read(name, language, ...rest)
      : ts.createSourceFile(name, text, language, true);
  };
  const fileExists = host.fileExists.bind(host);
  host.fileExists = (name) => sources.has(name) || fileExists(name);
  const program = ts.createProgram({ rootNames: [...sources.keys()], options, host });
  const errors = new Map<string, string[]>();
  for (const name of sources.keys()) {
    const file = program.getSourceFile(name);
    const diagnostics = file ? ts.getPreEmitDiagnostics(program, file) : [];
    errors.set(
      name,
      diagnostics.map((d) => {
        const where =
          d.file && d.start !== undefined
            ? `line ${d.file.getLineAndCharacterOfPosition(d.start).line + 1}: `
            : "";
        return `${where}${ts.flattenDiagnosticMessageText(d.messageText, "\n")}`;
      }),
    );
  }
  return { errors, checker: program.getTypeChecker(), program };
}

/** A block as a module of its own (a block without imports would otherwise share the global scope). */
function moduleText(block: CodeBlock): string {
  return `${block.code}\nexport {};\n`;
}

function virtualName(block: CodeBlock, i: number): string {
  return path.join(ROOT, `__doc_snippet_${i}_${block.file.replace(/[^A-Za-z0-9]/g, "_")}_${block.line}.ts`);
}

const tsBlocks = (): CodeBlock[] =>
  docFiles().flatMap((f) =>
    codeBlocks(f, readDoc(f)).filter((b) => b.lang === "ts" || b.lang === "typescript"),
  );

/** A snippet with a typo, compiled beside the real ones to show the check catches it. */
const BROKEN: CodeBlock = {
  file: "docs/x.md",
  line: 3,
  lang: "ts",
  code: 'import { SpsCluster } from "pulumi-sps";\nnew SpsCluster("x", { target: "6.3", nodes: [], firmware: {}, tagret: "6.3" });\n',
};

/** Each exported resource (or component) and the argument types whose fields its section must name. */
const RESOURCES: Record<string, string[]> = {
  SpsCluster: ["SpsClusterArgs"],
  SpsFleet: ["SpsFleetArgs", "FleetClusterArgs", "FleetInventoryArgs", "GateOutput"],
  RolloutStage: ["RolloutStageArgs"],
  ClusterFirmware: ["ClusterFirmwareArgs"],
  License: ["LicenseArgs"],
  Plugin: ["PluginArgs"],
  IndexerPackage: ["IndexerPackageArgs"],
  SppJoin: ["SppJoinArgs"],
  NextHopMonitoring: ["NextHopMonitoringArgs"],
  TrafficRedirection: ["TrafficRedirectionArgs"],
};
/** Shared input types, each with a section of its own. */
const SHARED = ["ApplianceNodeInput", "TlsInput", "SystemControlInput"];
const ENTRY = path.join(ROOT, "__doc_resources_entry.ts");

let compiled: { blocks: CodeBlock[]; result: ReturnType<typeof typecheck> } | undefined;
/** One program for every check of this file (compiling the package takes seconds). */
function compiledDocs(): { blocks: CodeBlock[]; result: ReturnType<typeof typecheck> } {
  if (compiled) return compiled;
  const blocks = tsBlocks();
  const names = [...Object.keys(RESOURCES), ...Object.values(RESOURCES).flat(), ...SHARED];
  const sources = new Map([
    ...blocks.map((b, i): [string, string] => [virtualName(b, i), moduleText(b)]),
    [virtualName(BROKEN, -1), moduleText(BROKEN)],
    [ENTRY, `import type { ${[...new Set(names)].join(", ")} } from "pulumi-sps";\nexport {};\n`],
  ]);
  compiled = { blocks, result: typecheck(sources) };
  return compiled;
}

describe("the code the documentation shows compiles against the package", function () {
  this.timeout(120_000);

  it("every ts block of the README and docs/ typechecks as a program importing pulumi-sps", function () {
    const { blocks, result } = compiledDocs();
    const { errors } = result;
    assert.ok(blocks.length >= 5, `only ${blocks.length} ts blocks found`);
    const failed = blocks.flatMap((b, i) =>
      (errors.get(virtualName(b, i)) ?? []).map((e) => `${b.file}:${b.line} (ts block): ${e}`),
    );
    assert.deepEqual(failed, []);
  });

  it("a broken snippet fails the check, naming the file and line (the check is not vacuous)", function () {
    const { errors } = compiledDocs().result;
    assert.match((errors.get(virtualName(BROKEN, -1)) ?? []).join("\n"), /tagret/);
  });

  it("the README's program and the user guide's full program are there", function () {
    assert.ok(
      codeBlocks("README.md", section(readDoc("README.md"), "A program") ?? "").some((b) => b.lang === "ts"),
      'README.md: a ts block under "## A program"',
    );
    assert.ok(
      codeBlocks("docs/user-guide.md", section(readDoc("docs/user-guide.md"), "A Pulumi program") ?? "").some(
        (b) => b.lang === "ts",
      ),
      'docs/user-guide.md: a ts block under "## A Pulumi program" (test/e2e/consumer-package.test.ts runs it)',
    );
  });
});

describe("docs/reference/resources.md names every input and output of the package's resources", function () {
  this.timeout(120_000);
  let doc = "";
  let fieldsOf: (typeName: string) => string[] = () => [];
  let outputsOf: (className: string) => string[] = () => [];
  let exportedResources: string[] = [];
  before(function () {
    doc = readDoc("docs/reference/resources.md");
    const { checker, program } = compiledDocs().result;
    const sdk = program.getSourceFile(path.join(ROOT, "sdk", "index.ts"));
    assert.ok(sdk, "sdk/index.ts");
    const moduleSymbol = checker.getSymbolAtLocation(sdk);
    assert.ok(moduleSymbol);
    const exported = new Map(checker.getExportsOfModule(moduleSymbol).map((s) => [s.name, s]));
    const resolved = (name: string): ts.Symbol => {
      const s = exported.get(name);
      assert.ok(s, `pulumi-sps exports ${name}`);
      return s.flags & ts.SymbolFlags.Alias ? checker.getAliasedSymbol(s) : s;
    };
    /** A class whose base classes reach @pulumi/pulumi's Resource (generic bases read through their symbol). */
    const isResource = (t: ts.Type): boolean => {
      const symbol = t.getSymbol();
      if (!symbol) return false;
      if (symbol.name === "Resource") return true;
      const declared = checker.getDeclaredTypeOfSymbol(symbol);
      return declared.isClassOrInterface() && (checker.getBaseTypes(declared) ?? []).some(isResource);
    };
    exportedResources = [...exported.keys()].filter((name) => {
      const s = resolved(name);
      return (s.flags & ts.SymbolFlags.Class) !== 0 && isResource(checker.getDeclaredTypeOfSymbol(s));
    });
    fieldsOf = (typeName) => {
      const s = resolved(typeName);
      return checker.getPropertiesOfType(checker.getDeclaredTypeOfSymbol(s)).map((p) => p.name);
    };
    /** The public properties a resource class declares itself (its outputs), not the engine's (urn, id). */
    outputsOf = (className) => {
      const s = resolved(className);
      const decl = s.declarations?.find(ts.isClassDeclaration);
      assert.ok(decl, `${className} is a class`);
      return decl.members
        .filter((m): m is ts.PropertyDeclaration => ts.isPropertyDeclaration(m))
        .filter((m) => {
          const flags = ts.getCombinedModifierFlags(m);
          return !(flags & (ts.ModifierFlags.Private | ts.ModifierFlags.Protected | ts.ModifierFlags.Static));
        })
        .map((m) => m.name.getText())
        .filter((n) => !n.startsWith("_"));
    };
  });
  const missing = (sectionTitle: string, fields: string[]): string[] => {
    const text = section(doc, sectionTitle);
    if (text === undefined) return [`no section "${sectionTitle}"`];
    return fields.filter((f) => !text.includes(`\`${f}\``)).map((f) => `${sectionTitle}: \`${f}\``);
  };

  it("every resource class the package exports is checked here (a new resource needs its section)", function () {
    assert.ok(exportedResources.length >= 10, exportedResources.join(", "));
    assert.deepEqual(
      exportedResources.filter((r) => !(r in RESOURCES)).sort(),
      [],
      "add it to RESOURCES in this file and a section to docs/reference/resources.md",
    );
  });

  for (const [resource, argTypes] of Object.entries(RESOURCES)) {
    it(`${resource}: every input and output in its section`, function () {
      const fields = [...argTypes.flatMap(fieldsOf), ...outputsOf(resource)].filter(
        (f) => !f.startsWith("_"),
      );
      assert.deepEqual(missing(`\`${resource}\``, [...new Set(fields)]), []);
    });
  }
  for (const shared of SHARED) {
    it(`${shared}: every field in its section`, function () {
      assert.deepEqual(missing(`\`${shared}\``, fieldsOf(shared)), []);
    });
  }
});
