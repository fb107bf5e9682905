/**
 * How long each plan step takes, from the seed documents where they give a figure, and an explicit
 * assumption where they do not. Pure data + one lookup. Three figures per step, in seconds:
 *
 *   low       the documented figure at its lower end ("10–20 min" → 10 min)
 *   expected  the documented figure at its upper end ("10–20 min" → 20 min): what a window must hold
 *   deadline  how long the tool waits before it stops and reports by itself: the configured deadline
 *             of the wait (core/deadlines.ts); steps without a deadline of their own count
 *             at `expected`
 *
 * Sources are cited per entry: `[doc]` = the SPS upgrade guides 5.11, 6.0, 6.3 (docs/rules.md, "Sources") and
 * the rule ID; `[unknown]` = no guide gives a figure; the number is an assumption for a REST call or
 * a transfer on the admin network, kept short so the documented waits dominate, and marked so in the
 * estimate's `basis`.
 */
import {
  DEFAULT_DEADLINES,
  firmwareFetchDeadlineMs,
  rebootDeadlineMs,
  type UpgradeDeadlines,
} from "./deadlines";
import type { StepEstimate } from "./estimate";
import type { StepAction } from "./plan";

const MIN = 60;

/** The firmware upgrade test's deadline when none is configured (the executor's default, P12). */
export const DEFAULT_FIRMWARE_TEST_MS = 10 * 60_000;

/** The deadlines an estimate reads: the upgrade waits plus the firmware test (P12). */
export interface EstimateDeadlines extends UpgradeDeadlines {
  readonly firmwareTestMs: number;
}

export const DEFAULT_ESTIMATE_DEADLINES: EstimateDeadlines = {
  ...DEFAULT_DEADLINES,
  firmwareTestMs: DEFAULT_FIRMWARE_TEST_MS,
};

interface Figure {
  readonly low: number;
  readonly expected: number;
  /** The configured deadline that bounds the wait, when it has one. */
  readonly deadline?: (d: EstimateDeadlines, p14: boolean) => number;
  readonly basis: string;
}

/** P14 [doc, 6.3 guide "Upgrade checklist"]: "this can take a long time, usually at least 30 minutes". */
export const STORAGE_REORGANISATION_S = 30 * MIN;

const FIGURES: Record<StepAction, Figure> = {
  preflight: { low: 5, expected: 30, basis: "[unknown] REST reads of the node's facts" },
  "backup-config": { low: 10, expected: 1 * MIN, basis: "[unknown] P1 configuration export over REST" },
  "upload-plugin": { low: 10, expected: 1 * MIN, basis: "[unknown] plugin upload (P6)" },
  "upload-firmware": {
    low: 1 * MIN,
    expected: 10 * MIN,
    basis: "[unknown] firmware ISO upload over the admin network (S5)",
  },
  "fetch-firmware": {
    low: 1 * MIN,
    expected: 10 * MIN,
    deadline: (d) => firmwareFetchDeadlineMs(d) / 1000,
    basis:
      "[unknown] the appliance downloads and verifies the ISO by URL (S3, 7.0 and later); deadline firmwareFetchMs",
  },
  "test-firmware": {
    low: 30,
    expected: 5 * MIN,
    deadline: (d) => d.firmwareTestMs / 1000,
    basis: "[unknown] the firmware's own upgrade test (P12); deadline firmwareTestMs",
  },
  "activate-firmware": { low: 5, expected: 30, basis: "[unknown] mark the slot after reboot (S7)" },
  "wait-secondary-sync": {
    low: 5,
    expected: 1 * MIN,
    deadline: (d) => d.secondarySyncMs / 1000,
    basis: '[doc] H2: firmware synced to the secondary "usually within 60 seconds"; deadline secondarySyncMs',
  },
  "shutdown-secondary": { low: 30, expected: 3 * MIN, basis: "[unknown] secondary shut down (H2)" },
  "support-bundle": { low: 1 * MIN, expected: 5 * MIN, basis: "[unknown] support bundle (S8)" },
  reboot: {
    low: 10 * MIN,
    expected: 20 * MIN,
    deadline: (d, p14) => rebootDeadlineMs(d, p14) / 1000,
    basis:
      "[doc] S10: first boot 10–20 min (15–20 min or more with a large connection database); deadline webInterfaceBackMs (S12)",
  },
  "upload-license": { low: 5, expected: 1 * MIN, basis: "[unknown] license upload (S11)" },
  "verify-version": { low: 2, expected: 15, basis: "[unknown] REST read of the running version (S13)" },
  "power-on-secondary": { low: 5, expected: 30, basis: "[unknown] IPMI power on (H2)" },
  "wait-secondary-rejoin": {
    low: 10 * MIN,
    expected: 20 * MIN,
    deadline: (d, p14) => (d.secondaryRejoinMs + (p14 ? d.storageReorganisationMs : 0)) / 1000,
    basis:
      "[unknown] H2 gives no figure for the secondary's boot and sync; counted as a first boot (S10, 10–20 min); deadline secondaryRejoinMs",
  },
  "activate-secondary": {
    low: 1 * MIN,
    expected: 5 * MIN,
    basis: '[doc] H2: "Activate Slave … can take a few minutes" (6.0, 6.3 guides)',
  },
  "verify-ha": { low: 2, expected: 30, basis: "[unknown] REST read of both units' versions (H2)" },
  "upgrade-plugin": { low: 10, expected: 1 * MIN, basis: "[unknown] plugin upgrade (S15)" },
  "backup-indexer-config": { low: 2, expected: 15, basis: "[unknown] copy two files over SSH (I2)" },
  "copy-indexer-package": { low: 5, expected: 2 * MIN, basis: "[unknown] RPM over SFTP (I3)" },
  "stop-indexer": { low: 2, expected: 30, basis: "[unknown] service stop (I4)" },
  "upgrade-indexer-package": { low: 30, expected: 5 * MIN, basis: "[unknown] yum upgrade (I4)" },
  "start-indexer": { low: 2, expected: 1 * MIN, basis: "[unknown] service start (I4)" },
  "verify-indexer": { low: 2, expected: 30, basis: "[unknown] rpm query + service status (I4)" },
};

/**
 * The figures of one step. `p14`: the step is the first boot (reboot, or the secondary's rejoin) of a
 * node into 6.3.0 or later from below, which adds the storage reorganisation (rule P14).
 */
export function stepFigures(action: StepAction, p14: boolean, deadlines: EstimateDeadlines): StepEstimate {
  const f = FIGURES[action];
  const bootsIntoP14 = p14 && (action === "reboot" || action === "wait-secondary-rejoin");
  const extra = bootsIntoP14 ? STORAGE_REORGANISATION_S : 0;
  const seconds = f.expected + extra;
  const deadline = f.deadline ? f.deadline(deadlines, bootsIntoP14) : seconds;
  return {
    lowSeconds: f.low + extra,
    seconds,
    // A deadline shorter than the documented figure still bounds the wait: the tool stops there.
    deadlineSeconds: Math.round(deadline),
    basis: bootsIntoP14
      ? `${f.basis}; [doc] P14: first boot into 6.3 reorganises storage, "usually at least 30 minutes" (+ storageReorganisationMs)`
      : f.basis,
  };
}
