/**
 * Compile-time ties between a zod schema and the plain TypeScript type the package publishes for it: the
 * public declarations name no zod type (a consumer without esModuleInterop or skipLibCheck could not
 * type-check zod's own declarations), and `Same<…>` keeps the schema and the type from drifting apart.
 */

/** `true` when A and B are the same type (not merely assignable either way), else `false`. */
export type Equal<A, B> = (<T>() => T extends A ? 1 : 2) extends <T>() => T extends B ? 1 : 2 ? true : false;

/** Compiles only when its argument is `true`: `export type _ = Same<Equal<z.output<typeof s>, Public>>`. */
export type Same<T extends true> = T;
