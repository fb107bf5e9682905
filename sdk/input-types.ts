/**
 * The resource inputs a program writes, as plain types: how an appliance node is reached and trusted,
 * and which channel carries each out-of-band operation. inputs.ts validates them with zod and ties its
 * schemas to these types with `Same` checks. No zod here: the package's public declarations reach this file.
 */
import type { NodeRole, NodeSettings, PluginFacts } from "../provider/domain/fleet-types";

/** How the appliance's TLS certificate is trusted. Exactly one field. */
export interface TlsInput {
  /** PEM of the CA that issued the appliance certificates. */
  caPem?: string | undefined;
  /** SHA-256 fingerprint of the appliance certificate (pinning). */
  sha256Fingerprint?: string | undefined;
  /** Trust the machine's CA store (hostname checked). */
  system?: true | undefined;
}

/** Core shell over SSH (system-control `ssh` channel); port 22 when left out. */
export interface CoreShellInput {
  host: string;
  port?: number | undefined;
  /** OpenSSH host key fingerprint as `ssh-keygen -lf` prints it (`SHA256:…`). */
  hostKeySha256: string;
}

/** The BMC of one HA unit (system-control `ipmi` channel); port 623 when left out. */
export interface BmcInput {
  host: string;
  port?: number | undefined;
}

/** One appliance node of a cluster (an HA pair is one node with `ha: true`). */
export interface ApplianceNodeInput {
  /** Letters, digits, '_' or '-'. */
  name: string;
  /** REST API base URL (https); for an HA pair the cluster address (served by the current primary). */
  address: string;
  tls: TlsInput;
  roles?: NodeRole[] | undefined;
  ha?: boolean | undefined;
  /** HA: the physical units as the HA page names them (default a, b). */
  units?: string[] | undefined;
  /** V8: the appliance hardware (pyramid, t1, t4, t10, 3000, 3500, other), any letter case. */
  hardware?: string | undefined;
  virtual?: boolean | undefined;
  /** Facts for preflight rules that are not read live (P4, P5, P9, P10, P11 ...). */
  settings?: NodeSettings | undefined;
  plugins?: PluginFacts[] | undefined;
  /** Only for offline planning: used when the appliance cannot be read during preview. */
  version?: string | undefined;
  coreShell?: CoreShellInput | undefined;
  /** BMC per HA unit, e.g. { a: {host, port}, b: {host, port} }. */
  bmc?: Record<string, BmcInput> | undefined;
}

/** The channel that carries one out-of-band operation, with its deadline in ms. */
export type SystemControlRoute =
  | { channel: "ssh"; deadlineMs?: number | undefined }
  | { channel: "ipmi"; deadlineMs?: number | undefined }
  | { channel: "manual"; note?: string | undefined; deadlineMs?: number | undefined }
  | {
      channel: "command";
      argv: string[];
      env?: Record<string, string> | undefined;
      deadlineMs?: number | undefined;
    };

/** Which channel carries each out-of-band operation (provider/appliance/system-control). Default: manual. */
export interface SystemControlInput {
  rebootNode?: SystemControlRoute | undefined;
  /** Next-hop monitoring only ("Reboot Cluster", rule H4); an upgrade never reboots the cluster (H1). */
  rebootCluster?: SystemControlRoute | undefined;
  shutdownSecondary?: SystemControlRoute | undefined;
  powerOnSecondary?: SystemControlRoute | undefined;
  activateSecondary?: SystemControlRoute | undefined;
  readHaState?: SystemControlRoute | undefined;
  readPowerState?: SystemControlRoute | undefined;
  uploadLicense?: SystemControlRoute | undefined;
}
