/**
 * Reading a fleet inventory file (core/inventory.ts) at the edge: the JSON text, then every
 * `caFile` (relative to the inventory file's directory) replaced by the PEM it holds. Errors name the
 * file, the field path and the fix; one error lists every problem of the file.
 */
import { SpsError } from "../core/errors";
import { readTextFileBounded } from "../core/bounded-file";
import * as path from "node:path";
import {
  parseInventory,
  resolvedClusters,
  type Inventory,
  type InventoryTls,
  type ResolvedInventoryCluster,
} from "../core/inventory";
import { describeProblems, type FieldProblem } from "../core/field-problems";
import type { TlsInput } from "./input-types";

export class InventoryFileError extends SpsError {
  static override readonly code: string = "INVENTORY_FILE_INVALID";
  constructor(
    readonly file: string,
    readonly problems: readonly FieldProblem[],
  ) {
    super(`inventory ${file}:\n${describeProblems(problems)}`);
  }
}

export interface InventoryFile {
  /** Absolute path of the file read. */
  file: string;
  inventory: Inventory;
  /** Every cluster with the defaults applied and every trust as the resources take it. */
  clusters: Array<Omit<ResolvedInventoryCluster, "nodes"> & { nodes: Array<NodeWithTrust> }>;
}
type NodeWithTrust = Omit<ResolvedInventoryCluster["nodes"][number], "tls"> & { tls: TlsInput };

/** The resources' trust of an inventory trust whose `caFile` was read. */
function trustOf(tls: InventoryTls): TlsInput {
  if (tls.caPem !== undefined) return { caPem: tls.caPem };
  if (tls.sha256Fingerprint !== undefined) return { sha256Fingerprint: tls.sha256Fingerprint };
  return { system: true };
}

export function readInventoryFile(file: string): InventoryFile {
  const abs = path.resolve(file);
  let text: string;
  try {
    text = readTextFileBounded(abs);
  } catch (e) {
    throw new InventoryFileError(abs, [
      { property: "(file)", reason: `cannot be read (${(e as Error).message}); check the path` },
    ]);
  }
  let document: unknown;
  try {
    document = JSON.parse(text) as unknown;
  } catch (e) {
    throw new InventoryFileError(abs, [
      { property: "(document)", reason: `is not valid JSON (${(e as Error).message})` },
    ]);
  }
  const parsed = parseInventory(document);
  if (!parsed.ok) throw new InventoryFileError(abs, parsed.problems);

  const problems: FieldProblem[] = [];
  const pems = new Map<string, string | undefined>();
  const readCa = (tls: InventoryTls | undefined, at: string): InventoryTls | undefined => {
    if (tls?.caFile === undefined) return tls;
    const caPath = path.resolve(path.dirname(abs), tls.caFile);
    if (!pems.has(caPath)) {
      try {
        const pem = readTextFileBounded(caPath);
        pems.set(caPath, pem.includes("-----BEGIN CERTIFICATE-----") ? pem : undefined);
        if (!pem.includes("-----BEGIN CERTIFICATE-----"))
          problems.push({ property: `${at}.caFile`, reason: `${caPath} holds no PEM certificate` });
      } catch (e) {
        pems.set(caPath, undefined);
        problems.push({
          property: `${at}.caFile`,
          reason: `cannot read ${caPath} (${(e as Error).message}); the path is relative to the inventory file`,
        });
      }
    }
    const caPem = pems.get(caPath);
    return caPem === undefined ? tls : { caPem };
  };
  const inv = parsed.inventory;
  const withPems: Inventory = {
    ...inv,
    defaults: { ...inv.defaults, tls: readCa(inv.defaults.tls, "defaults.tls") },
    clusters: inv.clusters.map((c, i) => ({
      ...c,
      tls: readCa(c.tls, `clusters[${i}].tls`),
      nodes: c.nodes.map((n, j) => ({ ...n, tls: readCa(n.tls, `clusters[${i}].nodes[${j}].tls`) })),
    })),
  };
  if (problems.length > 0) throw new InventoryFileError(abs, problems);
  return {
    file: abs,
    inventory: parsed.inventory,
    clusters: resolvedClusters(withPems).map((c) => ({
      ...c,
      nodes: c.nodes.map((n) => ({ ...n, tls: trustOf(n.tls) })),
    })),
  };
}
