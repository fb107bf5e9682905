// SPS joined to SPP, and optionally a Linux router that sends client RDP connections to SPS.
//
// Config (project namespace):            Secret config:
//   node, address, caPem                   sps:credentials   {"appliance": {"username", "password"}}
//   sppAddress, sppPort?, sppCheckHost?    sps:sppApiToken   SPP token (Appliance + Operations permissions)
//   router? (JSON: host, port, username,   sps:routerSsh     {"privateKey": "..."} (only with `router`)
//            hostKey), redirection? (JSON)
//   sppCaPem or sppSha256 (J3: how SPP's certificate is trusted; without one no token goes to SPP)
// Joining is irreversible (J1): destroying this stack forgets the join, it does not undo it.
import * as pulumi from "@pulumi/pulumi";
import { SppJoin, TrafficRedirection, type TrafficRedirectionArgs } from "pulumi-sps";

const cfg = new pulumi.Config();
const sppPort = cfg.getNumber("sppPort");
const sppCheckHost = cfg.get("sppCheckHost");
const sppCaPem = cfg.get("sppCaPem");
const sppSha256 = cfg.get("sppSha256");

const join = new SppJoin("spp", {
  node: cfg.require("node"),
  address: cfg.require("address"),
  tls: { caPem: cfg.require("caPem") },
  spp: {
    address: cfg.require("sppAddress"),
    ...(sppPort !== undefined ? { port: sppPort } : {}),
    ...(sppCheckHost !== undefined ? { certificateCheckHost: sppCheckHost } : {}),
    ...(sppCaPem !== undefined
      ? { tls: { caPem: sppCaPem } }
      : sppSha256 !== undefined
        ? { tls: { sha256Fingerprint: sppSha256 } }
        : {}),
  },
  promoteStandalone: cfg.getBoolean("promoteStandalone") ?? true,
  firewall: { tcp8649BothWays: true, tcp443SpsToSpp: true },
});

export const plannedActions = join.plannedActions;
export const joined = join.joined;
export const joinDrift = join.drift;
export const joinState = join.joinState;
export const tokenFingerprint = join.tokenFingerprint;

const router = cfg.getObject<TrafficRedirectionArgs["router"]>("router");
const redirection = cfg.getObject<TrafficRedirectionArgs["redirection"]>("redirection");
const redirectionResource =
  router && redirection ? new TrafficRedirection("router", { router, redirection }) : undefined;
export const redirectionChanges = redirectionResource?.changes;
export const redirectionDrift = redirectionResource?.drift;
