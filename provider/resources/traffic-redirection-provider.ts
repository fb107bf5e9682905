/**
 * The TrafficRedirection resource: provider/clients/router over SSH; the router's key or password comes from
 * the secret config `sps:routerSsh` ({"privateKey": "..."} or {"password": "..."}).
 */
import type { CheckResult, DiffResult, ReadResult } from "@pulumi/pulumi/dynamic";
import { SshHostSession } from "../clients/hosts/ssh-host-session";
import {
  applyRedirection,
  readRedirection,
  removeRedirection,
  validateTrafficRedirection,
} from "../clients/router";
import { fieldProblems } from "../../core/validation";
import { fail, INTEGRATION_STATE_VERSION, routerAuth, say } from "./integration-common";
import { trafficRedirectionInputSchema } from "../../sdk/inputs";

type Props = Record<string, unknown>;

async function routerSession(props: Props): Promise<SshHostSession> {
  const r = trafficRedirectionInputSchema.shape.router.parse(props["router"]);
  return SshHostSession.connect({ ...r, auth: routerAuth(), commandTimeoutMs: 60_000 }, `router ${r.host}`);
}

function redirectionSpec(props: Props): unknown {
  return props["redirection"];
}

export const trafficRedirection = {
  async check(_olds: Props, news: Props): Promise<CheckResult> {
    const failures: { property: string; reason: string }[] = [];
    const router = trafficRedirectionInputSchema.shape.router.safeParse(news["router"]);
    if (!router.success)
      failures.push(
        ...fieldProblems(router.error).map((p) => ({ property: `router.${p.property}`, reason: p.reason })),
      );
    const spec = validateTrafficRedirection(news["redirection"]);
    if (!spec.ok)
      failures.push(
        ...spec.problems.map((p) => ({ property: `redirection.${p.property}`, reason: p.reason })),
      );
    if (failures.length > 0) return { inputs: news, failures };
    return { inputs: news };
  },

  async diff(_id: string, olds: Props, news: Props): Promise<DiffResult> {
    const changed = ["router", "redirection"].some(
      (k) => JSON.stringify(olds[k]) !== JSON.stringify(news[k]),
    );
    const drift = Array.isArray(olds["drift"]) && olds["drift"].length > 0;
    return { changes: changed || drift };
  },

  async create(inputs: Props): Promise<{ id: string; outs: Props }> {
    const session = await routerSession(inputs).catch(fail);
    try {
      const r = await applyRedirection(session, redirectionSpec(inputs));
      for (const c of r.changes) say(`trafficRedirection/${session.host}`, c);
      for (const w of r.warnings) say(`trafficRedirection/${session.host}`, `warning: ${w}`);
      return {
        id: session.host,
        outs: {
          ...inputs,
          changes: [...r.changes],
          previousRpFilter: r.previousRpFilter,
          drift: [],
          stateVersion: INTEGRATION_STATE_VERSION,
        },
      };
    } catch (e) {
      fail(e);
    } finally {
      await session.close();
    }
  },

  async update(_id: string, olds: Props, news: Props): Promise<{ outs: Props }> {
    const { outs } = await trafficRedirection.create(news);
    const previous = {
      ...((olds["previousRpFilter"] as Record<string, number> | undefined) ?? {}),
      ...((outs["previousRpFilter"] as Record<string, number>) ?? {}),
    };
    return { outs: { ...outs, previousRpFilter: previous } };
  },

  async read(id: string, props: Props): Promise<ReadResult> {
    const session = await routerSession(props).catch(fail);
    try {
      const r = await readRedirection(session, redirectionSpec(props));
      return { id, props: { ...props, drift: r.drift.map((d) => `${d.item} ${d.kind}: ${d.detail}`) } };
    } catch (e) {
      fail(e);
    } finally {
      await session.close();
    }
  },

  async remove(_id: string, props: Props): Promise<void> {
    const session = await routerSession(props).catch(fail);
    try {
      const r = await removeRedirection(session, redirectionSpec(props), {
        restoreRpFilter: (props["previousRpFilter"] as Record<string, number> | undefined) ?? {},
      });
      for (const line of r.removed) say(`trafficRedirection/${session.host}`, `removed ${line}`);
    } catch (e) {
      fail(e);
    } finally {
      await session.close();
    }
  },
};
