/**
 * The SPP join state, read where the public client reads it: on SPP's side, the session modules SPP
 * knows [ps: sessionjoin.psm1 `Get-SafeguardSessionCluster` → `GET Cluster/SessionModules` on SPP's
 * core API (`/service/core/v4/…`, safeguard-ps's default API version), fields Id, NodeId,
 * Description, SpsNetworkAddress, SpsHostName, Trusted, UseHostNameForLaunch, matched by
 * `SpsHostName` or `SpsNetworkAddress`]. SPS itself documents no join-state endpoint.
 *
 * The SPP API token is sent only to the SPP whose certificate matches a pinned SHA-256 fingerprint:
 * the one this tool handed to SPS at the join (recorded), or the one read just before (the same
 * certificate SPS is given to trust). Nothing of the answer but the fields below is kept.
 */
import { SpsError } from "../../../core/errors";
import { request } from "node:https";
import { z } from "zod";
import { isIpv4 } from "../../../core/next-hop";
import { redactText } from "../sps/api-error";
import { agentFor, type TrustLogger } from "../sps/tls-trust";

export const SESSION_MODULE_FIELDS = [
  "Id",
  "NodeId",
  "Description",
  "SpsNetworkAddress",
  "SpsHostName",
  "Trusted",
  "UseHostNameForLaunch",
] as const;

/** [ps] Only the fields Get-SafeguardSessionCluster selects; every one optional (read leniently). */
const SessionModuleSchema = z.looseObject({
  Id: z.union([z.number(), z.string()]).optional(),
  NodeId: z.string().nullable().optional(),
  SpsNetworkAddress: z.string().nullable().optional(),
  SpsHostName: z.string().nullable().optional(),
});
export type SessionModule = z.infer<typeof SessionModuleSchema>;

export const SessionModuleListSchema = z.array(SessionModuleSchema);

export interface SppEndpoint {
  address: string;
  port: number;
  certificateCheckHost?: string | undefined;
  apiToken: string;
}

/** A failed read of SPP's session modules (redacted); `status` when SPP answered. */
export class SppReadError extends SpsError {
  static override readonly code: string = "SPP_READ_FAILED";
  constructor(
    message: string,
    readonly status: number | undefined,
  ) {
    super(message);
  }
}

/** The path of the list, with the fields safeguard-ps asks for [ps]. */
export const SESSION_MODULES_LIST_PATH = `/service/core/v4/Cluster/SessionModules?fields=${SESSION_MODULE_FIELDS.join(",")}`;

/** Pure: the session module that is this SPS (by host name or network address, as [ps] filters). */
export function findSessionModule(modules: SessionModule[], spsNames: string[]): SessionModule | undefined {
  const names = new Set(spsNames.filter(Boolean).map((n) => n.toLowerCase()));
  return modules.find(
    (m) =>
      (m.SpsHostName && names.has(m.SpsHostName.toLowerCase())) ||
      (m.SpsNetworkAddress && names.has(m.SpsNetworkAddress.toLowerCase())),
  );
}

/** `GET Cluster/SessionModules` on SPP, pinned to `sha256Fingerprint`. */
export function readSessionModules(
  spp: SppEndpoint,
  sha256Fingerprint: string,
  timeoutMs: number,
  log: TrustLogger,
): Promise<SessionModule[]> {
  const agent = agentFor({ mode: "pin", sha256Fingerprint }, spp.address, log);
  const secrets = [spp.apiToken];
  return new Promise<SessionModule[]>((resolve, reject) => {
    const fail = (message: string, status: number | undefined): void =>
      reject(new SppReadError(redactText(message, secrets), status));
    const req = request(
      {
        host: spp.certificateCheckHost ?? spp.address,
        port: spp.port,
        servername: isIpv4(spp.address) ? undefined : spp.address,
        path: SESSION_MODULES_LIST_PATH,
        method: "GET",
        agent,
        timeout: timeoutMs,
        headers: { Authorization: `Bearer ${spp.apiToken}`, Accept: "application/json" },
      },
      (res) => {
        const chunks: Buffer[] = [];
        res.on("data", (c: Buffer) => chunks.push(c));
        res.on("end", () => {
          const text = Buffer.concat(chunks).toString("utf8");
          const status = res.statusCode ?? 0;
          if (status >= 400)
            return fail(
              `SPP ${spp.address}: GET Cluster/SessionModules answered HTTP ${status}: ${text.slice(0, 300)}`,
              status,
            );
          let parsed: unknown;
          try {
            parsed = JSON.parse(text);
          } catch {
            return fail(`SPP ${spp.address}: Cluster/SessionModules did not answer JSON`, status);
          }
          const list = SessionModuleListSchema.safeParse(parsed);
          if (!list.success)
            return fail(
              `SPP ${spp.address}: Cluster/SessionModules is not a list of session modules`,
              status,
            );
          resolve(list.data);
        });
      },
    );
    req.on("timeout", () => req.destroy(new Error(`no answer within ${timeoutMs} ms`)));
    req.on("error", (e: Error) =>
      fail(`SPP ${spp.address}: GET Cluster/SessionModules: ${e.message}`, undefined),
    );
    req.end();
  }).finally(() => agent.destroy());
}
