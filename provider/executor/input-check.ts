/**
 * Before the first write to any node of a cluster: every file the (remaining) plan needs is declared,
 * readable and, where a SHA-256 is declared, has it (core/plan-inputs.ts says which). A run
 * that lacks one refuses with nothing changed — a license missing for a new LTS found only after the
 * reboot into it cannot be undone (rules S2, S11; [doc] 6.0 upgrade guide, "Upgrade checklist": "You need
 * a new license file for every LTS release"). The sdk's preview runs the same check (a blocking finding).
 */
import { constants, promises as fs } from "node:fs";
import { sha256OfFile } from "../clients/files/file-sha256";
import { describeInput, INPUT_RULES, type RequiredInput } from "../../core/plan-inputs";
import type { LicenseFile } from "../clients/system-control/operations";
import type { FirmwareImageInput, PluginPackage } from "./types";
import { indexerPackageField, indexerPackageOf, type DeclaredIndexerPackages } from "./indexer-packages";

/** The inputs as the executor takes them (ExecutionInputs' fields of the same names). */
export interface DeclaredInputs extends DeclaredIndexerPackages {
  firmware: Record<string, FirmwareImageInput>;
  licenses?: Record<string, LicenseFile>;
  plugins?: Record<string, Record<string, PluginPackage>>;
}

export interface InputProblem {
  rule: string;
  /** The declaration's field: `licenses["6"]`, `firmware["6.0.7"].path`, ... */
  field: string;
  /** What is wrong and the fix. */
  message: string;
  input: RequiredInput;
}

/** Why the file at `path` cannot be used (absent, unreadable, not a file, other SHA-256), or undefined. */
export async function localFileProblem(path: string, sha256?: string): Promise<string | undefined> {
  try {
    const st = await fs.stat(path);
    if (!st.isFile()) return `${path} is not a file`;
    await fs.access(path, constants.R_OK);
    if (sha256 === undefined) return undefined;
    const actual = (await sha256OfFile(path)).sha256;
    return actual === sha256.toLowerCase()
      ? undefined
      : `${path} has SHA-256 ${actual}, not the declared ${sha256.toLowerCase()}`;
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    return code === "ENOENT" ? `${path} does not exist` : `${path} cannot be read (${code ?? String(e)})`;
  }
}

/** The release "X.Y" of a revision "X.Y.Z" (plugin builds are declared per revision or per release). */
export const releaseOf = (version: string): string => version.split(".").slice(0, 2).join(".");

/** The plugin build declared for a target revision, else for its release. */
export function pluginBuild(
  declared: Pick<DeclaredInputs, "plugins">,
  plugin: string,
  version: string,
): { key: string; pkg: PluginPackage } | undefined {
  const builds = declared.plugins?.[plugin];
  const release = releaseOf(version);
  if (builds?.[version]) return { key: version, pkg: builds[version] };
  if (builds?.[release]) return { key: release, pkg: builds[release] };
  return undefined;
}

async function problemOf(i: RequiredInput, declared: DeclaredInputs): Promise<InputProblem | undefined> {
  const rule = INPUT_RULES[i.kind];
  const on = `needed on ${i.nodes.join(", ")}`;
  const problem = (field: string, message: string): InputProblem => ({ rule, field, message, input: i });
  switch (i.kind) {
    case "firmware": {
      const image = declared.firmware[i.version];
      const field = `firmware["${i.version}"]`;
      if (!image)
        return problem(field, `no ${describeInput(i)} (${on}); add ${field} with its path and sha256`);
      if (!("path" in image)) return undefined; // fetched by the appliance itself (S3), nothing local
      const bad = await localFileProblem(image.path, image.sha256);
      return bad ? problem(`${field}.path`, `${bad} (${on}); fix ${field}`) : undefined;
    }
    case "license": {
      const file = declared.licenses?.[i.major];
      const field = `licenses["${i.major}"]`;
      if (!file)
        return problem(
          field,
          `no ${describeInput(i)} (${on}: the plan enters ${i.major} LTS, and a new LTS needs a new license file, uploaded after its reboot); add ${field}`,
        );
      if (file.content.length === 0)
        return problem(
          field,
          `the ${describeInput(i)} (${file.name ?? file.fileName}) is empty (${on}); give the license file's content`,
        );
      return undefined;
    }
    case "plugin": {
      const found = pluginBuild(declared, i.plugin, i.version);
      if (!found)
        return problem(
          `plugins["${i.plugin}"]`,
          `no ${describeInput(i)} (${on}); add plugins["${i.plugin}"]["${releaseOf(i.version)}"] with its version and path`,
        );
      const field = `plugins["${i.plugin}"]["${found.key}"]`;
      if (found.pkg.zip) return undefined;
      if (!found.pkg.path)
        return problem(field, `the ${describeInput(i)} has no path (${on}); give its path`);
      const bad = await localFileProblem(found.pkg.path, found.pkg.sha256);
      return bad ? problem(`${field}.path`, `${bad} (${on}); fix ${field}`) : undefined;
    }
    case "indexer-package":
      return undefined; // per host: indexerPackageProblems
  }
}

/**
 * The indexer RPMs (I3): one problem per host and revision whose package is missing or unusable —
 * each host's own package when the inputs declare them per host (./indexer-packages.ts).
 */
async function indexerPackageProblems(
  i: Extract<RequiredInput, { kind: "indexer-package" }>,
  declared: DeclaredInputs,
): Promise<InputProblem[]> {
  const rule = INPUT_RULES[i.kind];
  const perField = new Map<string, string[]>();
  for (const host of i.nodes) {
    const field = indexerPackageField(declared, host, i.version);
    perField.set(field, [...(perField.get(field) ?? []), host]);
  }
  const out = await Promise.all(
    [...perField].map(async ([field, hosts]): Promise<InputProblem | undefined> => {
      const on = `needed on ${hosts.join(", ")}`;
      const input = { ...i, nodes: hosts };
      const pkg = indexerPackageOf(declared, hosts[0] ?? "", i.version);
      if (!pkg)
        return {
          rule,
          field,
          input,
          message: `no ${describeInput(i)} (${on}); download it from the SPS (Local Services → Indexer service) and add ${field} with its path`,
        };
      const bad = await localFileProblem(pkg.path, pkg.sha256);
      return bad
        ? { rule, field: `${field}.path`, input, message: `${bad} (${on}); fix ${field}` }
        : undefined;
    }),
  );
  return out.filter((p): p is InputProblem => p !== undefined);
}

/** Every problem of the declared inputs for what `required` lists (empty: all present and readable). */
export async function inputProblems(
  required: readonly RequiredInput[],
  declared: DeclaredInputs,
): Promise<InputProblem[]> {
  const out = await Promise.all(
    required.map(async (i) =>
      i.kind === "indexer-package" ? indexerPackageProblems(i, declared) : [await problemOf(i, declared)],
    ),
  );
  return out.flat().filter((p): p is InputProblem => p !== undefined);
}

/** One line per problem: "licenses["6"]: no license for 6 LTS (...) (rule S2)". */
export function inputProblemLines(problems: readonly InputProblem[]): string[] {
  return problems.map((p) => `${p.field}: ${p.message} (rule ${p.rule})`);
}
