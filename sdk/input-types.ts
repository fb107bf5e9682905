/**
 * The resource inputs a program writes, as plain types without zod (core/same-type.ts says why): how an
 * appliance node is reached and trusted, and which channel carries each out-of-band operation; ./inputs.ts
 * holds their schemas.
 */
import type { BmcInput, CoreShellInput, DeclaredNodeInput } from "../core/inventory";

export type { BmcInput, CoreShellInput };

/** How the appliance's TLS certificate is trusted. Exactly one field. */
export interface TlsInput {
  /** PEM of the CA that issued the appliance certificates. */
  caPem?: string | undefined;
  /** SHA-256 fingerprint of the appliance certificate (pinning). */
  sha256Fingerprint?: string | undefined;
  /** Trust the machine's CA store (hostname checked). */
  system?: true | undefined;
}

/** One appliance node of a cluster (an HA pair is one node with `ha: true`). */
export interface ApplianceNodeInput extends DeclaredNodeInput {
  /** Letters, digits, '_' or '-'. */
  name: string;
  tls: TlsInput;
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

/** Which channel carries each out-of-band operation (provider/clients/system-control). Default: manual. */
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
