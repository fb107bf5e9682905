/**
 * State written before `__provider` named the runtime by package name (./dynamic.ts): each resource of
 * ours then recorded the absolute path of the compiled runtime in the checkout that ran the program,
 * `exports.handler = () => require("/…/dist/sdk/runtime/index.js").dynamicProvider("firmware");` (or
 * `…/integration-providers.js`). From another path that module does not exist, and the dynamic-provider
 * host fails before any code of ours runs, so such a stack is rewritten once — `sps-upgrade migrate-state`
 * (cli/migrate-state.ts) between `pulumi stack export` and `pulumi stack import` — or by an `up`, whose
 * diff makes every resource with another recorded text an update that rewrites only that text
 * (../provider/resources/dynamic-host.ts).
 */
import { z } from "zod";
import { providerModuleText, type RuntimeEntry } from "./dynamic";

const PATH_TEXT =
  /^exports\.handler = \(\) => require\(("(?:[^"\\]|\\.)*")\)\.dynamicProvider\(("(?:[^"\\]|\\.)*")\);$/;
const RUNTIME_FILES: Record<string, RuntimeEntry> = {
  "index.js": "core",
  "integration-providers.js": "integration",
};

/**
 * The `__provider` text of today for a text that names the runtime by absolute path; undefined for any
 * other text (today's, or a provider that is not ours).
 */
export function currentProviderText(text: string): string | undefined {
  const m = PATH_TEXT.exec(text);
  if (!m?.[1] || !m[2]) return undefined;
  const modulePath = JSON.parse(m[1]) as unknown;
  const kind = JSON.parse(m[2]) as unknown;
  if (typeof modulePath !== "string" || typeof kind !== "string") return undefined;
  const parts = modulePath.split(/[\\/]/);
  const file = parts.at(-1) ?? "";
  const entry = RUNTIME_FILES[file];
  if (entry === undefined || parts.at(-2) !== "runtime" || parts.at(-3) !== "sdk") return undefined;
  return providerModuleText(kind, entry);
}

const propertyMap = z.record(z.string(), z.unknown());
const stateResource = z.looseObject({
  urn: z.string(),
  type: z.string(),
  inputs: propertyMap.optional(),
  outputs: propertyMap.optional(),
});
/** What `pulumi stack export` prints (deployment version 3); everything else is kept as it is. */
export const stackExport = z.looseObject({
  version: z.number(),
  deployment: z.looseObject({
    resources: z.array(stateResource).optional(),
    pending_operations: z.array(z.looseObject({ resource: stateResource })).optional(),
  }),
});
export type StackExport = z.infer<typeof stackExport>;

export interface MigratedExport {
  document: StackExport;
  /** URNs of the resources whose `__provider` was rewritten (inputs, outputs or both). */
  rewritten: string[];
}

/**
 * The export with every path-naming `__provider` of our dynamic resources replaced by today's text;
 * `document` is checked against `stackExport` (a ZodError when it is not an export) and copied as it is,
 * keys in their order, so that only those texts change.
 */
export function migrateStackExport(document: unknown): MigratedExport {
  stackExport.parse(document);
  const copy = structuredClone(document) as StackExport;
  const rewritten = new Set<string>();
  const resources = [
    ...(copy.deployment.resources ?? []),
    ...(copy.deployment.pending_operations ?? []).map((op) => op.resource),
  ];
  for (const resource of resources) {
    if (!resource.type.startsWith("pulumi-nodejs:dynamic/")) continue;
    for (const props of [resource.inputs, resource.outputs]) {
      const text = props?.["__provider"];
      const current = typeof text === "string" ? currentProviderText(text) : undefined;
      if (props && current !== undefined) {
        props["__provider"] = current;
        rewritten.add(resource.urn);
      }
    }
  }
  return { document: copy, rewritten: [...rewritten] };
}
