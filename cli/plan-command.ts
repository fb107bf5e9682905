/**
 * `sps-upgrade plan` — the offline planner (plan-contract.md): no appliance is contacted.
 * Exit 0: plan without blocking finding; 1: valid request that cannot be planned safely;
 * 2: bad input (one message naming the file and the field path, or the flag).
 */
import { defaultCatalog } from "../core/default-catalog";
import { planFleet } from "../core/fleet-plan";
import { hasBlockingFinding } from "../core/plan";
import { type CliIo, type Command, commandArgs, usageError } from "./command";
import { formatPlan } from "./format-plan";
import { withInputFileFindings } from "./input-files";
import { InputError, loadCatalog, loadFleet, loadInventoryFleet } from "./inputs";

const USAGE = `usage: sps-upgrade plan --fleet FLEET.json [--catalog CATALOG.json] [--json]
                         [--as-of YYYY-MM-DD] [--max-parallel N]
       sps-upgrade plan --inventory INVENTORY.json [...]   (the fleet inventory file of
                         SpsFleet.fromInventory and doctor: every node with its version)`;

const OPTIONS = {
  fleet: { type: "string" },
  inventory: { type: "string" },
  catalog: { type: "string" },
  json: { type: "boolean" },
  "as-of": { type: "string" },
  "max-parallel": { type: "string" },
} as const;

function run(args: readonly string[], io: CliIo): number {
  const values = commandArgs(args, OPTIONS, io, USAGE);
  if (typeof values === "number") return values;
  if (values.fleet && values.inventory)
    return usageError(io, USAGE, "--fleet and --inventory: give one of them, not both");
  const source = values.fleet ?? values.inventory;
  if (!source) return usageError(io, USAGE, "--fleet FLEET.json (or --inventory INVENTORY.json) is required");
  const asOf = values["as-of"] ?? io.today();
  if (!/^\d{4}-\d{2}-\d{2}$/.test(asOf) || Number.isNaN(Date.parse(asOf))) {
    return usageError(io, USAGE, `--as-of: "${asOf}" is not an ISO date (YYYY-MM-DD)`);
  }
  const maxParallel = values["max-parallel"] === undefined ? undefined : Number(values["max-parallel"]);
  if (maxParallel !== undefined && (!Number.isInteger(maxParallel) || maxParallel < 1))
    return usageError(
      io,
      USAGE,
      `--max-parallel: "${values["max-parallel"]}" is not a positive whole number`,
    );
  try {
    const fleet = values.fleet ? loadFleet(source) : loadInventoryFleet(source);
    const catalog = values.catalog ? loadCatalog(values.catalog) : defaultCatalog();
    const doc = withInputFileFindings(
      fleet,
      planFleet(fleet, catalog, { asOf, ...(maxParallel ? { maxParallel } : {}) }),
    );
    io.stdout(values.json ? `${JSON.stringify(doc, null, 2)}\n` : formatPlan(doc));
    return hasBlockingFinding(doc) ? 1 : 0;
  } catch (e) {
    if (!(e instanceof InputError)) throw e;
    io.stderr(`sps-upgrade: ${e.message}\n`);
    return 2;
  }
}

export const planCommand: Command = {
  summary: "plan a fleet's upgrade offline (plan-contract.md); --json for the plan document",
  usage: USAGE,
  run,
};
