/**
 * What an emulated node reports under `/api/health_status` → `health_status.indexer.indexer_status`
 * [doc: 8.0 LTS REST guide "health status": per external indexer `{capabilities, idle_workers_count,
 * indexer_jobs, ip, screenshot_jobs, video_jobs, workers_count}`] — the REST side of the web
 * interface's Indexer > Worker status page (rule I4's last check).
 *
 * The emulator does not run indexers; a test or the lab attaches a source per node — e.g. a lab
 * indexer host, which counts as connected while its service runs.
 */
import type { EmulatedNode } from "./emulated-node";

export interface IndexerWorkerStatus {
  capabilities: string[];
  idle_workers_count: number;
  indexer_jobs: number;
  ip: string;
  screenshot_jobs: number;
  video_jobs: number;
  workers_count: number;
}

type Source = () => IndexerWorkerStatus[];

const SOURCES = new WeakMap<EmulatedNode, Source[]>();

/** Adds a source of connected workers to a node (returns a function that removes it). */
export function attachIndexerWorkers(node: EmulatedNode, source: Source): () => void {
  const list = SOURCES.get(node) ?? [];
  list.push(source);
  SOURCES.set(node, list);
  return () => {
    const now = SOURCES.get(node) ?? [];
    SOURCES.set(
      node,
      now.filter((s) => s !== source),
    );
  };
}

/** The workers a node sees now (none unless a source is attached). */
export function indexerWorkersOf(node: EmulatedNode): IndexerWorkerStatus[] {
  return (SOURCES.get(node) ?? []).flatMap((s) => s());
}

/** A lab indexer host as a worker source: connected (2 workers) while its service runs. */
export function labIndexerWorkers(host: { serviceRecord(): string }, ip: string): Source {
  return () =>
    host.serviceRecord().startsWith("running")
      ? [
          {
            capabilities: ["index"],
            idle_workers_count: 2,
            indexer_jobs: 0,
            ip,
            screenshot_jobs: 0,
            video_jobs: 0,
            workers_count: 2,
          },
        ]
      : [];
}
