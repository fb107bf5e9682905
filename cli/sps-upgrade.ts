/**
 * `sps-upgrade plan` — the offline planner (plan-contract.md): no appliance is contacted.
 * Exit 0: plan without blocking finding; 1: valid request that cannot be planned safely;
 * 2: bad input (one message naming the file and the field path).
 */
import { parseArgs } from "node:util";
import { defaultCatalog } from "../provider/domain/default-catalog";
import { planFleet } from "../provider/domain/fleet-plan";
import { hasBlockingFinding } from "../provider/domain/plan";
import { formatPlan } from "./format-plan";
import { InputError, loadCatalog, loadFleet } from "./inputs";

const USAGE = `usage: sps-upgrade plan --fleet FLEET.json [--catalog CATALOG.json] [--json]
                         [--as-of YYYY-MM-DD] [--max-parallel N]`;

export interface CliIo {
  stdout: (text: string) => void;
  stderr: (text: string) => void;
  today: () => string;
}

const processIo: CliIo = {
  stdout: (t) => process.stdout.write(t),
  stderr: (t) => process.stderr.write(t),
  today: () => new Date().toISOString().slice(0, 10),
};

function usageError(io: CliIo, message: string): number {
  io.stderr(`sps-upgrade: ${message}\n${USAGE}\n`);
  return 2;
}

export function runCli(argv: readonly string[], io: CliIo = processIo): number {
  const [command, ...rest] = argv;
  if (command === "--help" || command === "-h" || command === "help") {
    io.stdout(`${USAGE}\n`);
    return 0;
  }
  if (command !== "plan") return usageError(io, command ? `unknown command "${command}"` : "missing command");
  let values: { fleet?: string; catalog?: string; json?: boolean; "as-of"?: string; "max-parallel"?: string };
  try {
    values = parseArgs({
      args: [...rest],
      options: {
        fleet: { type: "string" },
        catalog: { type: "string" },
        json: { type: "boolean" },
        "as-of": { type: "string" },
        "max-parallel": { type: "string" },
      },
      strict: true,
      allowPositionals: false,
    }).values;
  } catch (e) {
    return usageError(io, (e as Error).message);
  }
  if (!values.fleet) return usageError(io, "--fleet FLEET.json is required");
  const asOf = values["as-of"] ?? io.today();
  if (!/^\d{4}-\d{2}-\d{2}$/.test(asOf) || Number.isNaN(Date.parse(asOf))) {
    return usageError(io, `--as-of: "${asOf}" is not an ISO date (YYYY-MM-DD)`);
  }
  let maxParallel: number | undefined;
  if (values["max-parallel"] !== undefined) {
    maxParallel = Number(values["max-parallel"]);
    if (!Number.isInteger(maxParallel) || maxParallel < 1) {
      return usageError(io, `--max-parallel: "${values["max-parallel"]}" is not a positive whole number`);
    }
  }
  try {
    const fleet = loadFleet(values.fleet);
    const catalog = values.catalog ? loadCatalog(values.catalog) : defaultCatalog();
    const doc = planFleet(fleet, catalog, { asOf, ...(maxParallel ? { maxParallel } : {}) });
    io.stdout(values.json ? `${JSON.stringify(doc, null, 2)}\n` : formatPlan(doc));
    return hasBlockingFinding(doc) ? 1 : 0;
  } catch (e) {
    if (e instanceof InputError) {
      io.stderr(`sps-upgrade: ${e.message}\n`);
      return 2;
    }
    throw e;
  }
}

if (require.main === module) {
  process.exitCode = runCli(process.argv.slice(2));
}
