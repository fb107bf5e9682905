/**
 * Emulated support-bundle jobs of one node (`/api/troubleshooting/support-bundle`):
 *
 * - [doc] SPS 8.0 LTS REST guide, "Generating SPS support bundle using REST": POST starts a job (its key
 *   in the answer), GET lists the jobs or one job's status, GET …/<key>/download the file, DELETE …/<key>
 *   removes it; "A support bundle is automatically deleted after 24 hours."
 * - [ps] safeguard-ps `src/sessionapi.psm1` `Get-SafeguardSpsSupportBundle`: polls `body.status` until
 *   `"finished"`, downloads a `.tar.gz`, then DELETEs the job.
 * - [unknown] the other status values (the emulator says `"running"`), how long generation takes (the
 *   emulator: `generateMs`), the job body's other fields, and the first version that has the endpoint.
 *
 * Lazy and clock-driven like the rest of the emulator: a job's status is computed from its start time.
 */
import { createHash } from "node:crypto";
import { gzipSync } from "node:zlib";
import { MINUTE, type Clock } from "../common/clock";

/** [doc] bundles are deleted by SPS after 24 hours. */
export const SUPPORT_BUNDLE_LIFETIME_MS = 24 * 60 * MINUTE;
/** [unknown] generation time; the emulator's choice. */
export const SUPPORT_BUNDLE_GENERATE_MS = 2 * MINUTE;

export interface SupportBundleJob {
  key: string;
  startedAt: number;
  status: "running" | "finished";
  /** Emulated time the bundle is deleted by the appliance (24 h after it was started). */
  expiresAt: number;
}

interface StoredJob {
  key: string;
  startedAt: number;
  content: Buffer;
}

export class SupportBundleJobs {
  private readonly jobs = new Map<string, StoredJob>();
  private counter = 0;

  constructor(
    private readonly clock: Clock,
    private readonly describe: () => string,
    readonly generateMs: number = SUPPORT_BUNDLE_GENERATE_MS,
  ) {}

  private expire(): void {
    const now = this.clock.now();
    for (const [key, job] of this.jobs)
      if (now >= job.startedAt + SUPPORT_BUNDLE_LIFETIME_MS) this.jobs.delete(key);
  }

  private view(job: StoredJob): SupportBundleJob {
    const now = this.clock.now();
    return {
      key: job.key,
      startedAt: job.startedAt,
      status: now >= job.startedAt + this.generateMs ? "finished" : "running",
      expiresAt: job.startedAt + SUPPORT_BUNDLE_LIFETIME_MS,
    };
  }

  start(): SupportBundleJob {
    this.expire();
    const startedAt = this.clock.now();
    this.counter += 1;
    const key = createHash("sha256")
      .update(`${this.describe()}:${startedAt}:${this.counter}`)
      .digest("hex")
      .slice(0, 16);
    // A small gzip file standing in for the bundle (.tar.gz [ps]); its content identifies node and time.
    const content = gzipSync(
      Buffer.from(
        `SPS support bundle (emulated)\n${this.describe()}\nstarted ${new Date(startedAt).toISOString()}\n`,
      ),
    );
    const job = { key, startedAt, content };
    this.jobs.set(key, job);
    return this.view(job);
  }

  list(): SupportBundleJob[] {
    this.expire();
    return [...this.jobs.values()].map((j) => this.view(j));
  }

  get(key: string): SupportBundleJob | undefined {
    this.expire();
    const job = this.jobs.get(key);
    return job ? this.view(job) : undefined;
  }

  /** The bundle file, once the job is finished (undefined while running or when gone). */
  download(key: string): Buffer | undefined {
    const job = this.get(key);
    if (!job || job.status !== "finished") return undefined;
    return this.jobs.get(key)!.content;
  }

  delete(key: string): boolean {
    this.expire();
    return this.jobs.delete(key);
  }
}
