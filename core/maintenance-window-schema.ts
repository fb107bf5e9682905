/** The zod schema of a declared maintenance window (rule P13; ./maintenance-window.ts), apart for the reason ./same-type.ts gives. */
import { z } from "zod";
import { maintenanceWindowOf, parseDurationText, type MaintenanceWindow } from "./maintenance-window";

/** The fleet file's / SpsCluster's `maintenanceWindow`: a duration text or `{ seconds }`. */
export const maintenanceWindowSchema = z
  .union([
    z.string(),
    z.strictObject({
      seconds: z.number().int().positive("must be a positive whole number of seconds"),
      text: z.string().optional(),
    }),
  ])
  .transform((v, ctx): MaintenanceWindow => {
    if (typeof v !== "string") return maintenanceWindowOf(v.seconds);
    const seconds = parseDurationText(v);
    if (seconds === undefined || seconds <= 0) {
      ctx.addIssue({
        code: "custom",
        message: `"${v}" is not a duration; write it like "4h", "90m", "2h30m" or "PT4H"`,
      });
      return z.NEVER;
    }
    return maintenanceWindowOf(seconds);
  });
