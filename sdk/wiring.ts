/**
 * Wiring: the declared inputs a reviewer does not need in `pulumi preview --diff` — node addresses
 * and trusted certificates, firmware image paths and checksums, system-control argv templates,
 * deadlines, the checkpoint location. Pure; used by the program side (./dynamic.ts, each kind's keys in ./registry.ts) and by the
 * providers (./runtime).
 *
 * The Node.js dynamic-provider host forwards neither `detailedDiff` nor `stables` to the engine
 * (@pulumi/pulumi cmd/dynamic-provider: `diff` sets only changes, replaces, deleteBeforeReplace), a
 * create always prints every input, and `hideDiffs` only applies to updates. What the engine never
 * prints is a property whose key starts with `__` (like `__provider`). So each resource sends its
 * wiring as one such property, `__wiring`, and shows `wiringDigest` (a short hash of it) instead:
 * a change to the wiring alone is still visible in an update, as a changed digest.
 *
 * The providers validate and compare the flat view (`flatInputs`), which is also the shape of
 * state written before the wiring was split out: both shapes are accepted, and moving to this one
 * is no change (no update, no run). The engine's display, though, compares the old flat inputs
 * with the new shape, so the first preview with a real plan after such an upgrade lists the wiring
 * keys as removed and `__wiring`/`wiringDigest` as added: only the display, nothing is lost.
 *
 * Secrets: wiring holds no secret by design (credentials come from stack config, ./inputs.ts). If a
 * program puts one there anyway, the engine keeps it secret inside `__wiring`, and the digest —
 * computed from an Output — is secret too and prints as [secret], so a wiring-only change is then
 * not visible in the diff.
 */
import { createHash } from "node:crypto";

export const WIRING_KEY = "__wiring";
export const WIRING_DIGEST_KEY = "wiringDigest";

type Props = Record<string, unknown>;

// Which keys of each resource are wiring: ./registry.ts (`wiring` of each kind).

/** Splits declared properties into the shown ones and the wiring (undefined values dropped). */
export function splitWiring(props: Props, wiringKeys: readonly string[]): { shown: Props; wiring: Props } {
  const shown: Props = {};
  const wiring: Props = {};
  for (const [k, v] of Object.entries(props)) {
    if (v === undefined) continue;
    if (wiringKeys.includes(k)) wiring[k] = v;
    else shown[k] = v;
  }
  return { shown, wiring };
}

/** The flat view of recorded or checked properties: `__wiring` merged back in (either shape accepted). */
export function flatInputs(props: Props): Props {
  const { [WIRING_KEY]: wiring, ...rest } = props;
  if (wiring === null || typeof wiring !== "object" || Array.isArray(wiring)) return rest;
  return { ...rest, ...(wiring as Props) };
}

/** The declared inputs in the flat view: the given keys that are set, in their order (no outputs, no `__provider`). */
export function declaredOf(props: Props, keys: readonly string[]): Props {
  const flat = flatInputs(props);
  return Object.fromEntries(keys.flatMap((k) => (flat[k] === undefined ? [] : [[k, flat[k]]])));
}

/** `declaredOf` with the keys of the kind's input schema (./registry.ts `schema`). */
export function declaredIn(props: Props, schema: { readonly shape: object }): Props {
  return declaredOf(props, Object.keys(schema.shape));
}

/** What a provider records of the declaration: the given keys that are present plus the wiring. */
export function recordedInputs(props: Props, declaredKeys: readonly string[]): Props {
  const out: Props = {};
  for (const k of [...declaredKeys, WIRING_KEY, WIRING_DIGEST_KEY])
    if (props[k] !== undefined) out[k] = props[k];
  return out;
}

export const DECLARED_DIGEST_KEY = "declaredDigest";

/**
 * What a provider records of the declaration among its outputs: the shown keys, of the wiring only
 * what `read` needs (the dynamic-provider host hands `read` the outputs alone), and a digest of the
 * whole declaration as `diff` compares it (`declaredKey`), so the rest of the wiring — image maps,
 * argv templates, deadlines — is stored once, in the recorded inputs, not twice.
 */
