/**
 * Integration resources (docs/design-notes.md#integration-resources): `SppJoin` (J1–J6), `TrafficRedirection` (a
 * Linux router sending selected traffic to SPS) and `NextHopMonitoring` (H4). Same pattern as ./resources.ts, on the
 * runtime entry `pulumi-sps/runtime/integration` (./dynamic.ts); secrets come from stack config through `configure()`
 * (sps:credentials, sps:sppApiToken, sps:routerSsh), never from inputs.
 */
import * as pulumi from "@pulumi/pulumi";
import { SpsDriftingResource } from "./dynamic";
import type { ApplianceNodeInput, SystemControlInput, TlsInput } from "./input-types";
import type { TrafficRedirectionSpecInput } from "../core/redirection-spec-types";

export interface SppJoinArgs {
  /** Node name (its REST login is sps:credentials.nodes.<node> or .appliance). */
  node: pulumi.Input<string>;
  /** https:// URL of the Central Management node (J2). */
  address: pulumi.Input<string>;
  tls: pulumi.Input<TlsInput>;
  /** J3: IPv4 or the hostname on SPP's certificate; port 443 unless told. */
  /** `tls`: how SPP's certificate is trusted ({ caPem } or { sha256Fingerprint }); required to join (J3). */
  spp: pulumi.Input<{ address: string; port?: number; certificateCheckHost?: string; tls?: TlsInput }>;
  /** J2: make a standalone node the CM of its own one-node cluster first. */
  promoteStandalone?: pulumi.Input<boolean>;
  /** J5: declared firewall openings. */
  firewall: pulumi.Input<{ tcp8649BothWays: boolean; tcp443SpsToSpp: boolean }>;
  /** J1: primary IPv4 addresses; a change plans a re-join. */
  spsPrimaryAddress?: pulumi.Input<string>;
  sppPrimaryAddress?: pulumi.Input<string>;
}

/** SPS joined to SPP. Irreversible from SPS: deleting the resource forgets it and warns (J1). */
export class SppJoin extends SpsDriftingResource {
  /** What up will do, in plain words (empty when nothing is to be done). */
  declare readonly plannedActions: pulumi.Output<string[]>;
  declare readonly joined: pulumi.Output<boolean>;
  declare readonly promoted: pulumi.Output<boolean>;
  declare readonly sppCertificateSha256: pulumi.Output<string>;
  /** Short hash of the SPP token used (secret output): shows a rotated token without storing it. */
  declare readonly tokenFingerprint: pulumi.Output<string>;
  /** "joined", "not joined" or "not verifiable: …" (SPP's certificate not verified: set spp.tls). */
  declare readonly joinState: pulumi.Output<string>;

  constructor(name: string, args: SppJoinArgs, opts?: pulumi.CustomResourceOptions) {
    super(
      "sppJoin",
      name,
      args,
      pulumi.mergeOptions(opts, { additionalSecretOutputs: ["tokenFingerprint"] }),
    );
  }
}

export interface TrafficRedirectionArgs {
  /** The router over SSH (its key/password: secret config sps:routerSsh). */
  router: pulumi.Input<{
    host: string;
    port?: number;
    username: string;
    hostKey: { knownHostsLine: string } | { sha256Fingerprint: string };
  }>;
  redirection: pulumi.Input<TrafficRedirectionSpecInput>;
}

/** A Linux router sending selected traffic to SPS (CONNMARK/MARK, SPS table, ip rule, rp_filter). */
export class TrafficRedirection extends SpsDriftingResource {
  declare readonly changes: pulumi.Output<string[]>;
  declare readonly previousRpFilter: pulumi.Output<Record<string, number>>;

  constructor(name: string, args: TrafficRedirectionArgs, opts?: pulumi.CustomResourceOptions) {
    super("trafficRedirection", name, args, opts);
  }
}

export interface NextHopMonitoringArgs {
  /** The HA pair (ha: true), with its core shell / BMCs when system control uses them. */
  node: pulumi.Input<ApplianceNodeInput>;
  /** Per interface: the address the primary pings (thisNode) and the one the secondary pings (otherNode). */
  targets: pulumi.Input<Array<{ interface: string; thisNode: string; otherNode: string }>>;
  /** Channels for the restart of both nodes ("Reboot Cluster": rebootCluster, and readHaState to wait for them). */
  systemControl?: pulumi.Input<SystemControlInput>;
  waitTimeoutMs?: pulumi.Input<number>;
  pollMs?: pulumi.Input<number>;
  /**
   * The REST path of the setting, when you know one. None is documented: without it, a path is used
   * only when the node's REST tree shows one; otherwise the change is a manual step.
   */
  path?: pulumi.Input<string>;
  /** The manual route: the value its printed instructions give, once you did them. */
  manualConfirmed?: pulumi.Input<string>;
}

/**
 * HA next-hop monitoring (H4). A change takes effect after both nodes restart; up restarts them with
 * "Reboot Cluster" as the document says (a healthy pair only), then waits until both are back. No REST path is documented: the operator's `path`, else one
 * the node's REST tree shows, else a manual step (the preview says which). Delete forgets.
 */
export class NextHopMonitoring extends SpsDriftingResource {
  declare readonly plannedActions: pulumi.Output<string[]>;
  declare readonly effectiveTargets: pulumi.Output<
    Array<{ interface: string; thisNode: string; otherNode: string }>
  >;
  declare readonly restartRequired: pulumi.Output<boolean>;
  /** The route the last run took (REST path and why, or the manual step). */
  declare readonly route: pulumi.Output<string>;
  declare readonly lastRun: pulumi.Output<string[]>;

  constructor(name: string, args: NextHopMonitoringArgs, opts?: pulumi.CustomResourceOptions) {
    super("nextHopMonitoring", name, args, opts);
  }
}
