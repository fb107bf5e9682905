/**
 * `evidenceDir` (where support bundles are written, rules S8, S13) checked before anything is written
 * to a node: at preview a path that exists and is not a directory is refused; before the run's first
 * step the directory is created when missing and must be writable. Otherwise a run would start a
 * support-bundle job on the node and then fail writing its file (EEXIST, EACCES), leaving the job.
 */
import { accessSync, constants, mkdirSync, statSync } from "node:fs";
import { resolve } from "node:path";

const FIX = "give the path of a directory the provider can write (it is created when missing)";

/** Why `dir` cannot be the evidence directory, or undefined (read-only: for preview). */
export function evidenceDirProblem(dir: string | undefined): string | undefined {
  if (dir === undefined) return undefined;
  const abs = resolve(dir);
  try {
    if (!statSync(abs).isDirectory()) return `${abs} exists and is not a directory; ${FIX}`;
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    if (code === "ENOENT") return undefined;
    if (code === "ENOTDIR") return `a part of ${abs} is a file, not a directory; ${FIX}`;
    return `${abs} cannot be read (${code ?? String(e)}); ${FIX}`;
  }
  return undefined;
}

/** Creates `dir` when missing and checks it is a writable directory; throws naming `evidenceDir`. */
export function prepareEvidenceDir(dir: string | undefined): void {
  if (dir === undefined) return;
  const abs = resolve(dir);
  const problem = evidenceDirProblem(dir);
  if (problem) throw new Error(`evidenceDir: ${problem}`);
  try {
    mkdirSync(abs, { recursive: true });
    accessSync(abs, constants.W_OK);
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code ?? String(e);
    throw new Error(`evidenceDir: ${abs} is not a writable directory (${code}); ${FIX}`);
  }
}
