import { strict as assert } from "node:assert";
import { readdirSync, readFileSync } from "node:fs";
import { join, relative } from "node:path";
import { SpsError } from "../../../core/errors";
import { UserInputError, userProblems } from "../../../provider/resources/user-errors";

const ROOT = join(__dirname, "../../..");
const AREAS = ["provider", "sdk", "cli", "emulator"];
/**
 * Error classes that cannot extend SpsError, with the reason. DuplicateApplianceError is a
 * pulumi.RunError: the engine prints a RunError without a stack trace, which is what a user's
 * duplicate declaration needs.
 */
const NOT_SPS_ERRORS = new Set(["DuplicateApplianceError"]);

function sourceFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((d) => {
    const p = join(dir, d.name);
    if (d.isDirectory()) return d.name === "node_modules" ? [] : sourceFiles(p);
    return d.name.endsWith(".ts") && !d.name.endsWith(".d.ts") ? [p] : [];
  });
}

/** Every exported class of the project whose instances are Errors, by "file:name". */
async function exportedErrorClasses(): Promise<Map<string, new (...args: never[]) => Error>> {
  const found = new Map<string, new (...args: never[]) => Error>();
  for (const file of AREAS.flatMap((a) => sourceFiles(join(ROOT, a)))) {
    if (!/export (abstract )?class \w+ extends /.test(readFileSync(file, "utf8"))) continue;
    const mod = (await import(file)) as Record<string, unknown>;
    for (const [name, value] of Object.entries(mod)) {
      if (typeof value === "function" && value.prototype instanceof Error)
        found.set(`${relative(ROOT, file)}:${name}`, value as new (...args: never[]) => Error);
    }
  }
  return found;
}

describe("one error base (SpsError)", () => {
  let classes = new Map<string, new (...args: never[]) => Error>();
  before(async () => {
    classes = await exportedErrorClasses();
  });

  it("finds the project's error classes (the scan is not empty)", () => {
    assert.ok(classes.size >= 30, `only ${classes.size} error classes found`);
  });

  it("every exported error class extends SpsError, except the listed pulumi.RunError", () => {
    const outside = [...classes]
      .filter(([, c]) => c !== SpsError && !(c.prototype instanceof SpsError))
      .map(([where, c]) => (NOT_SPS_ERRORS.has(c.name) ? undefined : where))
      .filter((w) => w !== undefined);
    assert.deepEqual(outside, []);
  });

  it("every error class states its own code, and no two classes share one", () => {
    const byCode = new Map<string, string>();
    for (const [where, c] of classes) {
      if (!(c.prototype instanceof SpsError)) continue;
      assert.ok(Object.hasOwn(c, "code"), `${where} states no static code of its own`);
      const code = (c as unknown as typeof SpsError).code;
      assert.match(code, /^[A-Z][A-Z0-9_]+$/, where);
      const other = byCode.get(code);
      assert.ok(other === undefined || other === c.name, `${where} and ${other} share the code ${code}`);
      byCode.set(code, c.name);
    }
  });

  it("an instance answers its class's code and name; field and hint are set only when given", () => {
    const e = new UserInputError("nodes[0].address", "must be a host name; write it without a scheme");
    assert.equal(e.code, "USER_INPUT_INVALID");
    assert.equal(e.name, "UserInputError");
    assert.equal(e.field, "nodes[0].address");
    assert.equal(e.hint, "must be a host name; write it without a scheme");
    const plain = new SpsError("x");
    assert.equal(plain.code, "SPS_ERROR");
    assert.deepEqual(Object.keys(plain), ["name"]);
  });

  it("any SpsError naming its field and fix becomes a check failure for that field", () => {
    class FieldError extends SpsError {
      static override readonly code: string = "TEST_FIELD";
    }
    const problems = userProblems(new FieldError("m", { field: "hostKey", hint: "update the hostKey" }));
    assert.deepEqual(problems, [{ property: "hostKey", reason: "update the hostKey" }]);
    assert.equal(userProblems(new FieldError("m")), undefined);
  });
});
