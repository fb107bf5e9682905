/**
 * Turning zod issues into messages that name the field path and the fix
 * (`clusters[0].nodes[2].version: "6.x" is not a version ...`). Shared by the CLI (exit 2)
 * and the Pulumi resources (`check` failures as {property, reason}).
 */
import { z } from "zod";
import { formatPath, type FieldProblem } from "./field-problems";
import { isVersionText, parseVersionSpec } from "./version";

export { type FieldProblem, formatPath, describeProblems } from "./field-problems";

/** `fieldProblems`, every property under `prefix` (`rollout.stages[0].name`). */
export function fieldProblemsUnder(prefix: string, error: z.ZodError): FieldProblem[] {
  return fieldProblems(error).map((p) => ({ ...p, property: `${prefix}.${p.property}` }));
}

export function fieldProblems(error: z.ZodError): FieldProblem[] {
  return error.issues.map((issue) => {
    let property = formatPath(issue.path);
    let reason = issue.message;
    if (issue.code === "unrecognized_keys") {
      const keys = issue.keys;
      if (keys.length === 1) property = formatPath([...issue.path, keys[0]]);
      reason = `unknown field${keys.length > 1 ? "s" : ""} ${keys.map((k) => `"${k}"`).join(", ")}; check the spelling against the documented format`;
    } else if (issue.code === "invalid_type" && issue.message.includes("received undefined")) {
      reason = `is required (${issue.message.replace(/^Invalid input: /, "")})`;
    }
    return { property, reason };
  });
}

/** zod type for a version text in any V1 spelling (`6.3`, `6.3.2`, `5 F11`, `6 LTS`). */
export const versionSpecText = z.string().refine(isVersionText, {
  error: (iss) => `${JSON.stringify(iss.input)} is not a version (use X.Y.Z, X.Y, "X F<Y>" or "X LTS")`,
});

/** zod type for a revision text (`X.Y.Z`). */
export const revisionText = z
  .string()
  .refine((s) => isVersionText(s) && parseVersionSpec(s).kind === "revision", {
    error: (iss) => `${JSON.stringify(iss.input)} is not a version revision (use X.Y.Z, e.g. 6.0.5)`,
  });
