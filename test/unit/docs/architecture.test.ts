// The import rules of ARCHITECTURE.md, checked on the source tree: each folder imports only the folders
// its process may load. A new import across a rule fails here, naming the file, the import and the rule.
import * as assert from "node:assert/strict";
import * as fs from "node:fs";
import * as path from "node:path";

const ROOT = path.resolve(__dirname, "..", "..", "..");
const SOURCE_ROOTS = ["core", "sdk", "provider", "cli", "policy", "emulator"];

/** The area a file belongs to: a top-level folder, or a sub-folder where ARCHITECTURE.md draws one. */
function areaOf(file: string): string {
  const parts = file.split("/");
  if (parts[0] === "provider" && parts[1] === "clients" && parts.length > 3)
    return `provider/clients/${parts[2]}`;
  if (parts[0] === "provider" && parts.length > 2) return `provider/${parts[1]}`;
  if (parts[0] === "emulator" && parts.length > 2) return `emulator/${parts[1]}`;
  return parts[0] ?? file;
}

/** Which areas each area may import (a trailing `*` matches every sub-area). */
const MAY_IMPORT: Record<string, string[]> = {
  core: ["core"],
  sdk: ["core", "sdk"],
  policy: ["core", "sdk", "policy"],
  "provider/clients/*": ["core", "provider/clients/*"],
  "provider/executor": ["core", "provider/clients/*", "provider/executor"],
  "provider/resources": ["core", "sdk", "provider/*"],
  cli: ["core", "sdk", "provider/*", "cli"],
  "emulator/*": ["core", "emulator/*"],
};

/**
 * Files of the client that the emulator shares, each a wire format or a key format both sides must read
 * alike; the emulator's behaviour itself comes from the guides, never from the client.
 */
const EMULATOR_SHARES = new Set([
  "cli/package-version.ts",
  "provider/clients/system-control/core-shell-commands.ts",
  "provider/clients/system-control/operations.ts",
  "provider/clients/sps/recording.ts",
  "provider/clients/hosts/host-key.ts",
  "provider/clients/hosts/ssh-options.ts",
]);

/** The one file of core/ that reads: a user-named input file, with a size cap, for every process alike. */
const CORE_FILE_READER = "core/bounded-file.ts";

function matches(pattern: string, area: string): boolean {
  return pattern.endsWith("/*") ? area.startsWith(pattern.slice(0, -1)) : pattern === area;
}

function rulesFor(area: string): string[] | undefined {
  const key = Object.keys(MAY_IMPORT).find((k) => matches(k, area));
  return key === undefined ? undefined : MAY_IMPORT[key];
}

function sourceFiles(): string[] {
  const out: string[] = [];
  const walk = (rel: string): void => {
    for (const entry of fs.readdirSync(path.join(ROOT, rel), { withFileTypes: true })) {
      const child = `${rel}/${entry.name}`;
      if (entry.isDirectory()) walk(child);
      else if (entry.name.endsWith(".ts") && !entry.name.endsWith(".d.ts")) out.push(child);
    }
  };
  for (const r of SOURCE_ROOTS) if (fs.existsSync(path.join(ROOT, r))) walk(r);
  return out;
}

/** `import … from`, `export … from`, a bare `import "…"`, `import("…")` and `require("…")`. */
const SPECIFIER =
  /(?:^|[\s;])(?:import|export)\b[^"';]*?\bfrom\s*["']([^"']+)["']|(?:^|[\s;])import\s*["']([^"']+)["']|\b(?:require|import)\(\s*["']([^"']+)["']\s*\)/g;

function specifiersIn(text: string): string[] {
  return [...text.matchAll(SPECIFIER)].map((m) => m[1] ?? m[2] ?? m[3] ?? "").filter((s) => s !== "");
}

function importsOf(file: string): string[] {
  return specifiersIn(fs.readFileSync(path.join(ROOT, file), "utf8"));
}

/** ARCHITECTURE.md's "Import rules" table: area → the folders its second column names. */
function documentedRules(): Record<string, string[]> {
  const text = fs.readFileSync(path.join(ROOT, "ARCHITECTURE.md"), "utf8");
  const section = text.split(/^## /m).find((s) => s.startsWith("Import rules")) ?? "";
  const out: Record<string, string[]> = {};
  for (const line of section.split("\n")) {
    const cells = line.split("|").map((c) => c.trim());
    const area = /^`([^`]+)`$/.exec(cells[1] ?? "")?.[1];
    if (area === undefined || cells.length < 4) continue;
    const folders = [...(cells[2] ?? "").matchAll(/`([^`]+\/\*?)`/g)].map((m) =>
      (m[1] ?? "").replace(/\/$/, ""),
    );
    out[area.replace(/\/$/, "")] = folders;
  }
  return out;
}

