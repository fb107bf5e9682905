/**
 * The output of a remote or local command, kept up to a byte cap: a node or host that writes without
 * end (a hostile or broken appliance, a runaway command) does not fill the runner's memory. What comes
 * after the cap is dropped and `truncated` says so; the command's deadline still ends it.
 */
import { redactText } from "../../../core/redaction";

/** Bytes of one stream (stdout or stderr) of one command kept at most. */
export const COMMAND_OUTPUT_MAX_BYTES = 1024 * 1024;

export class CappedOutput {
  private readonly chunks: Buffer[] = [];
  private size = 0;
  truncated = false;

  constructor(readonly maxBytes = COMMAND_OUTPUT_MAX_BYTES) {}

  push(chunk: Buffer | string): void {
    const c = typeof chunk === "string" ? Buffer.from(chunk) : chunk;
    const room = this.maxBytes - this.size;
    if (c.length > room) this.truncated = true;
    if (room <= 0) return;
    const part = c.length > room ? c.subarray(0, room) : c;
    this.chunks.push(part);
    this.size += part.length;
  }

  get bytes(): number {
    return this.size;
  }

  text(): string {
    return Buffer.concat(this.chunks).toString("utf8");
  }

  /** The text, with a note when the cap cut it (for stderr tails and messages). */
  describe(): string {
    return this.truncated ? `${this.text()}\n[output cut at ${this.maxBytes} bytes]` : this.text();
  }
}

/** Characters of a failed command's stderr that an error message shows. */
export const STDERR_TAIL_CHARS = 600;

/**
 * The last part of a command's stderr for an error message, enough to see why it failed: secrets
 * (passwords, passphrases, key texts) removed first, so no part of one survives the cut.
 */
export function stderrTailOf(text: string, secrets: readonly string[] = [], max = STDERR_TAIL_CHARS): string {
  const trimmed = redactText(text, secrets).trimEnd();
  return trimmed.length <= max ? trimmed : `…${trimmed.slice(trimmed.length - max)}`;
}