export function recordedOutputs(
  props: Props,
  declaredKeys: readonly string[],
  readWiring: readonly string[],
  declaredKey: string,
  /** Per wiring key, the part of its value that `read` needs (default: all of it). */
  narrow: Readonly<Record<string, (value: unknown) => unknown>> = {},
): Props {
  const out = recordedInputs(props, declaredKeys);
  const wiring = out[WIRING_KEY];
  if (wiring !== null && typeof wiring === "object" && !Array.isArray(wiring)) {
    out[WIRING_KEY] = Object.fromEntries(
      Object.entries(wiring as Props)
        .filter(([k]) => readWiring.includes(k))
        .map(([k, v]) => [k, narrow[k] ? narrow[k](v) : v]),
    );
  }
  out[DECLARED_DIGEST_KEY] = declarationDigest(declaredKey);
  return out;
}

/** Only the named keys of an object value (anything else as it is): for `recordedOutputs`' `narrow`. */
export function pickKeys(keys: readonly string[]): (value: unknown) => unknown {
  return (value) =>
    value !== null && typeof value === "object" && !Array.isArray(value)
      ? Object.fromEntries(Object.entries(value as Props).filter(([k]) => keys.includes(k)))
      : value;
}

/** The digest `diff` compares: recorded by `recordedOutputs`; computed for state written before it. */
export function declarationDigest(declaredKey: string): string {
  return sha256Prefix(declaredKey, 32);
}

function sha256Prefix(text: string, hexDigits: number): string {
  return `sha256:${createHash("sha256").update(text).digest("hex").slice(0, hexDigits)}`;
}

/** The declaration digest of recorded outputs: the stored one, or (earlier state, full wiring) computed. */
export function recordedDeclarationDigest(olds: Props, key: (p: Props) => string): string {
  const stored = olds[DECLARED_DIGEST_KEY];
  return typeof stored === "string" ? stored : declarationDigest(key(olds));
}

function canonical(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(canonical);
  if (value !== null && typeof value === "object") {
    const entries = Object.entries(value as Props)
      .filter(([, v]) => v !== undefined)
      .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    return Object.fromEntries(entries.map(([k, v]) => [k, canonical(v)]));
  }
  return value;
}

/** `sha256:` and the first 16 hex digits of the SHA-256 of the wiring's canonical JSON. */
export function wiringDigest(wiring: unknown): string {
  return sha256Prefix(JSON.stringify(canonical(wiring)), 16);
}

/**
 * `true` when the program runs for a preview (`pulumi preview`, the preview of `pulumi up`), `false`
 * in a real run; never printed (a `__` key). Sent by every resource with wiring (./registry.ts).
 *
 * The engine records the inputs that `check` returned for the step it ran. If those held the plan
 * computed before the run (`plannedActions`, the findings, …), the recorded inputs would keep a plan
 * that the run has done: `pulumi refresh --preview-only --expect-no-changes` would then report a
 * change right after the first `up` (refresh compares the refreshed state with the recorded inputs),
 * and the first no-op `up` would rewrite every resource (its fresh `check` no longer matches them).
 * So the plan goes into the checked inputs only for a preview, where the engine shows it; a real run
 * records the declaration alone, and `diff` decides from the live state (shared reads,
 * ../provider/resources/live-reads.ts), never from a recorded plan. Recorded inputs of earlier versions (with a
 * plan, without this key) are read the same way: their plan is ignored.
 */
export const PREVIEW_KEY = "__preview";

/**
 * True when `news` are a real run's (`pulumi up`, `--skip-preview`, the automation API's `up`), not a
 * preview's. Then `check` reads nothing live: the engine calls `check` one registration at a time, so
 * a live read there would start the clusters of a stage one after another (BENCHMARKS.md, "Staged
 * rollout"); and nothing of a real run's check output needs the live state (the plan is only shown in
 * a preview, see PREVIEW_KEY). `diff` still decides from live reads, and `create`/`update` plan from a
 * fresh read of their own and stop, naming the field and the fix, on what a preview's check would
 * have refused.
 */
export function isRealRun(news: Props): boolean {
  return news[PREVIEW_KEY] === false;
}

/** The checked inputs: `news` plus the computed plan fields, unless this is a real run (see PREVIEW_KEY). */
export function checkedInputs(news: Props, computed: Props): Props {
  return isRealRun(news) ? news : { ...news, ...computed };
}

/**
 * The planned actions that `check` put into `news` during this preview; undefined for recorded
 * inputs and for a real run's (then the caller plans again from the live state).
 */
export function previewedPlan(news: Props): unknown[] | undefined {
  const planned = news["plannedActions"];
  return news[PREVIEW_KEY] === true && Array.isArray(planned) ? planned : undefined;
}
