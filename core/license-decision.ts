/**
 * Is the declared license installed on a node, or must it be uploaded (rules S2, S11)? Pure: no I/O.
 *
 * What REST shows decides when it can: `GET /api/configuration/management/license` exists [doc: REST
 * guide "Manage the SPS license"] but its fields are not documented, so the license's LTS major is read
 * from `product_version` where the answer has it (provider/clients/sps/license-reading.ts) and is
 * otherwise "not verifiable through REST" [unknown]. Then the record decides: the SHA-256 of the license
 * file this tool installed through a system-control route, or that the operator confirmed as installed
 * (`licenseConfirmed: "sha256:<hex>"`, after the web-interface upload — Basic Settings > System >
 * License [doc: docs/rest-api.md, "License"]). A confirmation names one file: a changed license file (a new
 * SHA-256) is a new install, never covered by an old confirmation. REST evidence always wins over a
 * record: a readable major that differs is an install whatever was recorded or confirmed.
 */

/** Who put the recorded file on the node. */
export type LicenseRecordedBy = "system-control" | "operator";

export interface LicenseRecord {
  /** SHA-256 (hex) of the license file's bytes. Never the text itself. */
  sha256: string;
  by: LicenseRecordedBy;
}

export interface LicenseDecisionInput {
  /** LTS major the declared license is for (S2). */
  declaredMajor: number;
  /** SHA-256 (hex) of the declared license file. */
  declaredSha256: string;
  /**
   * What REST shows: the license's LTS major (null: not verifiable through REST) and, when it is
   * readable, why the installed license differs from the declared file (undefined: it matches).
   */
  rest: { major: number | null; differs?: string };
  /** The hash recorded for this node at the last install or confirmation. */
  recorded?: LicenseRecord;
  /** The operator's `licenseConfirmed` input. */
  confirmed?: string;
}

export type LicenseDecision =
  | { kind: "installed"; why: string; recordNow?: LicenseRecord }
  | { kind: "install"; why: string; confirmable: boolean };

/** The value `licenseConfirmed` takes for a license file. */
export function licenseConfirmation(sha256: string): string {
  return `sha256:${sha256}`;
}

export const LICENSE_CONFIRMATION_PATTERN = /^sha256:[0-9a-f]{64}$/;

export function decideLicense(i: LicenseDecisionInput): LicenseDecision {
  if (i.rest.major !== null) {
    if (i.rest.major !== i.declaredMajor)
      return {
        kind: "install",
        why: `runs a license for major ${i.rest.major}, declared ${i.declaredMajor}`,
        confirmable: false,
      };
    if (i.rest.differs !== undefined) return { kind: "install", why: i.rest.differs, confirmable: false };
    return { kind: "installed", why: `license for ${i.declaredMajor} LTS verified through REST` };
  }
  const wanted = licenseConfirmation(i.declaredSha256);
  const unverifiable = "the installed license's LTS major is not verifiable through REST";
  if (i.recorded?.sha256 === i.declaredSha256)
    return {
      kind: "installed",
      why: `${unverifiable}; ${wanted} was ${i.recorded.by === "operator" ? "confirmed by the operator" : "installed through system control"}`,
    };
  if (i.confirmed === wanted)
    return {
      kind: "installed",
      why: `${unverifiable}; the operator confirmed ${wanted} (licenseConfirmed)`,
      recordNow: { sha256: i.declaredSha256, by: "operator" },
    };
  if (i.confirmed !== undefined)
    return {
      kind: "install",
      why: `${unverifiable}; licenseConfirmed names ${i.confirmed}, but the declared file is ${wanted} (a changed license file is a new install)`,
      confirmable: true,
    };
  return {
    kind: "install",
    why: `${unverifiable}${i.recorded ? ` (the recorded file ${licenseConfirmation(i.recorded.sha256)} is not the declared one)` : ""}; declared ${i.declaredMajor}`,
    confirmable: true,
  };
}

/**
 * The lines a manual license gate adds to the web-interface steps: which file (by its declared name
 * and SHA-256, never its content) and, where REST cannot verify the result, how to confirm it.
 */
export function licenseGateLines(args: { name: string; sha256: string; confirmable: boolean }): string[] {
  return [
    `The file to upload: the license declared as "${args.name}" (its text is sps:credentials.licenses["${args.name}"], SHA-256 ${args.sha256}).`,
    "Warning: restarting Traffic control drops every proxied connection — do it in the maintenance window.",
    ...(args.confirmable
      ? [
          `This node's license cannot be verified through REST: once it is uploaded, set licenseConfirmed: "${licenseConfirmation(args.sha256)}" and run again.`,
        ]
      : []),
  ];
}
