/**
 * The external indexers SPS sees connected, from `/api/health_status` →
 * `health_status.indexer.indexer_status` [doc: 8.0 LTS REST guide "health status"; the web
 * interface's Indexer > Worker status page, upgrade guide 6.3 "Upgrading external indexers"].
 * Pure; read leniently (an entry without `ip` is skipped, a missing list is "none seen").
 */
import { z } from "zod";

const WorkerEntrySchema = z.looseObject({ ip: z.string(), workers_count: z.number().optional() });

export interface SeenIndexer {
  ip: string;
  workers: number | undefined;
}

export function indexersSeen(healthStatus: Record<string, unknown>): SeenIndexer[] {
  const indexer = healthStatus["indexer"];
  const list =
    indexer && typeof indexer === "object"
      ? (indexer as Record<string, unknown>)["indexer_status"]
      : undefined;
  if (!Array.isArray(list)) return [];
  return list.flatMap((e) => {
    const p = WorkerEntrySchema.safeParse(e);
    return p.success ? [{ ip: p.data.ip, workers: p.data.workers_count }] : [];
  });
}
