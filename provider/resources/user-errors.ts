/**
 * The one path by which a user's error leaves a provider. @pulumi/pulumi's dynamic-provider host prints
 * `${e}: ${e.stack}` for an error thrown from check, diff, read or delete — a JavaScript stack trace
 * where the user needs the field they wrote and the fix. So (./dynamic-host.ts):
 *   - `check`: an error that names its field (any `SpsError` with `field` and `hint`, such as a
 *     `UserInputError`; a `CredentialsError`; a zod error) becomes
 *     a check failure `{property, reason}`, which the engine shows as "property X … has a problem: …";
 *   - diff, read, delete: a thrown error goes on with its message only (redacted), no stack.
 * create/update errors are answered by the host with their message only (and partial state), as is.
 */
import { SpsError } from "../../core/errors";
import { z } from "zod";
import { CREDENTIALS_CONFIG_KEY, CredentialsError } from "../../sdk/credentials";
import { fieldProblems, type FieldProblem } from "../../core/validation";
import { errorText } from "./context";

/** Bad input found by a provider: the field as the program wrote it, and the fix. */
export class UserInputError extends SpsError {
  static override readonly code: string = "USER_INPUT_INVALID";
  constructor(
    readonly property: string,
    readonly reason: string,
  ) {
    super(`${property}: ${reason}`, { field: property, hint: reason });
  }
}

/** The check failures a user's error stands for; undefined for any other error. */
export function userProblems(e: unknown): FieldProblem[] | undefined {
  if (e instanceof SpsError && e.field !== undefined && e.hint !== undefined)
    return [{ property: e.field, reason: errorText(new Error(e.hint)) }];
  if (e instanceof CredentialsError) {
    // Its message starts with the field (`sps:credentials.ipmi: …`) or names it in the text.
    const text = errorText(e);
    const m = /^(sps:credentials[^\s:]*): ([\s\S]*)$/.exec(text);
    return m?.[1] && m[2] !== undefined
      ? [{ property: m[1], reason: m[2] }]
      : [{ property: CREDENTIALS_CONFIG_KEY, reason: text }];
  }
  if (e instanceof z.ZodError)
    return fieldProblems(e).map((p) => ({ property: p.property, reason: errorText(new Error(p.reason)) }));
  return undefined;
}

/**
 * The error to hand the host from diff, read or delete: the same message (redacted), with the keys
 * the host reads (`id`, `properties`, `reasons`) kept, and a stack that is the message alone.
 */
export function withoutStack(e: unknown): Error {
  const message = errorText(e);
  const out = new Error(message);
  out.stack = message;
  if (e !== null && typeof e === "object") {
    for (const k of ["id", "properties", "reasons"] as const)
      if (k in e) Object.assign(out, { [k]: (e as Record<string, unknown>)[k] });
  }
  return out;
}
