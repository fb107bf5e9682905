/**
 * The offline planner's side of the input check (./plan-inputs.ts): where the fleet file declares
 * `licenses` or `indexerPackages`, every license for an LTS the plan enters (S2, S11) and every indexer
 * RPM for a revision the indexers are brought to (I1, I3) must be there — a blocking finding otherwise;
 * where it declares none, the rule is "not checked" (a warning saying what to declare), as for other
 * facts. Firmware images are V7's (./fleet-plan.ts). Whether the declared files are readable is the
 * CLI's part (cli/input-files.ts): this core reads no file.
 */
import type { FleetCluster } from "./fleet";
import type { Finding, PlanStep } from "./plan";
import { describeInput, requiredInputs } from "./plan-inputs";

export function inputFindings(cluster: FleetCluster, steps: readonly PlanStep[], target: string): Finding[] {
  const out: Finding[] = [];
  for (const i of requiredInputs(steps, target)) {
    const on = i.nodes.join(", ");
    if (i.kind === "license") {
      const field = `licenses["${i.major}"]`;
      if (!cluster.licenses)
        out.push({
          rule: "S2",
          severity: "warning",
          message: `not checked: ${describeInput(i)} (the plan enters ${i.major} LTS on ${on}; a new LTS needs a new license file); declare ${field} with its path to check it`,
        });
      else if (!cluster.licenses[i.major])
        out.push({
          rule: "S2",
          severity: "error",
          message: `no ${describeInput(i)}: the plan enters ${i.major} LTS on ${on}, and a new LTS needs a new license file; add ${field} with its path`,
        });
    } else if (i.kind === "indexer-package") {
      const field = `indexerPackages["${i.version}"]`;
      if (!cluster.indexerPackages)
        out.push({
          rule: "I3",
          severity: "warning",
          message: `not checked: ${describeInput(i)} (for ${on}); declare ${field} with its path to check it`,
        });
      else if (!cluster.indexerPackages[i.version])
        out.push({
          rule: "I3",
          severity: "error",
          message: `no ${describeInput(i)} (for ${on}): download it from the SPS (Local Services → Indexer service) and add ${field} with its path`,
        });
    }
  }
  return out;
}
