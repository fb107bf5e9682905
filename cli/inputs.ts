/**
 * Reading the planner's input files: JSON parse + zod validation, with one clear message that
 * names the file and the field path (plan-contract.md, exit code 2).
 */
import { SpsError } from "../core/errors";
import { InputFileTooLargeError, readTextFileBounded } from "../core/bounded-file";
import { z } from "zod";
import { Catalog } from "../core/catalog";
import { catalogSchema } from "../core/catalog-schema";
import { Fleet, fleetSchema } from "../core/fleet";
import { plannerFleet } from "../core/inventory";
import { inventorySchema } from "../core/inventory-schema";
import { fieldProblems } from "../core/validation";

export class InputError extends SpsError {
  static override readonly code: string = "PLAN_INPUT_INVALID";
}

function readJsonFile<T>(file: string, what: string, schema: z.ZodType<T>): T {
  let text: string;
  try {
    text = readTextFileBounded(file);
  } catch (e) {
    if (e instanceof InputFileTooLargeError)
      throw new InputError(
        `${file}: the ${what} file is larger than ${e.maxBytes} bytes (or not a regular file); give the path of the ${what} file`,
      );
    const code = (e as NodeJS.ErrnoException).code ?? "unreadable";
    throw new InputError(`${file}: cannot read the ${what} file (${code})`);
  }
  let data: unknown;
  try {
    data = JSON.parse(text);
  } catch (e) {
    throw new InputError(`${file}: the ${what} file is not valid JSON (${(e as Error).message})`);
  }
  const r = schema.safeParse(data);
  if (r.success) return r.data;
  throw new InputError(
    fieldProblems(r.error)
      .map((p) => `${file}: ${p.property}: ${p.reason}`)
      .join("\n"),
  );
}

export function loadFleet(file: string): Fleet {
  return readJsonFile(file, "fleet", fleetSchema);
}

/**
 * The planner's fleet of an inventory file (the file `SpsFleet.fromInventory` and `sps-upgrade doctor`
 * read): every node needs its `version`, every cluster a target (its own or `defaults.target`). The
 * trust fields are validated but no `caFile` is read (the offline planner contacts nothing).
 */
export function loadInventoryFleet(file: string): Fleet {
  const r = plannerFleet(readJsonFile(file, "inventory", inventorySchema));
  if (r.ok) return r.fleet;
  throw new InputError(r.problems.map((p) => `${file}: ${p.property}: ${p.reason}`).join("\n"));
}

export function loadCatalog(file: string): Catalog {
  return Catalog.fromFile(readJsonFile(file, "catalog", catalogSchema));
}
