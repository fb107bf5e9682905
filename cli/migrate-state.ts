/**
 * `sps-upgrade migrate-state [--state EXPORT.json] [--out FILE]` — a `pulumi stack export` (from the
 * file, or stdin when no file or `-`) with every `__provider` that names the runtime by an absolute path
 * of the checkout that wrote it rewritten to today's package-name text (sdk/provider-text.ts), so that
 * the stack refreshes, ups and destroys from any checkout path. Prints the document for
 * `pulumi stack import`; the count of rewritten resources goes to stderr. Idempotent.
 * Exit 0: written (also when nothing needed rewriting); 2: bad input.
 */
import type { CliIo, Command } from "./command";
import { readJsonCommand } from "./read-input";
import { migrateStackExport, stackExport } from "../sdk/provider-text";

const USAGE = `usage: sps-upgrade migrate-state [--state EXPORT.json] [--out FILE]
  pulumi stack export --stack S | sps-upgrade migrate-state | pulumi stack import --stack S`;

async function run(args: readonly string[], io: CliIo): Promise<number> {
  const input = await readJsonCommand(args, io, USAGE, {
    flag: "state",
    what: "the state",
    producer: "pulumi stack export",
  });
  if (typeof input === "number") return input;
  const doc = stackExport.safeParse(input.json);
  if (!doc.success) {
    const issue = doc.error.issues[0];
    const where = issue?.path.length ? issue.path.join(".") : "the document";
    io.stderr(
      `sps-upgrade: ${input.name}: ${where}: ${issue?.message ?? "invalid"}; give it the output of \`pulumi stack export\`\n`,
    );
    return 2;
  }
  const { document, rewritten } = migrateStackExport(input.json);
  input.write(`${JSON.stringify(document, null, 4)}\n`);
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
