/** The bundled release catalog (rule V7): data with sources, see default-catalog.json. */
import { Catalog } from "./catalog";
import data from "./default-catalog.json";

let cached: Catalog | undefined;

export function defaultCatalog(): Catalog {
  cached ??= Catalog.parse(data);
  return cached;
}