function resolveLocal(file: string, spec: string): string | undefined {
  const base = path.posix.normalize(path.posix.join(path.posix.dirname(file), spec));
  for (const c of [`${base}.ts`, `${base}/index.ts`, base]) {
    if (fs.existsSync(path.join(ROOT, c)) && fs.statSync(path.join(ROOT, c)).isFile()) return c;
  }
  return undefined;
}

describe("ARCHITECTURE.md: the import rules hold", function () {
  this.timeout(30_000);
  const files = sourceFiles();

  it("finds the source folders", () => {
    for (const r of SOURCE_ROOTS)
      assert.ok(
        files.some((f) => f.startsWith(`${r}/`)),
        `${r}/ has sources`,
      );
  });

  it("every source file is in an area with rules", () => {
    assert.deepEqual(
      files.filter((f) => rulesFor(areaOf(f)) === undefined),
      [],
      "add the area to ARCHITECTURE.md and to MAY_IMPORT",
    );
  });

  it("each file imports only what its area may load", () => {
    const broken: string[] = [];
    for (const file of files) {
      const area = areaOf(file);
      const may = rulesFor(area) ?? [];
      for (const spec of importsOf(file)) {
        if (!spec.startsWith(".")) continue;
        const target = resolveLocal(file, spec);
        if (target === undefined) continue;
        const to = areaOf(target);
        if (may.some((p) => matches(p, to))) continue;
        if (area.startsWith("emulator/") && EMULATOR_SHARES.has(target)) continue;
        broken.push(`${file} imports ${target} (${area} may import ${may.join(", ")})`);
      }
    }
    assert.deepEqual(broken, [], "see ARCHITECTURE.md, 'Import rules'");
  });

  it("core/ does no I/O: only zod and semver, and one capped file reader", () => {
    const broken: string[] = [];
    for (const file of files.filter((f) => f.startsWith("core/"))) {
      for (const spec of importsOf(file)) {
        if (spec.startsWith(".") || spec === "zod" || spec === "semver") continue;
        if (file === CORE_FILE_READER && spec === "node:fs") continue;
        broken.push(`${file} imports ${spec}`);
      }
    }
    assert.deepEqual(broken, [], "core/ is the pure planner: move the effect behind an interface");
  });

  it("the table here is ARCHITECTURE.md's table", () => {
    assert.deepEqual(documentedRules(), MAY_IMPORT);
  });

  it("sees every import form: from, side effect, dynamic import, require", () => {
    const text = [
      'import { a } from "./a";',
      'export * from "./b";',
      'import "./c";',
      'const d = await import("./d");',
      'const e = require("./e");',
      "import type { F } from './f';",
    ].join("\n");
    assert.deepEqual(specifiersIn(text), ["./a", "./b", "./c", "./d", "./e", "./f"]);
  });

  it("the rule table rejects an import it should (the check itself can fail)", () => {
    assert.equal(
      rulesFor("sdk")?.some((p) => matches(p, "provider/executor")),
      false,
    );
    assert.equal(
      rulesFor("core")?.some((p) => matches(p, "sdk")),
      false,
    );
    assert.equal(
      rulesFor("provider/clients/sps")?.some((p) => matches(p, "provider/executor")),
      false,
    );
    assert.equal(
      rulesFor("provider/resources")?.some((p) => matches(p, "provider/clients/sps")),
      true,
    );
  });
});
