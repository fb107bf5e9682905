/** The inventory file format this package reads (the file's `schemaVersion`), apart so the schema and the types share it. */
export const INVENTORY_SCHEMA_VERSION = 1;
