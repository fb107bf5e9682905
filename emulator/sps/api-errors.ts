/**
 * SPS REST error envelope `{ "error": { "type", "details" } }` [doc] as raised by the emulator's model
 * and HTTP layer. HTTP codes of the firmware error types are not documented; the ones here are the
 * emulator's choice [inference].
 */
import { SpsError } from "../../core/errors";
export type SpsErrorType =
  | "Unauthenticated" // 401 [doc]
  | "Unauthorized" // 403 [doc]
  | "NotFound" // 404 [doc]
  | "LengthRequired" // 411 [doc: status only; type name inference]
  | "InvalidPlugin" // 400 [doc]
  | "PluginNotSupported" // 400 [doc: status only "plugin doesn't support this SPS version"; type name inference]
  | "TransactionProcessingError" // 422 [doc]
  | "IncompleteRequestBodyError" // firmware [doc]; 400 [inference]
  | "ResourceNotFound" // firmware [doc]; 404 [inference]
  | "FirmwareTestFailed" // firmware [doc]; 400 [inference]
  | "InvalidRequest" // 400, malformed JSON or field [inference]
  | "NoEmptyFirmwareSlot" // 409 [inference]
  | "SlotInUse" // 409, deleting current/after-reboot slot [doc: refused; type inference]
  | "ServiceUnavailable" // 503 during first boot [inference]
  | "InternalServerError"; // 5xx fault injection [inference]

export const ERROR_STATUS: Record<SpsErrorType, number> = {
  Unauthenticated: 401,
  Unauthorized: 403,
  NotFound: 404,
  LengthRequired: 411,
  InvalidPlugin: 400,
  PluginNotSupported: 400,
  TransactionProcessingError: 422,
  IncompleteRequestBodyError: 400,
  ResourceNotFound: 404,
  FirmwareTestFailed: 400,
  InvalidRequest: 400,
  NoEmptyFirmwareSlot: 409,
  SlotInUse: 409,
  ServiceUnavailable: 503,
  InternalServerError: 500,
};

export class SpsApiFault extends SpsError {
  static override readonly code: string = "EMULATOR_API_FAULT";
  readonly status: number;
  constructor(
    readonly type: SpsErrorType,
    message: string,
    readonly details: Record<string, unknown> = {},
    status?: number,
  ) {
    super(message);
    this.status = status ?? ERROR_STATUS[type];
  }

  body(): { error: { type: string; details: Record<string, unknown> } } {
    return { error: { type: this.type, details: { message: this.message, ...this.details } } };
  }
}

/** A system-control operation (reboot, shutdown, takeover...) refused by the emulated appliance. */
export class SystemControlRefused extends SpsError {
  static override readonly code: string = "EMULATOR_SYSTEM_CONTROL_REFUSED";
}
