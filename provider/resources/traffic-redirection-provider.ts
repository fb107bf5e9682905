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
import { hasDrift, inputsChanged } from "./context";
import { trafficRedirectionInputSchema } from "../../sdk/inputs";

type Props = Record<string, unknown>;

async function routerSession(props: Props): Promise<SshHostSession> {
  const r = trafficRedirectionInputSchema.shape.router.parse(props["router"]);
  return SshHostSession.connect({ ...r, auth: routerAuth(), commandTimeoutMs: 60_000 }, `router ${r.host}`);
}

/** `use` of a session to the declared router, closed after; every error redacted. */
async function withRouter<T>(props: Props, use: (session: SshHostSession) => Promise<T>): Promise<T> {
  const session = await routerSession(props).catch(fail);
  try {
    return await use(session);
  } catch (e) {
    fail(e);
  } finally {
    await session.close();
  }
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
    return failures.length > 0 ? { inputs: news, failures } : { inputs: news };
  },

  async diff(_id: string, olds: Props, news: Props): Promise<DiffResult> {
    return { changes: inputsChanged(olds, news, ["router", "redirection"]) || hasDrift(olds) };
  },

  async create(inputs: Props): Promise<{ id: string; outs: Props }> {
    return withRouter(inputs, async (session) => {
      const r = await applyRedirection(session, inputs["redirection"]);
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
    });
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
    return withRouter(props, async (session) => {
      const r = await readRedirection(session, props["redirection"]);
      return { id, props: { ...props, drift: r.drift.map((d) => `${d.item} ${d.kind}: ${d.detail}`) } };
    });
  },

  async remove(_id: string, props: Props): Promise<void> {
    return withRouter(props, async (session) => {
      const r = await removeRedirection(session, props["redirection"], {
        restoreRpFilter: (props["previousRpFilter"] as Record<string, number> | undefined) ?? {},
      });
      for (const line of r.removed) say(`trafficRedirection/${session.host}`, `removed ${line}`);
    });
  },
};
