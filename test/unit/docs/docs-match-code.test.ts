/**
 * What the documentation names exists: every relative link of the README, CONTRIBUTING.md and docs/
 * reaches a file (and a heading, when it names one); docs/reference/cli.md names every command and
 * flag the executables accept, docs/reference/exit-codes.md every command; the README's Quick start is
 * the two commands it promises, and CI runs its test command.
 */
import * as assert from "node:assert/strict";
import * as fs from "node:fs";
import * as path from "node:path";
import { runCli, type CliIo } from "../../../cli/sps-upgrade";
import { anchors, codeBlocks, docFiles, readDoc, ROOT, section } from "./doc-files";

/** Every relative markdown link `[text](target)` outside code blocks, with its line. */
function links(text: string): Array<{ line: number; target: string }> {
  const out: Array<{ line: number; target: string }> = [];
  let fenced = false;
  text.split("\n").forEach((line, i) => {
    if (line.startsWith("```")) fenced = !fenced;
    if (fenced) return;
    const prose = line.replace(/`[^`]*`/g, "");
    for (const m of prose.matchAll(/\]\(([^)\s]+)\)/g)) {
      const target = m[1] ?? "";
      if (!/^[a-z]+:/i.test(target)) out.push({ line: i + 1, target });
    }
  });
  return out;
}

/** The problems of one link from `file`: a missing file, or a heading the file does not have. */
function linkProblem(file: string, target: string): string | undefined {
  const [pathPart = "", anchor] = target.split("#", 2);
  const resolved = pathPart === "" ? file : path.normalize(path.join(path.dirname(file), pathPart));
  if (resolved.startsWith("..")) return `${target} leaves the repository`;
  const full = path.join(ROOT, resolved);
  if (!fs.existsSync(full)) return `${target}: no such file`;
  if (anchor === undefined || !resolved.endsWith(".md")) return undefined;
  return anchors(fs.readFileSync(full, "utf8")).has(anchor) ? undefined : `${target}: no such heading`;
}

function captured(): { io: CliIo; out: () => string } {
  let text = "";
  return {
    io: { stdout: (t) => (text += t), stderr: (t) => (text += t), today: () => "2026-01-01" },
    out: () => text,
  };
}

async function help(args: string[]): Promise<string> {
  const c = captured();
  assert.equal(await runCli(args, c.io), 0);
  return c.out();
}

/** The sps-upgrade commands as `sps-upgrade --help` lists them. */
async function commands(): Promise<string[]> {
  const text = await help(["--help"]);
  const list = text.slice(text.indexOf("commands:"));
  return [...list.matchAll(/^ {2}([a-z][a-z-]*) {2,}/gm)].map((m) => m[1] ?? "");
}

/** The flags `sps-emulator` parses (emulator/lab/cli.ts), without --help and --version. */
function emulatorFlags(): string[] {
  const source = fs.readFileSync(path.join(ROOT, "emulator", "lab", "cli.ts"), "utf8");
  const options = source.slice(source.indexOf("options: {"), source.indexOf("strict: true"));
  return [...options.matchAll(/^\s+"?([a-z][a-z-]*)"?: \{ type:/gm)]
    .map((m) => `--${m[1]}`)
    .filter((f) => f !== "--help" && f !== "--version");
}

/**
 * Every command line the docs show for `sps-upgrade <command>` or `sps-emulator`: the command and the
 * flags written after it on the same line, up to a pipe, a comment or the end of inline code.
 */
function shownCommandLines(
  file: string,
  text: string,
): Array<{ where: string; command: string; flags: string[] }> {
  const out: Array<{ where: string; command: string; flags: string[] }> = [];
  text.split("\n").forEach((line, i) => {
    for (const m of line.matchAll(/\b(sps-upgrade [a-z][a-z-]*|sps-emulator)\b([^|#`]*)/g)) {
      const flags = [...(m[2] ?? "").matchAll(/(?<![\w-])--[a-z][a-z-]*/g)].map((f) => f[0]);
      out.push({ where: `${file}:${i + 1}`, command: m[1] ?? "", flags });
    }
  });
  return out;
}

const flagsIn = (usage: string): string[] =>
  [...new Set([...usage.matchAll(/--[a-z][a-z-]*/g)].map((m) => m[0]))].filter((f) => f !== "--help");

