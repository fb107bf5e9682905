/**
 * Fault injection settings of one emulated node (the emulator's own control surface, never part of
 * the SPS API). All fields are optional; an empty object means "behave".
 */
import { z } from "zod";

export const NodeFaultsSchema = z
  .object({
    /** The firmware upgrade test fails with exactly this text (rule P12). */
    testFailureText: z.string().min(1).optional(),
    /** How a failed test is reported: a 200 whose test_summary does not start with "Upgrade is allowed;" or a FirmwareTestFailed error. */
    testFailureAs: z.enum(["summary", "error"]).optional(),
    /** The next boot into new firmware rolls back to the previous slot (rule S13). */
    rollbackOnBoot: z.boolean().optional(),
    /** After a reboot the web interface never comes back: first boot never ends (rule S12). */
    webNeverReturns: z.boolean().optional(),
    /** The firmware upload connection is reset after this many body bytes. */
    resetUploadAfterBytes: z.number().int().nonnegative().optional(),
    /** The next `count` API requests (optionally only under `pathPrefix`) answer with a 5xx. */
    serverErrorBurst: z
      .object({
        count: z.number().int().positive(),
        status: z.number().int().min(500).max(599).optional(),
        pathPrefix: z.string().optional(),
      })
      .optional(),
    /** Every API response is delayed by this many real milliseconds. */
    slowResponseMs: z.number().int().nonnegative().optional(),
    /**
     * [unknown] While the node boots (first boot after a reboot), every API request but the login gets
     * this answer instead of the documented progress page [doc: upgrade guides, "SPS displays status
     * information … on the web interface"]: "oversized" — JSON that never ends; "wrong-shape" — JSON of
     * another shape; "not-a-version" — `/api/info` whose `firmware_version` is not X.Y.Z (with a terminal
     * escape). Nothing documents such answers: the client's waits must stop on them, not read them for
     * ever. Each such answer is recorded on arrival; the bytes written for it grow in its event (`detail.bytesSent`).
     */
    bootAnswer: z.enum(["oversized", "wrong-shape", "not-a-version"]).optional(),
    /** HA: firmware and data never sync to the secondary. */
    secondaryNeverSyncs: z.boolean().optional(),
  })
  .strict();

export type NodeFaults = z.infer<typeof NodeFaultsSchema>;
