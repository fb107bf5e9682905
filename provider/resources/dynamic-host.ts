/**
 * The object @pulumi/pulumi's dynamic-provider host calls for one resource kind. The `__provider`
 * that every resource carries (../dynamic.ts `providerModuleText`) is one line that requires the
 * compiled module and asks it for this object: `require(<module>).dynamicProvider("<kind>")`, so the
 * state holds about a hundred bytes per resource instead of a serialized closure, and the host
 * deserializes and configures each kind once per process (it caches by that text).
 */
import type { CheckResult, DiffResult, ReadResult, ResourceProvider } from "@pulumi/pulumi/dynamic";
import type { ConfigBag } from "./context";
import { watched } from "./engine-watchdog";
import { userProblems, withoutStack } from "./user-errors";

type Props = Record<string, unknown>;

/** One kind's implementation, as ./index.ts and ./integration-providers.ts export them under `providers`. */
export interface KindImplementation {
  check(olds: Props, news: Props): Promise<CheckResult>;
  diff(id: string, olds: Props, news: Props): Promise<DiffResult>;
  create(inputs: Props): Promise<{ id: string; outs: Props }>;
  update(id: string, olds: Props, news: Props): Promise<{ outs: Props }>;
  read(id: string, props: Props): Promise<ReadResult>;
  remove(id: string, props: Props): Promise<void>;
}

type CheckFailure = NonNullable<CheckResult["failures"]>[number];

/**
 * Check failures as the engine prints them readably. The engine prints a failure with a property as
 * `property P value {V} has a problem: R`, V looked up among the resource's top-level inputs; for a
 * path inside an input (`nodes[0].address`) or a config key (`sps:credentials.appliance`) that lookup
 * finds nothing and prints `value {<nil>}`. Those go without a property (printed as `has a problem: R`),
 * the user's field path at the start of the reason; a top-level input keeps its property.
 */
export function engineFailures(failures: readonly CheckFailure[], news: Props): CheckFailure[] {
  return failures.map((f) =>
    f.property === "" || Object.prototype.hasOwnProperty.call(news, f.property)
      ? f
      : { property: "", reason: `${f.property}: ${f.reason}` },
  );
}

function rethrow(e: unknown): never {
  throw withoutStack(e);
}

/** The host-facing provider of `kind` among `providers`; `configure` receives the stack config. */
export function hostProvider(
  providers: Record<string, KindImplementation>,
  configure: (config: ConfigBag) => void,
  kind: string,
): ResourceProvider {
  const impl = providers[kind];
  if (!impl)
    throw new Error(
      `no provider of kind "${kind}" (known: ${Object.keys(providers).join(", ")}): the state was written by another version of pulumi-sps; run \`npm run build\``,
    );
  // Resources whose diff found nothing but another `__provider` text (state written by a version that
  // stored the runtime's absolute path, ../provider-text.ts): their update only rewrites that text.
  const providerTextOnly = new Set<string>();
  return {
    configure: async (req) => configure(req.config),
    // A user's error names its field and the fix, never a stack trace (./user-errors.ts).
    check: async (olds, news) => {
      let result: CheckResult;
      try {
        result = await impl.check(olds as Props, news as Props);
      } catch (e) {
        const failures = userProblems(e);
        if (!failures) throw withoutStack(e);
        result = { inputs: news as Props, failures };
      }
      return result.failures
        ? { ...result, failures: engineFailures(result.failures, news as Props) }
        : result;
    },
    diff: async (id, olds, news) => {
      const result = await impl.diff(id, olds as Props, news as Props).catch(rethrow);
      if (result.changes === true || !providerTextChanged(olds as Props, news as Props)) return result;
      providerTextOnly.add(id);
      return { ...result, changes: true };
    },
    create: (inputs) => impl.create(inputs as Props),
    update: async (id, olds, news) => {
      if (!providerTextOnly.delete(id)) return impl.update(id, olds as Props, news as Props);
      // The recorded outputs as they are; the host adds the program's `__provider`.
      const { __provider: _recorded, ...outs } = olds as Props;
      void _recorded;
      return { outs };
    },
    read: (id, props) => impl.read(id, (props ?? {}) as Props).catch(rethrow),
    delete: (id, props) => impl.remove(id, props as Props).catch(rethrow),
  };
}

/**
 * Whether the recorded `__provider` (the old outputs) differs from the program's: then the update of a
 * resource that has no other change records the program's text in the outputs too, which Pulumi does
 * not do for an unchanged resource (it keeps the old outputs), and a later refresh or destroy loads the
 * runtime by package name from any checkout.
 */
function providerTextChanged(olds: Props, news: Props): boolean {
  const recorded = olds["__provider"];
  const declared = news["__provider"];
  return typeof recorded === "string" && typeof declared === "string" && recorded !== declared;
}

/**
 * One runtime entry (./index.ts, ./integration-providers.ts): its kinds' implementations, watched by the
 * process's engine watchdog (`providers`, also what the serialized closures of state written by earlier
 * versions call), and `dynamicProvider(kind)`, what each resource's `__provider` line asks for.
 */
export function runtimeEntry<K extends string>(
  implementations: Record<K, KindImplementation>,
  configure: (config: ConfigBag) => void,
): {
  providers: Record<K, KindImplementation>;
  dynamicProvider: (kind: string) => ResourceProvider;
} {
  const providers = Object.fromEntries(
    Object.entries<KindImplementation>(implementations).map(([kind, impl]) => [kind, watched(impl)]),
  ) as Record<K, KindImplementation>;
  return { providers, dynamicProvider: (kind) => hostProvider(providers, configure, kind) };
}
