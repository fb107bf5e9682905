/**
 * `sps-upgrade migrate-state [--state EXPORT.json] [--out FILE]` — a `pulumi stack export` (from the
 * file, or stdin when no file or `-`) with every `__provider` that names the runtime by an absolute path
 * of the checkout that wrote it rewritten to today's package-name text (sdk/provider-text.ts), so that
 * the stack refreshes, ups and destroys from any checkout path. Prints the document for
 * `pulumi stack import`; the count of rewritten resources goes to stderr. Idempotent.
 * Exit 0: written (also when nothing needed rewriting); 2: bad input.
 */
import { writeFileSync } from "node:fs";
import { type CliIo, type Command, commandArgs } from "./command";
import { readJsonInput } from "./read-input";
import { migrateStackExport, stackExport } from "../sdk/provider-text";

const USAGE = `usage: sps-upgrade migrate-state [--state EXPORT.json] [--out FILE]
  pulumi stack export --stack S | sps-upgrade migrate-state | pulumi stack import --stack S`;

const OPTIONS = {
  state: { type: "string" },
  out: { type: "string" },
} as const;

async function run(args: readonly string[], io: CliIo): Promise<number> {
  const parsed = commandArgs(args, OPTIONS, io, USAGE);
  if (typeof parsed === "number") return parsed;
  const input = await readJsonInput(parsed.values.state ?? "-", "the state", "pulumi stack export", io);
  if (typeof input === "number") return input;
  const { name, json: json } = input;
  const doc = stackExport.safeParse(json);
  if (!doc.success) {
    const issue = doc.error.issues[0];
    const where = issue?.path.length ? issue.path.join(".") : "the document";
    io.stderr(
      `sps-upgrade: ${name}: ${where}: ${issue?.message ?? "invalid"}; give it the output of \`pulumi stack export\`\n`,
    );
    return 2;
  }
  const { document, rewritten } = migrateStackExport(json);
  const out = `${JSON.stringify(document, null, 4)}\n`;
  if (parsed.values.out) writeFileSync(parsed.values.out, out);
  else io.stdout(out);
  io.stderr(
    `sps-upgrade: migrate-state: ${rewritten.length} resource(s) rewritten to load pulumi-sps by package name\n`,
  );
  return 0;
}

export const migrateStateCommand: Command = {
  summary: "rewrite a `pulumi stack export` whose resources name an absolute provider path (older state)",
  usage: USAGE,
  run,
};
