/**
 * Default deadlines of the waits in an upgrade, from the seed documents. Every wait has its own
 * deadline (the Pulumi engine cannot cancel a dynamic provider), and every figure is configurable.
 */
export interface UpgradeDeadlines {
  /** H2: new firmware synced to the HA secondary — "usually within 60 s"; we allow 5 minutes before reporting. */
  readonly secondarySyncMs: number;
  /** S10: first boot takes 10–20 minutes with no traffic; never interrupted. */
  readonly firstBootMs: number;
  /** S12: web interface not back within 30 minutes → stop and report (console needed). */
  readonly webInterfaceBackMs: number;
  /** H2: secondary powered on through IPMI, booted, synced and visible again. */
  readonly secondaryRejoinMs: number;
  /** P14: the first boot into 6.3 reorganises storage for 30 minutes or more. */
  readonly storageReorganisationMs: number;
  /**
   * S3 / fetch-firmware: the appliance downloading and verifying an ISO by URL (7.0 LTS and later). No
   * figure is documented ([unknown]); a 2 GB ISO over a slow link can take long — 60 minutes by default.
   * Optional so that deadline objects of earlier versions stay valid.
   */
  readonly firmwareFetchMs?: number;
  /**
   * One REST request of a run (`up` past planning) to a node: no answer, or no complete answer, within
   * it fails that request (a read is retried by the client's policy; a wait polls again). No figure is
   * documented ([unknown]); 30 s by default. Optional so that deadline objects of earlier versions stay valid.
   */
  readonly restRequestMs?: number;
}

const MINUTE = 60_000;

export const DEFAULT_DEADLINES: UpgradeDeadlines = {
  secondarySyncMs: 5 * MINUTE,
  firstBootMs: 20 * MINUTE,
  webInterfaceBackMs: 30 * MINUTE,
  secondaryRejoinMs: 30 * MINUTE,
  storageReorganisationMs: 60 * MINUTE,
  firmwareFetchMs: 60 * MINUTE,
  restRequestMs: 30_000,
};

/** The fetch-firmware deadline, with its default for deadline objects that lack it. */
export function firmwareFetchDeadlineMs(d: UpgradeDeadlines): number {
  return d.firmwareFetchMs ?? 60 * MINUTE;
}

/** One REST request's time-out during a run, with its default for deadline objects that lack it. */
export function restRequestDeadlineMs(d: Pick<UpgradeDeadlines, "restRequestMs">): number {
  return d.restRequestMs ?? 30_000;
}

/** How long to wait for a node to answer again after its reboot (S10, S12; plus P14 when the boot reorganises storage). */
export function rebootDeadlineMs(d: UpgradeDeadlines, crossesStorageReorganisation: boolean): number {
  return d.webInterfaceBackMs + (crossesStorageReorganisation ? d.storageReorganisationMs : 0);
}
