/**
 * The preview's side of the run's input check (provider/executor/input-check.ts): every file the plan
 * needs — firmware images, a license per LTS the plan enters (S2, S11), plugin builds (P6) — declared,
 * readable and, where a SHA-256 is declared, matching. A problem is a blocking `check` failure naming
 * the declaration's field, so `pulumi preview` says before `up` what the run would refuse.
 */
import type { ClusterPlan } from "../../provider/domain/plan";
import { requiredInputs } from "../../provider/domain/plan-inputs";
import type { FieldProblem } from "../../provider/domain/validation";
import type { LicenseFile } from "../../provider/appliance/system-control/operations";
import { inputProblems, type InputProblem } from "../../provider/executor/input-check";
import type { FirmwareInputs } from "../inputs";

/** The resource field a problem is about (the sdk's names: `licenses`, `pluginBuilds`, `firmware`). */
function property(p: InputProblem): string {
  switch (p.input.kind) {
    case "license":
      return "licenses";
    case "plugin":
      return "pluginBuilds";
    case "firmware":
      return "firmware";
    case "indexer-package":
      return "indexerPackages";
  }
}

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
  const plugins = Object.fromEntries(
    Object.entries(f.pluginBuilds).map(([p, builds]) => [
      p,
      Object.fromEntries(
        Object.entries(builds).map(([rel, b]) => [rel, { version: b.version, path: b.path }]),
      ),
    ]),
  );
  const problems = await inputProblems(requiredInputs(plan.steps, plan.target), {
    firmware: f.firmware,
    licenses,
    plugins,
  });
  return problems.map((p) => {
    const major = p.input.kind === "license" ? p.input.major : undefined;
    const named = major !== undefined ? f.licenses[major] : undefined;
    const why =
      named !== undefined
        ? `licenses["${major}"] names "${named}", which sps:credentials.licenses does not hold; add its text with --secret`
        : `${sdkField(p)}: ${p.message}`;
    return {
      // A firmware image names its own entry (`firmware["6.3.0"].path`), the field the program wrote.
      property: p.input.kind === "firmware" ? sdkField(p) : property(p),
      reason: `rule ${p.rule}: ${why}; the run would refuse before changing anything`,
    };
  });
}
