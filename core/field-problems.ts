/**
 * A problem of one field of a user's document (`clusters[0].nodes[2].version: "6.x" is not a version ...`),
 * as the CLI prints it and the Pulumi resources report it (`check` failures as {property, reason}).
 * Plain types, no zod: the package's public declarations reach this file.
 */
export interface FieldProblem {
  /** Field path in the document, e.g. `clusters[0].nodes[2].version`. */
  readonly property: string;
  readonly reason: string;
}

export function formatPath(path: readonly PropertyKey[]): string {
  let out = "";
  for (const p of path) {
    if (typeof p === "number") out += `[${p}]`;
    else out += out === "" ? String(p) : `.${String(p)}`;
  }
  return out || "(document)";
}

export function describeProblems(problems: readonly FieldProblem[]): string {
  return problems.map((p) => `${p.property}: ${p.reason}`).join("\n");
}
