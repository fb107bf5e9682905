/**
 * The Upgrade Notes of the uploaded firmware (G53): [doc] SPS Administration Guide, "Upgrading SPS
 * (single node)": "To read the Upgrade Notes of the uploaded firmware, click on the icon" — between the
 * upload and the upgrade test. SPS serves them as the slot's `upgrade_notes` ([doc] SPS REST API
 * reference, firmware slots: `{ after_reboot, current, upgrade_news, upgrade_notes, version }`).
 *
 * After the upload and before the upgrade call, the test-firmware step's progress line shows them (control
 * characters escaped, line feeds kept, at most NOTES_SHOWN characters; in the run's output, redacted like
 * it, not in the step's recorded detail, so not in the stack's state) and, with an evidence directory,
 * they are kept whole (up to NOTES_KEPT bytes) as a file beside the support bundles, its path, size and
 * SHA-256 in the checkpoint and the stack's `evidence`. Shown, not a gate: docs/design-notes.md, "Upgrade
 * Notes".
 */
import { printableLines } from "../../core/printable";
import type { RunContext } from "./run-context";
import { describeEvidence, evidenceOf, keepEvidence } from "./support-bundle";

/** Characters of the notes the run's output shows. */
export const NOTES_SHOWN = 2000;
/** Bytes of the notes kept in the evidence directory (the appliance's text is untrusted). */
export const NOTES_KEPT = 256 * 1024;

/** The notes as the output shows them: escaped, bounded, indented under a heading; "" when there are none. */
export function shownUpgradeNotes(version: string, notes: string | undefined): string {
  const text = (notes ?? "").trim();
  if (text.length === 0) return "";
  const cut = text.length > NOTES_SHOWN;
  const body = printableLines(cut ? text.slice(0, NOTES_SHOWN) : text);
  const more = cut
    ? `\n    … ${text.length - NOTES_SHOWN} more characters: read them whole in the web interface (Basic Settings > System > Firmwares) or the evidence file`
    : "";
  return `\nUpgrade Notes of the uploaded firmware ${version} (read them before the upgrade):\n${body
    .split("\n")
    .map((l) => `    ${l}`)
    .join("\n")}${more}`;
}

/**
 * Keeps the notes of `node`'s hop `hop` in the evidence directory, once; returns the line that says
 * where ("" without an evidence directory or notes).
 */
export async function keepUpgradeNotes(
  ctx: RunContext,
  node: string,
  hop: number,
  notes: string | undefined,
): Promise<string> {
  const dir = ctx.inputs.evidenceDir;
  const text = (notes ?? "").trim();
  if (!dir || text.length === 0) return "";
  const earlier = evidenceOf(ctx, node, hop, "upgrade-notes");
  const record =
    earlier ??
    (await keepEvidence(
      ctx,
      dir,
      node,
      hop,
      "upgrade-notes",
      "txt",
      Buffer.from(printableLines(text), "utf8").subarray(0, NOTES_KEPT),
    ));
  return `; kept: ${describeEvidence(record)}`;
}
