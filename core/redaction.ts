/**
 * The one place secrets are removed from text and values before anything is printed, logged, kept in
 * state, written to a recording or carried by an error. A secret may come back in another spelling
 * than the one we hold — an appliance echoing a login, a URL, a header, a JSON document — so every
 * spelling of it is removed: as written, URL-encoded (both `%20` and `+` for spaces), base64 and
 * base64url (of the secret alone; callers add `user:password` for a Basic login), hex and JSON-escaped.
 * Secret-looking fields of JSON values (password, token, cookie, session_id, …) are replaced whole.
 * Secrets shorter than 4 characters are not searched for (they would match ordinary text), except
 * where a false match costs nothing (`minLength` 1: recordings of answers).
 */

export const REDACTED = "[redacted]";

/** The shortest secret searched for. */
export const MIN_SECRET_LENGTH = 4;

/** Field names whose value is a secret wherever it appears. */
export const SECRET_KEY =
  /pass(word|wd|phrase)?|secret|token|cookie|session_id|psk|authorization|api_key|private/i;

/** Every spelling of `secret` that may come back in a text. */
export function secretForms(secret: string, minLength = MIN_SECRET_LENGTH): string[] {
  if (secret.length < Math.max(1, minLength)) return [];
  const bytes = Buffer.from(secret, "utf8");
  const uri = encodeURIComponent(secret);
  const forms = [
    secret,
    uri,
    uri.replace(/%20/g, "+"),
    bytes.toString("base64"),
    bytes.toString("base64").replace(/=+$/, ""),
    bytes.toString("base64url"),
    bytes.toString("hex"),
    bytes.toString("hex").toUpperCase(),
    JSON.stringify(secret).slice(1, -1),
    JSON.stringify(JSON.stringify(secret).slice(1, -1)).slice(1, -1),
  ];
  return forms.filter((f) => f.length >= Math.max(1, minLength));
}

/** The secrets of a Basic login: the password and `user:password` (what goes into the header). */
export function loginSecrets(username: string, password: string): string[] {
  return [password, `${username}:${password}`];
}

/** Every spelling of every secret, longest first (so a longer form is replaced before its parts). */
export function secretPatterns(secrets: readonly string[], minLength = MIN_SECRET_LENGTH): string[] {
  const all = new Set<string>();
  for (const s of secrets) for (const f of secretForms(s, minLength)) all.add(f);
  return [...all].sort((a, b) => b.length - a.length);
}

/** `text` without any spelling of any secret, session cookie or Authorization header value. */
export function redactText(text: string, secrets: readonly string[], minLength = MIN_SECRET_LENGTH): string {
  let out = text;
  for (const p of secretPatterns(secrets, minLength)) if (out.includes(p)) out = out.split(p).join(REDACTED);
  return out
    .replace(/session_id=[^;\s"&]+/g, `session_id=${REDACTED}`)
    .replace(/(Authorization:\s*(?:Basic|Bearer))\s+\S+/gi, `$1 ${REDACTED}`);
}

/** A copy of a JSON value with secret-looking fields replaced and every secret's spelling removed. */
export function redactValue(
  value: unknown,
  secrets: readonly string[],
  minLength = MIN_SECRET_LENGTH,
  depth = 0,
): unknown {
  if (depth > 32) return REDACTED;
  if (typeof value === "string") return redactText(value, secrets, minLength);
  if (Array.isArray(value)) return value.map((v) => redactValue(v, secrets, minLength, depth + 1));
  if (value && typeof value === "object") {
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(value))
      out[k] = SECRET_KEY.test(k) ? REDACTED : redactValue(v, secrets, minLength, depth + 1);
    return out;
  }
  return value;
}
