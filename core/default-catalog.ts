/** The bundled release catalog (rule V7): data with sources, see bundled-catalog.json. */
import { Catalog } from "./catalog";
import data from "./bundled-catalog.json";

let cached: Catalog | undefined;

export function defaultCatalog(): Catalog {
  cached ??= Catalog.parse(data);
  return cached;
}
