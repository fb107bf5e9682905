/**
 * Rule P10: features the guides say a version removes (blocking when in use) or deprecates (a warning
 * when in use), each with the version the guide gives and where it says so. Data, not logic: a hop
 * crossing `removedFrom` with the feature in use blocks; a hop crossing `deprecatedFrom` (and not
 * `removedFrom`) warns.
 */
import { REMOVED_IN_6_0 } from "./fleet";

export type RemovableFeature = (typeof REMOVED_IN_6_0)[number];

export interface FeatureRemoval {
  readonly feature: RemovableFeature;
  /** What the feature is, as the guides name it. */
  readonly label: string;
  /** First revision without it (X.Y.Z). */
  readonly removedFrom: string;
  /** First revision whose guide announces its removal (X.Y.Z), when a guide does. */
  readonly deprecatedFrom?: string;
  /** What the guide recommends instead. */
  readonly instead: string;
  readonly source: string;
}

export const FEATURE_REMOVALS: readonly FeatureRemoval[] = [
  {
    feature: "ssh-keys-under-1024-bits",
    label: "SSH keys shorter than 1024 bits",
    // The 5.11 guide is the first that says it: "Following the upgrade, support for less than
    // 1024-bit SSH keys is lost" (repeated in the 6.0 and 6.3 guides).
    removedFrom: "5.11.0",
    instead: "replace them with keys of at least 1024 bits (RSA 2048 or more recommended)",
    source: 'SPS 5.11 Upgrade Guide, "Notes and warnings about the upgrade"; same in 6.0 and 6.3',
  },
  {
    feature: "x509-host-certificates",
    label: "X.509 host certificates",
    deprecatedFrom: "5.11.0",
    removedFrom: "6.0.0",
    instead: "One Identity recommends using public keys instead",
    source:
      'SPS 5.11 Upgrade Guide (deprecated, "will be removed from SPS version 6 LTS"); SPS 6.0 Upgrade Guide (removed), "Notes and warnings about the upgrade"',
  },
  {
    feature: "dsa-keys",
    label: "DSA keys",
    deprecatedFrom: "5.11.0",
    removedFrom: "6.0.0",
    instead: "One Identity recommends using RSA keys instead",
    source:
      'SPS 5.11 Upgrade Guide (deprecated, "will be removed from SPS version 6 LTS"); SPS 6.0 Upgrade Guide (removed), "Notes and warnings about the upgrade"',
  },
  {
    feature: "lieberman-erpm",
    label: "the Lieberman ERPM credential store",
    deprecatedFrom: "5.11.0",
    removedFrom: "6.0.0",
    instead: "One Identity recommends Safeguard for Privileged Passwords instead",
    source:
      'SPS 5.11 and 6.0 Upgrade Guides, "Notes and warnings about the upgrade" ("will be removed from the upcoming SPS 6 LTS release")',
  },
  {
    feature: "log-ingestion",
    label: "the log ingestion feature",
    removedFrom: "6.0.0",
    instead: "it has no replacement in SPS",
    source: 'SPS 6.0 Upgrade Guide, "Notes and warnings about the upgrade"',
  },
];
