/**
 * The project's documentation as the docs tests read it: which markdown files there are, their code
 * blocks and their sections.
 */
import * as fs from "node:fs";
import * as path from "node:path";

export const ROOT = path.join(__dirname, "..", "..", "..");

/** README.md, CONTRIBUTING.md, ARCHITECTURE.md and every markdown file under docs/, as paths relative to the root. */
export function docFiles(): string[] {
  const out = ["README.md", "CONTRIBUTING.md", "ARCHITECTURE.md"].filter((f) =>
    fs.existsSync(path.join(ROOT, f)),
  );
  const walk = (dir: string): void => {
    for (const entry of fs.readdirSync(path.join(ROOT, dir), { withFileTypes: true })) {
      const rel = path.join(dir, entry.name);
      if (entry.isDirectory()) walk(rel);
      else if (entry.name.endsWith(".md")) out.push(rel);
    }
  };
  walk("docs");
  return out;
}

export function readDoc(file: string): string {
  return fs.readFileSync(path.join(ROOT, file), "utf8");
}

export interface CodeBlock {
  file: string;
  /** 1-based line of the opening fence. */
  line: number;
  lang: string;
  code: string;
}

/** Every fenced code block of a markdown text (``` fences at the start of a line). */
export function codeBlocks(file: string, text: string): CodeBlock[] {
  const blocks: CodeBlock[] = [];
  const lines = text.split("\n");
  for (let i = 0; i < lines.length; i++) {
    const open = /^```(\S*)\s*$/.exec(lines[i] ?? "");
    if (!open) continue;
    const end = lines.findIndex((l, j) => j > i && /^```\s*$/.test(l));
    if (end < 0) throw new Error(`${file}:${i + 1}: a code block that is never closed`);
    blocks.push({ file, line: i + 1, lang: open[1] ?? "", code: lines.slice(i + 1, end).join("\n") + "\n" });
    i = end;
  }
  return blocks;
}

/**
 * The text of the section under the heading `title` (any level), up to the next heading of the same or
 * a higher level; undefined when there is no such heading.
 */
export function section(text: string, title: string): string | undefined {
  const lines = text.split("\n");
  let fenced = false;
  let start = -1;
  let level = 0;
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i] ?? "";
    if (line.startsWith("```")) fenced = !fenced;
    const h = fenced ? null : /^(#{1,6}) (.*)$/.exec(line);
    if (!h) continue;
    const depth = h[1]?.length ?? 0;
    if (start < 0 && h[2]?.trim() === title) {
      start = i;
      level = depth;
    } else if (start >= 0 && depth <= level) {
      return lines.slice(start, i).join("\n");
    }
  }
  return start < 0 ? undefined : lines.slice(start).join("\n");
}

/** GitHub's anchor of a heading: lower case, punctuation dropped, spaces to hyphens. */
export function anchorOf(heading: string): string {
  return heading
    .trim()
    .toLowerCase()
    .replace(/[^\p{L}\p{N}\s_-]/gu, "")
    .replace(/\s/g, "-");
}

/** The anchors of a markdown text's headings (outside code blocks), with GitHub's -1, -2 for repeats. */
export function anchors(text: string): Set<string> {
  const out = new Set<string>();
  const seen = new Map<string, number>();
  let fenced = false;
  for (const line of text.split("\n")) {
    if (line.startsWith("```")) fenced = !fenced;
    const h = fenced ? null : /^#{1,6} (.*)$/.exec(line);
    if (!h?.[1]) continue;
    const base = anchorOf(h[1]);
    const n = seen.get(base) ?? 0;
    seen.set(base, n + 1);
    out.add(n === 0 ? base : `${base}-${n}`);
  }
  return out;
}
