/**
 * Appliance hardware (rule V8), a closed set validated at the boundary. The names are the ones the
 * upgrade guides use [doc]: "Pyramid hardware" (SPS 5.11 and 6.0 Upgrade Guides, "Upgrading from
 * SPS 5.0.0 or later"), "SPS T1, T4 and T10" (SPS 5.11 Upgrade Guide, "Prerequisites for upgrading
 * SPS"), "Safeguard Sessions Appliance 3000 and 3500" (SPS 6.0 and 6.3 Upgrade Guides,
 * "Prerequisites for upgrading SPS"). `other` declares a physical appliance bought after August
 * 2014 (or a replacement) that is none of these. Case and surrounding blanks are ignored
 * ("Pyramid", " PYRAMID " are `pyramid`); anything else is refused with the list of accepted values.
 */
import { z } from "zod";

export const HARDWARE = ["pyramid", "t1", "t4", "t10", "3000", "3500", "other"] as const;
export type Hardware = (typeof HARDWARE)[number];

/** The canonical spelling of a declared hardware name, or undefined when it is not one of HARDWARE. */
export function normaliseHardware(text: string): Hardware | undefined {
  const t = text.trim().toLowerCase();
  return (HARDWARE as readonly string[]).includes(t) ? (t as Hardware) : undefined;
}

/** zod type of the `hardware` field: one of HARDWARE in any letter case, output canonical. */
export const hardwareSchema = z.string().transform((s, ctx) => {
  const h = normaliseHardware(s);
  if (h === undefined) {
    ctx.addIssue({
      code: "custom",
      message: `${JSON.stringify(s)} is not a known hardware; use one of ${HARDWARE.map((x) => `"${x}"`).join(", ")} ("pyramid": bought before August 2014 without a replacement; "other": any other physical appliance), or leave it out and the Pyramid check (V8) is reported as not checked`,
    });
    return z.NEVER;
  }
  return h;
});

/** Rule V8: Pyramid hardware, whatever the spelling. */
export function isPyramid(hardware: string | undefined): boolean {
  return hardware !== undefined && normaliseHardware(hardware) === "pyramid";
}
