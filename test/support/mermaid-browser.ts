/**
 * Draws a Mermaid chart in a real browser: Debian's `chromium`, headless, on a local HTML page that
 * loads mermaid from node_modules (no network). Returns the DOM after drawing (`--dump-dom`) and,
 * when asked, a PNG screenshot. A missing chromium is a failure naming the fix, never a skip.
 *
 * Also a command, for the screenshot in the repository (docs/rollout-gantt.png):
 *   node -r ts-node/register/transpile-only test/support/mermaid-browser.ts COMMENT.md OUT.png
 */
import { spawnSync } from "node:child_process";
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";

const ROOT = join(__dirname, "..", "..");
const MERMAID = join(ROOT, "node_modules", "mermaid", "dist", "mermaid.min.js");

export interface DrawnChart {
  /** The page after mermaid ran (`data-rendered="yes"` on body, or `data-error`). */
  dom: string;
  /** Error mermaid reported, if any. */
  error?: string;
}

function chromium(): string {
  for (const bin of ["/usr/bin/chromium", "/usr/bin/chromium-browser"]) if (existsSync(bin)) return bin;
  throw new Error("chromium is not installed: run scripts/setup.sh (it installs Debian's chromium)");
}

function escapeHtml(text: string): string {
  return text.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;");
}

function page(source: string): string {
  return `<!doctype html>
<html><head><meta charset="utf-8"><style>body { margin: 8px; font-family: sans-serif; background: #fff; }</style></head>
<body>
<pre class="mermaid">${escapeHtml(source)}</pre>
<script src="file://${MERMAID}"></script>
<script>
  mermaid.initialize({ startOnLoad: false, theme: "default", gantt: { leftPadding: 140, useWidth: 1200 } });
  mermaid.run().then(
    () => document.body.setAttribute("data-rendered", "yes"),
    (e) => document.body.setAttribute("data-error", String(e && e.message ? e.message : e)),
  );
</script>
</body></html>
`;
}

function runChromium(args: string[], url: string): string {
  const r = spawnSync(
    chromium(),
    [
      "--headless",
      "--no-sandbox",
      "--disable-gpu",
      "--no-first-run",
      "--allow-file-access-from-files",
      "--virtual-time-budget=20000",
      "--hide-scrollbars",
      ...args,
      url,
    ],
    { encoding: "utf8", timeout: 120_000, env: { ...process.env, TZ: "UTC" }, maxBuffer: 64 * 1024 * 1024 },
  );
  if (r.error) throw new Error(`chromium did not run: ${r.error.message}`);
  if (r.status !== 0) throw new Error(`chromium exited ${r.status}: ${r.stderr.slice(-2000)}`);
  return r.stdout;
}

/** Draws `source` (Mermaid, without the fence); with `screenshot`, also writes a PNG of `height` px. */
export function drawMermaid(source: string, screenshot?: { file: string; height: number }): DrawnChart {
  if (!existsSync(MERMAID)) throw new Error(`${MERMAID} missing: run npm ci`);
  const dir = mkdtempSync(join(tmpdir(), "sps-mermaid-"));
  try {
    const html = join(dir, "chart.html");
    writeFileSync(html, page(source));
    const dom = runChromium(["--dump-dom"], `file://${html}`);
    if (screenshot) {
      runChromium(
        [`--window-size=1300,${screenshot.height}`, `--screenshot=${screenshot.file}`],
        `file://${html}`,
      );
    }
    const error = /data-error="([^"]*)"/.exec(dom)?.[1];
    return { dom, ...(error !== undefined ? { error } : {}) };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/** The first ```mermaid block of a markdown text. */
export function mermaidBlock(markdown: string): string {
  const m = /```mermaid\n([\s\S]*?)```/.exec(markdown);
  if (!m?.[1]) throw new Error("no ```mermaid block in the markdown");
  return m[1];
}

if (require.main === module) {
  const [md, png] = process.argv.slice(2);
  if (!md || !png) {
    process.stderr.write("usage: mermaid-browser.ts COMMENT.md OUT.png\n");
    process.exit(2);
  }
  const source = mermaidBlock(readFileSync(md, "utf8"));
  const tasks = source.split("\n").filter((l) => / :.*\d{2}:\d{2}:\d{2}, /.test(l)).length;
  const drawn = drawMermaid(source, { file: png, height: 120 + 24 * tasks });
  if (drawn.error || !drawn.dom.includes('data-rendered="yes"')) {
    process.stderr.write(`mermaid did not draw: ${drawn.error ?? "no result"}\n`);
    process.exit(1);
  }
  process.stdout.write(`${png}: ${tasks} bars\n`);
}
