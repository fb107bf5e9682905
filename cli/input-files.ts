/**
 * `sps-upgrade plan`: the declared files the plan needs (firmware images by path, licenses, indexer
 * RPMs) exist, are readable and, where a sha256 is declared, match — each problem a blocking finding
 * (exit 1), as the run would refuse before its first write (provider/executor/input-check.ts). Only
 * what the fleet file declares is read; nothing is contacted.
 */
import { createHash } from "node:crypto";
import { closeSync, constants, accessSync, openSync, readSync, statSync } from "node:fs";
import type { Fleet } from "../core/fleet";
import type { Finding, PlanDocument } from "../core/plan";
import { describeInput, INPUT_RULES, requiredInputs } from "../core/plan-inputs";

function sha256OfFileSync(path: string): string {
  const hash = createHash("sha256");
  const fd = openSync(path, "r");
  try {
    const buf = Buffer.alloc(1 << 20);
    for (;;) {
      const n = readSync(fd, buf, 0, buf.length, null);
      if (n === 0) break;
      hash.update(buf.subarray(0, n));
    }
  } finally {
    closeSync(fd);
  }
  return hash.digest("hex");
}

function fileProblem(path: string, sha256: string | undefined): string | undefined {
  try {
    if (!statSync(path).isFile()) return `${path} is not a file`;
    accessSync(path, constants.R_OK);
    if (sha256 === undefined) return undefined;
    const actual = sha256OfFileSync(path);
    return actual === sha256.toLowerCase()
      ? undefined
      : `${path} has SHA-256 ${actual}, not the declared ${sha256.toLowerCase()}`;
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    return code === "ENOENT" ? `${path} does not exist` : `${path} cannot be read (${code ?? String(e)})`;
  }
}

/** Adds a blocking finding per declared file the plan needs that is absent, unreadable or altered. */
export function withInputFileFindings(fleet: Fleet, doc: PlanDocument): PlanDocument {
  const clusters = doc.clusters.map((plan, i) => {
    const cluster = fleet.clusters[i];
    if (!cluster || cluster.name !== plan.name) return plan;
    const found: Finding[] = [];
    for (const input of requiredInputs(plan.steps, plan.target)) {
      let field: string | undefined;
      let file: { path: string; sha256?: string } | undefined;
      if (input.kind === "firmware") {
        const image = cluster.firmware?.[input.version];
        if (image && "path" in image) [field, file] = [`firmware["${input.version}"].path`, image];
      } else if (input.kind === "license") {
        const f = cluster.licenses?.[input.major];
        if (f) [field, file] = [`licenses["${input.major}"].path`, f];
      } else if (input.kind === "indexer-package") {
        const f = cluster.indexerPackages?.[input.version];
        if (f) [field, file] = [`indexerPackages["${input.version}"].path`, f];
      }
      if (!field || !file) continue;
      const problem = fileProblem(file.path, file.sha256);
      if (problem)
        found.push({
          rule: INPUT_RULES[input.kind],
          severity: "error",
          message: `${field}: the ${describeInput(input)} (for ${input.nodes.join(", ")}): ${problem}; fix the file or the declaration`,
        });
    }
    return found.length > 0 ? { ...plan, findings: [...plan.findings, ...found] } : plan;
  });
  return { ...doc, clusters };
}
