import type { ExecutionInputs, ExecutionResult } from "./types";

/** Runs one cluster plan (implementation in progress). */
export function executeClusterPlan(inputs: ExecutionInputs): Promise<ExecutionResult> {
  return Promise.reject(new Error(`executor not implemented yet (cluster ${inputs.plan.name})`));
}
