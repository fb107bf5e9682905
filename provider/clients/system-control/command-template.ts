/**
 * `{{variable}}` templating of a `command` channel argv. Each argv element is expanded on its own
 * and the program runs without a shell, so a value can never become a second argument or a shell
 * construct. Unknown variables are refused (config validation catches them first).
 */
import { TEMPLATE_VARIABLES, type TemplateVariable } from "./config";

export type TemplateValues = Record<TemplateVariable, string>;

const REF = /\{\{\s*([^}]*?)\s*\}\}/g;

export function expandArgv(argv: readonly string[], values: TemplateValues): string[] {
  return argv.map((arg) =>
    arg.replace(REF, (_m, name: string) => {
      if (!(TEMPLATE_VARIABLES as readonly string[]).includes(name))
        throw new Error(`unknown template variable {{${name}}}`);
      return values[name as TemplateVariable];
    }),
  );
}
