/**
 * Text from an appliance (or any other untrusted source) made safe to print or record: control
 * characters — U+0000–U+001F (ESC, BEL, CR, …), DEL, U+0080–U+009F (e.g. U+009B, a one-character CSI) and the Unicode
 * bidirectional and invisible format controls — are shown as `\xNN` / `\u{NNNN}` instead of reaching
 * a terminal or a log raw, where they could retitle the window, hide text or fake a line. Newlines are
 * shown escaped as well: one appliance value is one line.
 */

const UNSAFE = /[\u0000-\u001f\u007f-\u009f\u200b-\u200f\u2028-\u202e\u2060-\u2069\ufeff]/gu;

function escaped(ch: string): string {
  const code = ch.codePointAt(0) ?? 0;
  return code <= 0xff ? `\\x${code.toString(16).padStart(2, "0")}` : `\\u{${code.toString(16)}}`;
}

/** `text` with every control character escaped. */
export function printable(text: string): string {
  return text.replace(UNSAFE, escaped);
}

/**
 * Like `printable`, for multi-line text (an upgrade test's summary): keeps line feeds and tabs — layout that
 * cannot move the cursor back, retitle a window or fake a line — and escapes every other control character.
 */
export function printableLines(text: string): string {
  return text
    .split("\n")
    .map((l) => l.replace(UNSAFE, (ch) => (ch === "\t" ? ch : escaped(ch))))
    .join("\n");
}

/**
 * A copy of a JSON-like value with every string (and key) passed through `printable` — or, with
 * `keepNewlines`, `printableLines` for the strings (a multi-line answer such as a test summary).
 */
export function printableValue(value: unknown, keepNewlines = false, depth = 0): unknown {
  if (typeof value === "string") return keepNewlines ? printableLines(value) : printable(value);
  if (depth > 32) return value;
  if (Array.isArray(value)) return value.map((v) => printableValue(v, keepNewlines, depth + 1));
  if (value && typeof value === "object" && Object.getPrototypeOf(value) === Object.prototype)
    return Object.fromEntries(
      Object.entries(value as Record<string, unknown>).map(([k, v]) => [
        printable(k),
        printableValue(v, keepNewlines, depth + 1),
      ]),
    );
  return value;
}
