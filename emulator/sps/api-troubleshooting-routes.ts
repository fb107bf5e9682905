/**
 * Emulated `/api/troubleshooting` tree: the support-bundle jobs ([doc] 8.0 LTS REST guide, "Generating SPS
 * support bundle using REST"; [ps] `Get-SafeguardSpsSupportBundle`). On a node without the API (5.x and 6.x
 * — the exact first version is [unknown], see `SUPPORT_BUNDLE_API_FROM`) the whole tree is absent (404),
 * so a client finds out from the REST tree, never from the version.
 */
import { notFound, readBody, requireWrite, sendIndex, sendItems, sendMeta, sendObject } from "./api-context";
import type { ApiContext } from "./api-context";
import { SpsApiFault } from "./api-errors";
import type { SupportBundleJob } from "./support-bundles";

const BASE = "/api/troubleshooting/support-bundle";

function jobItem(job: SupportBundleJob) {
  return {
    key: job.key,
    body: {
      status: job.status,
      created: new Date(job.startedAt).toISOString(),
      expires: new Date(job.expiresAt).toISOString(),
    },
    meta: { href: `${BASE}/${job.key}`, download: `${BASE}/${job.key}/download` },
  };
}

export function isTroubleshootingRoute(ctx: ApiContext): boolean {
  return ctx.segments[1] === "troubleshooting";
}

export async function handleTroubleshooting(ctx: ApiContext): Promise<void> {
  const { method, segments, node, res } = ctx;
  if (!node.hasSupportBundleApi()) notFound(ctx);
  const rest = segments.slice(2);
  if (rest.length === 0 && method === "GET") {
    return sendIndex(ctx, ["support-bundle"], "/api/troubleshooting", "/api", { "support-bundle": BASE });
  }
  if (rest[0] !== "support-bundle") notFound(ctx);
  const jobs = node.supportBundles;
  if (rest.length === 1 && method === "POST") {
    requireWrite(ctx);
    await readBody(ctx.req);
    const job = jobs.start();
    node.record("action", "support-bundle-start", { key: job.key, version: node.runningVersion });
    return sendObject(ctx, job.key, jobItem(job).body, `${BASE}/${job.key}`, BASE, undefined, 201);
  }
  if (rest.length === 1 && method === "GET") {
    return sendItems(ctx, jobs.list().map(jobItem), BASE, "/api/troubleshooting");
  }
  const key = rest[1];
  if (rest.length === 2 && method === "GET") {
    const job = jobs.get(key) ?? notFound(ctx);
    return sendObject(ctx, key, jobItem(job).body, `${BASE}/${key}`, BASE);
  }
  if (rest.length === 2 && method === "DELETE") {
    requireWrite(ctx);
    if (!jobs.delete(key)) notFound(ctx);
    node.record("action", "support-bundle-delete", { key });
    return sendMeta(ctx, `${BASE}/${key}`, BASE);
  }
  if (rest.length === 3 && rest[2] === "download" && method === "GET") {
    const job = jobs.get(key) ?? notFound(ctx);
    const file = jobs.download(key);
    if (!file)
      throw new SpsApiFault(
        "InvalidRequest",
        `Support bundle ${key} is not finished (${job.status}).`,
        { key },
        409,
      );
    res.writeHead(200, {
      "Content-Type": "application/gzip",
      "Content-Length": file.length,
      "Content-Disposition": `attachment; filename="support-bundle-${key}.tar.gz"`,
    });
    res.end(file);
    return;
  }
  notFound(ctx);
}
