/**
 * The `catalog` input of SpsCluster, SpsFleet and ClusterFirmware — the SDK's counterpart of the CLI's
 * `--catalog`: a catalog file's path (JSON, relative to the program's working directory) or the catalog
 * object itself, in the bundled catalog's format (core/bundled-catalog.json). Its releases
 * extend the bundled catalog (a release it lists replaces the bundled entry), so a program can name a
 * release or revision published after this package. Read in the program: the providers get the object
 * (no path in the state), and a bad file stops the program naming the field and the fix.
 */
import { readTextFileBounded } from "../core/bounded-file";
import * as path from "node:path";
import * as pulumi from "@pulumi/pulumi";
import { Catalog, type CatalogFile } from "../core/catalog";
import { catalogSchema } from "../core/catalog-schema";
import { defaultCatalog } from "../core/default-catalog";
import { describeProblems, fieldProblemsUnder } from "../core/validation";

/** A catalog file's path, or the catalog object (`{ schemaVersion: 1, releases: [...] }`). */
export type CatalogInput = string | CatalogFile;

/** The catalog object of a `catalog` input; a bad one stops the program naming `field` and the fix. */
export function catalogDocument(field: string, input: CatalogInput): CatalogFile {
  let raw: unknown = input;
  if (typeof input === "string") {
    const file = path.resolve(input);
    let text: string;
    try {
      text = readTextFileBounded(file);
    } catch (e) {
      const code = (e as NodeJS.ErrnoException).code ?? String(e);
      throw new pulumi.RunError(
        `${field}: cannot read the catalog file ${file} (${code}); give the path of a JSON catalog file (relative to the program's directory) or the catalog object`,
      );
    }
    try {
      raw = JSON.parse(text);
    } catch {
      throw new pulumi.RunError(
        `${field}: ${file} is not JSON; the catalog is a JSON document like the bundled one`,
      );
    }
  }
  const parsed = catalogSchema.safeParse(raw);
  if (parsed.success) return parsed.data;
  throw new pulumi.RunError(describeProblems(fieldProblemsUnder(field, parsed.error)));
}

/** The catalog the plan uses: the bundled one, extended with the declared catalog's releases. */
export function effectiveCatalog(declared: CatalogFile | undefined): Catalog {
  return declared ? defaultCatalog().extendedWith(Catalog.fromFile(declared)) : defaultCatalog();
}

/** What a finding's advice says instead of the CLI's flag, in a program. */
export const CATALOG_ADVICE =
  "the catalog input of SpsCluster / SpsFleet / ClusterFirmware (`catalog`: a catalog file's path or the catalog object, in the bundled catalog's format)";

/** A planner message in the SDK's terms: `your catalog file (--catalog)` → the `catalog` input. */
export function sdkAdvice(message: string): string {
  return message.replace(/your catalog file \(--catalog\)/g, CATALOG_ADVICE);
}