describe("the documentation names what exists", function () {
  it("every relative link of the README, CONTRIBUTING.md and docs/ reaches a file and heading", function () {
    const broken = docFiles().flatMap((file) =>
      links(readDoc(file)).flatMap(({ line, target }) => {
        const problem = linkProblem(file, target);
        return problem ? [`${file}:${line}: ${problem}`] : [];
      }),
    );
    assert.deepEqual(broken, []);
  });

  it("the link check finds a missing file and a missing heading", function () {
    assert.match(linkProblem("docs/README.md", "no-such-file.md") ?? "", /no such file/);
    assert.match(linkProblem("README.md", "docs/user-guide.md#no-such-heading") ?? "", /no such heading/);
    assert.equal(linkProblem("README.md", "docs/user-guide.md#the-demo"), undefined);
  });

  it("docs/reference/cli.md names every sps-upgrade command and each of its flags", async function () {
    const doc = readDoc("docs/reference/cli.md");
    const names = await commands();
    assert.ok(names.length >= 4, `commands: ${names.join(", ")}`);
    const missing: string[] = [];
    for (const name of names) {
      const text = section(doc, `\`sps-upgrade ${name}\``);
      if (text === undefined) {
        missing.push(`no section "sps-upgrade ${name}"`);
        continue;
      }
      for (const flag of flagsIn(await help([name, "--help"])))
        if (!text.includes(flag)) missing.push(`sps-upgrade ${name} ${flag}`);
    }
    assert.deepEqual(missing, []);
  });

  it("docs/reference/cli.md names every sps-emulator flag", function () {
    const flags = emulatorFlags();
    assert.ok(flags.length >= 5, flags.join(" "));
    const text = section(readDoc("docs/reference/cli.md"), "`sps-emulator`") ?? "";
    assert.deepEqual(
      flags.filter((f) => !text.includes(f)),
      [],
    );
  });

  it("every sps-upgrade and sps-emulator command line the docs show uses a command and flags that exist", async function () {
    const known = new Map<string, Set<string>>([["sps-emulator", new Set(emulatorFlags())]]);
    for (const name of await commands())
      known.set(`sps-upgrade ${name}`, new Set(flagsIn(await help([name, "--help"]))));
    const always = new Set(["--help", "--version"]);
    const wrong: string[] = [];
    let withFlags = 0;
    for (const file of docFiles())
      for (const { where, command, flags } of shownCommandLines(file, readDoc(file))) {
        if (flags.length > 0) withFlags += 1;
        const allowed = known.get(command);
        if (!allowed) {
          if (command.startsWith("sps-upgrade ") && command !== "sps-upgrade help")
            wrong.push(`${where}: no command "${command}"`);
          continue;
        }
        for (const f of flags)
          if (!allowed.has(f) && !always.has(f)) wrong.push(`${where}: ${command} has no ${f}`);
      }
    assert.deepEqual(wrong, []);
    assert.ok(withFlags >= 10, `only ${withFlags} command lines with flags found`);
  });

  it("the command-line check finds an unknown flag", function () {
    assert.deepEqual(shownCommandLines("x.md", "run `sps-upgrade plan --fleet F --colour` now | grep --x"), [
      { where: "x.md:1", command: "sps-upgrade plan", flags: ["--fleet", "--colour"] },
    ]);
  });

  it("docs/reference/exit-codes.md has the exit codes of every sps-upgrade command", async function () {
    const doc = readDoc("docs/reference/exit-codes.md");
    const headings = doc.split("\n").filter((l) => l.startsWith("## "));
    const missing = (await commands()).filter(
      (name) => !headings.some((h) => h.includes(`\`sps-upgrade ${name}\``)),
    );
    assert.deepEqual(missing, []);
  });

  it("the README's Quick start is `npm run demo` and `npm test`, both scripts exist, and CI runs the test command", function () {
    const quick = section(readDoc("README.md"), "Quick start");
    assert.ok(quick, 'README.md has a "## Quick start"');
    const blocks = codeBlocks("README.md", quick).filter((b) => b.lang === "sh");
    assert.equal(blocks.length, 1, "one sh block");
    const commands = (blocks[0]?.code ?? "")
      .split("\n")
      .map((l) => l.replace(/#.*$/, "").trim())
      .filter(Boolean);
    assert.deepEqual(commands, ["npm run demo", "npm test"]);
    const scripts = (
      JSON.parse(fs.readFileSync(path.join(ROOT, "package.json"), "utf8")) as {
        scripts: Record<string, string>;
      }
    ).scripts;
    assert.ok(scripts.demo && scripts.test, "package.json has the demo and test scripts");
    const ci = fs
      .readFileSync(path.join(ROOT, ".ci", "run"), "utf8")
      .split("\n")
      .map((l) => l.trim())
      .filter((l) => l && !l.startsWith("#"));
    assert.equal(ci.at(-1), commands[1], ".ci/run ends with the README's test command");
  });
});
