/**
 * The check, diff, create and update that the License, Plugin and IndexerPackage resources share: each
 * plans one change from a live read. `check` validates the declared inputs (flat, ../../sdk/wiring.ts)
 * and, in a preview, puts what an `up` would do into `plannedActions`; `diff` reports a changed
 * declaration, drift or pending work; `create` and `update` make the change with the shared reads of
 * the nodes it touches forgotten before and after (./live-reads.ts).
 */
import type { CheckResult, DiffResult } from "@pulumi/pulumi/dynamic";
import type { z } from "zod";
import { fieldProblems, type FieldProblem } from "../../core/validation";
import {
  checkedInputs,
  declarationDigest,
  declaredOf,
  isRealRun,
  previewedPlan,
  recordedDeclarationDigest,
} from "../../sdk/wiring";
import { errorText, liveStateChanged } from "./context";
import { forgetting } from "./live-reads";

type Props = Record<string, unknown>;

export interface PlannedKind<F> {
  schema: z.ZodType<F>;
  keys: readonly string[];
  /** What `check` refuses beyond the schema, before anything is read. */
  problems?: (f: F) => FieldProblem[];
  /** What an `up` would do now, from the live state and the recorded outputs (`{}` in `check`). */
  planned: (f: F, olds: Props) => Promise<string[]>;
  /** A preview's non-empty plan is decided again in `diff`, with the recorded outputs `check` lacks. */
  recheck?: boolean;
  /** The live-state outputs a refresh compares (./context.ts liveStateChanged). */
  live: readonly string[];
  id: (inputs: Props) => string;
  /** The shared-read keys of what the change touches. */
  touched: (f: F) => string[];
  change: (id: string, news: Props, f: F, olds: Props) => Promise<{ id: string; outs: Props }>;
}

/** The check failure of `property` when `test` throws (its message, redacted); none when it does not. */
export function refusal(property: string, test: () => unknown): FieldProblem[] {
  try {
    test();
    return [];
  } catch (e) {
    return [{ property, reason: errorText(e) }];
  }
}

export function plannedKind<F>(k: PlannedKind<F>) {
  const declared = (p: Props): Props => declaredOf(p, k.keys);
  // What `diff` compares of the declaration.
  const key = (p: Props): string => JSON.stringify(declared(p));
  const parse = (p: Props): F => k.schema.parse(declared(p));
  const run = async (id: string, news: Props, olds: Props): Promise<{ id: string; outs: Props }> => {
    const f = parse(news);
    return forgetting(k.touched(f), () => k.change(id, news, f, olds));
  };
  /** The plan `check` made in this preview, or (recorded inputs, a real run) one from the live state. */
  const pending = async (olds: Props, news: Props): Promise<boolean> => {
    const previewed = previewedPlan(news);
    if (previewed && (previewed.length === 0 || !k.recheck)) return previewed.length > 0;
    const parsed = k.schema.safeParse(declared(news));
    if (!parsed.success) return true;
    try {
      return (await k.planned(parsed.data, olds)).length > 0;
    } catch {
      return true;
    }
  };
  return {
    parse,
    key,
    check: async (_olds: Props, news: Props): Promise<CheckResult> => {
      const parsed = k.schema.safeParse(declared(news));
      if (!parsed.success) return { inputs: news, failures: fieldProblems(parsed.error) };
      const failures = k.problems?.(parsed.data) ?? [];
      if (failures.length > 0) return { inputs: news, failures };
      // A real run records no plan and reads nothing here (../../sdk/wiring.ts isRealRun).
      if (isRealRun(news)) return { inputs: news };
      return { inputs: checkedInputs(news, { plannedActions: await k.planned(parsed.data, {}) }) };
    },
    diff: async (_id: string, olds: Props, news: Props): Promise<DiffResult> => {
      const changed =
        recordedDeclarationDigest(olds, key) !== declarationDigest(key(news)) ||
        liveStateChanged(olds, news, k.live);
      return { changes: changed || (await pending(olds, news)) };
    },
    create: (inputs: Props) => run(k.id(inputs), inputs, {}),
    update: async (id: string, olds: Props, news: Props) => ({ outs: (await run(id, news, olds)).outs }),
  };
}
