/**
 * The preview's side of the run's input check (provider/executor/input-check.ts): every file the plan
 * needs — firmware images, a license per LTS the plan enters (S2, S11), plugin builds (P6) — declared,
 * readable and, where a SHA-256 is declared, matching. A problem is a blocking `check` failure naming
 * the declaration's field, so `pulumi preview` says before `up` what the run would refuse.
 */
import type { ClusterPlan } from "../../core/plan";
import { requiredInputs } from "../../core/plan-inputs";
import type { FieldProblem } from "../../core/validation";
import type { LicenseFile } from "../clients/system-control/operations";
import { inputProblems, type InputProblem } from "../executor/input-check";
import type { FirmwareInputs } from "../../sdk/inputs";

function sdkField(p: InputProblem): string {
  return p.field.replace(/^plugins\[/, "pluginBuilds[");
}

/**
 * `licenseTexts`: sps:credentials.licenses (name → text). A license named in `licenses` with no text there
 * counts as missing.
 */
export async function inputFailures(
  plan: ClusterPlan,
  f: FirmwareInputs,
  licenseTexts: Record<string, string>,
): Promise<FieldProblem[]> {
  const licenses: Record<string, LicenseFile> = {};
  for (const [major, name] of Object.entries(f.licenses)) {
    const text = licenseTexts[name];
    if (text !== undefined) licenses[major] = { fileName: `${name}.lic`, content: Buffer.from(text), name };
  }
  const problems = await inputProblems(requiredInputs(plan.steps, plan.target), {
    firmware: f.firmware,
    licenses,
    plugins: f.pluginBuilds,
    indexerHostPackages: indexerHostPackages(f),
  });
  return problems.map((p) => {
    if (p.input.kind === "indexer-package") return indexerPackageFailure(p, f);
    const major = p.input.kind === "license" ? p.input.major : undefined;
    const named = major !== undefined ? f.licenses[major] : undefined;
    const why =
      named !== undefined
        ? `licenses["${major}"] names "${named}", which sps:credentials.licenses does not hold; add its text with --secret`
        : `${sdkField(p)}: ${p.message}`;
    return {
      // The sdk's field; a firmware image names its own entry (`firmware["6.3.0"].path`), as the program wrote it.
      property:
        p.input.kind === "firmware" ? sdkField(p) : p.input.kind === "license" ? "licenses" : "pluginBuilds",
      reason: `rule ${p.rule}: ${why}; the run would refuse before changing anything`,
    };
  });
}

/** The executor's per-host indexer packages (provider/executor/indexer-packages.ts) from `indexers`. */
export function indexerHostPackages(
  f: Pick<FirmwareInputs, "indexers">,
): Record<string, Record<string, { path: string; version?: string }>> {
  return Object.fromEntries(f.indexers.map((i) => [i.name, i.packages]));
}

/**
 * A host's missing or unreadable RPM (I3), named as the program declares it: `indexers[k].packages["6.0.12"]`
 * — a multi-hop plan needs one for every hop's SPS revision the host is brought to, not only the target.
 */
function indexerPackageFailure(p: InputProblem, f: FirmwareInputs): FieldProblem {
  const host = p.input.nodes[0] ?? "";
  const k = f.indexers.findIndex((i) => i.name === host);
  const version = p.input.kind === "indexer-package" ? p.input.version : "";
  const field = `indexers[${k}].packages["${version}"]`;
  const missing = !p.field.endsWith(".path");
  const why = missing
    ? `no indexer RPM for SPS ${version} for "${host}": the plan upgrades this indexer to ${version} after the hop to SPS ${version} (I1: an indexer never behind its SPS), before the next hop; download the RPM from that SPS (Basic Settings > Local Services > Indexer service) and add ${field} with its path`
    : `${field}: ${p.message.replace(/; fix indexerHostPackages\[[^\]]*\]\[[^\]]*\]$/, `; fix ${field}`)}`;
  return {
    property: missing ? field : `${field}.path`,
    reason: `rule ${p.rule}: ${why}; the run would refuse before changing anything`,
  };
}

/**
 * The executor's name of a host's RPM (`indexerHostPackages["idx1"]["6.0.12"]`) as the program wrote it
 * (`indexers[0].packages["6.0.12"]`): a run started without a preview refuses with the same field.
 */
export function sdkIndexerFields(text: string, f: Pick<FirmwareInputs, "indexers">): string {
  return text.replace(
    /indexerHostPackages\["([^"]*)"\]\["([^"]*)"\]/g,
    (whole, host: string, version: string) => {
      const k = f.indexers.findIndex((i) => i.name === host);
      return k < 0 ? whole : `indexers[${k}].packages["${version}"]`;
    },
  );
}
