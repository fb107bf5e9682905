/**
 * The SppJoin resource: J1–J6 through provider/clients/spp/spp-join.ts. The SPS login comes from
 * sps:credentials (appliance / nodes.<node>), the SPP API token from the secret config
 * `sps:sppApiToken`: neither is an input or an output. The join state is read on SPP's side
 * (Cluster/SessionModules [ps]), pinned to the certificate handed to SPS at the join. Deleting the
 * resource forgets it and warns: a join cannot be undone from SPS (J1).
 */
import { createHash } from "node:crypto";
import type { CheckResult, DiffResult, ReadResult } from "@pulumi/pulumi/dynamic";
import {
  JOIN_CLOSES_ACCESS_REQUESTS,
  JOIN_OPTIONAL_BACKUPS,
  joinSpp,
  planSppJoin,
  PROMOTE_BEFORE_CLUSTER,
  readSppJoin,
  validateSppJoin,
} from "../clients/spp/spp-join";
import { fieldProblems } from "../../core/validation";
import { sppJoinInputSchema, type SppJoinInputs } from "../../sdk/inputs";
import { applianceLogin } from "../../sdk/credentials";
import { trustOfDeclared } from "../clients/sps/tls-trust";
import { declaredIn } from "../../sdk/wiring";
import { credentials, inputsChanged } from "./context";
import { engineLog, fail, INTEGRATION_STATE_VERSION, requireToken, say } from "./integration-common";

type Props = Record<string, unknown>;

function sppInputs(props: Props): SppJoinInputs {
  return sppJoinInputSchema.parse(declaredIn(props, sppJoinInputSchema));
}

function joinSpec(f: SppJoinInputs, token: string, rejoin = false): unknown {
  return {
    rejoin,
    sps: {
      endpoint: f.address,
      credentials: applianceLogin(credentials(), f.node),
      tls: trustOfDeclared(f.tls),
      ...(f.spsPrimaryAddress ? { primaryAddress: f.spsPrimaryAddress } : {}),
    },
    spp: {
      address: f.spp.address,
      ...(f.spp.port !== undefined ? { port: f.spp.port } : {}),
      ...(f.spp.certificateCheckHost ? { certificateCheckHost: f.spp.certificateCheckHost } : {}),
      ...(f.spp.tls ? { tls: trustOfDeclared(f.spp.tls) } : {}),
      apiToken: token,
    },
    promoteStandalone: f.promoteStandalone ?? false,
    firewall: f.firewall,
  };
}

function record(f: SppJoinInputs) {
  return {
    spp: f.spp.address,
    spsPrimaryAddress: f.spsPrimaryAddress,
    sppPrimaryAddress: f.sppPrimaryAddress ?? f.spp.address,
  };
}

const tokenFingerprint = (t: string): string => createHash("sha256").update(t).digest("hex").slice(0, 16);

export const sppJoin = {
  async check(olds: Props, news: Props): Promise<CheckResult> {
    const shape = sppJoinInputSchema.safeParse(declaredIn(news, sppJoinInputSchema));
    if (!shape.success) return { inputs: news, failures: fieldProblems(shape.error) };
    const f = shape.data;
    const v = validateSppJoin(joinSpec(f, "placeholder-token-for-validation"));
    if (!v.ok)
      return {
        inputs: news,
        failures: v.problems.map((p) => ({
          property: p.property.replace(/^sps\.endpoint$/, "address"),
          reason: p.reason,
        })),
      };
    const previous = olds["spp"] ? record(sppInputs(olds)) : undefined;
    const plan = planSppJoin(previous, record(f));
    const plannedActions =
      plan.action === "join"
        ? [
            `join ${f.node} to SPP ${f.spp.address}: this cannot be undone — unjoining is done on SPP, not by this stack (J1); ${JOIN_CLOSES_ACCESS_REQUESTS}`,
            JOIN_OPTIONAL_BACKUPS,
            ...(f.promoteStandalone === true
              ? [`promote ${f.node} if it is standalone (J2): ${PROMOTE_BEFORE_CLUSTER}`]
              : []),
          ]
        : plan.action === "rejoin"
          ? [`join ${f.node} to SPP ${f.spp.address} again: ${plan.reason} (J1)`]
          : [];
    return { inputs: { ...news, plannedActions } };
  },

  async diff(_id: string, olds: Props, news: Props): Promise<DiffResult> {
    const changed = inputsChanged(olds, news, Object.keys(sppJoinInputSchema.shape));
    // Refresh found the join gone (or pointing elsewhere): the next up joins again.
    return { changes: changed || olds["joined"] === false };
  },

  async create(inputs: Props, rejoin = false): Promise<{ id: string; outs: Props }> {
    const f = sppInputs(inputs);
    const token = requireToken();
    say(`sppJoin/${f.node}`, `joining SPP ${f.spp.address} — irreversible from SPS (J1)`);
    try {
      const r = await joinSpp(joinSpec(f, token, rejoin), {
        onStep: (s) => say(`sppJoin/${f.node}`, s),
        log: engineLog,
      });
      say(
        `sppJoin/${f.node}`,
        r.joined ? `joined SPP ${f.spp.address}` : `already joined to SPP ${f.spp.address}`,
      );
      return {
        id: `${f.node}->${f.spp.address}`,
        outs: {
          ...inputs,
          plannedActions: [],
          joined: true,
          promoted: r.promoted,
          sppCertificateSha256: r.certificateSha256,
          tokenFingerprint: tokenFingerprint(token),
          drift: [],
          stateVersion: INTEGRATION_STATE_VERSION,
        },
      };
    } catch (e) {
      fail(e);
    }
  },

  async update(_id: string, _olds: Props, news: Props): Promise<{ outs: Props }> {
    // An update is a repeated join (J1): policies the earlier join created are expected.
    return { outs: (await sppJoin.create(news, true)).outs };
  },

  async read(id: string, props: Props): Promise<ReadResult> {
    const f = sppInputs(props);
    try {
      // Read on SPP's side [ps], pinned to the certificate handed to SPS at the join.
      const pin =
        typeof props["sppCertificateSha256"] === "string" ? props["sppCertificateSha256"] : undefined;
      const state = await readSppJoin(joinSpec(f, requireToken()), engineLog, pin);
      if (state.notVerifiable !== undefined) {
        // Nothing was sent to SPP: the state is unknown, not "unjoined" (no re-join planned from it).
        say(`sppJoin/${f.node}`, `join state not verifiable: ${state.notVerifiable}`);
        return { id, props: { ...props, joinState: `not verifiable: ${state.notVerifiable}` } };
      }
      const joinedHere = state.joined && state.spp === f.spp.address;
      const drift = joinedHere
        ? []
        : [
            state.joined
              ? `SPS is joined to SPP ${state.spp ?? "?"}, not ${f.spp.address}`
              : `SPP ${f.spp.address} lists no session module for this SPS (unjoined on SPP?)`,
          ];
      return {
        id,
        props: { ...props, joined: joinedHere, drift, joinState: joinedHere ? "joined" : "not joined" },
      };
    } catch (e) {
      fail(e);
    }
  },

  async remove(_id: string, props: Props): Promise<void> {
    const node = typeof props["node"] === "string" ? props["node"] : "sps";
    say(
      `sppJoin/${node}`,
      `WARNING: removed from the stack only. SPS stays joined to SPP: a join cannot be undone from SPS (J1). To reverse it, remove the session module on SPP ("Reversing the SPP to SPS join").`,
    );
  },
};
