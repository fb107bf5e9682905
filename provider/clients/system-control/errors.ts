/**
 * Errors of the system-control layer. They carry the context an operator needs (channel, node,
 * operation, exit code, stderr tail) and never a password, key or license text: every message and
 * tail passes through `redactText`.
 */
import { SpsError } from "../../../core/errors";
import { whyChannelCannot, type ChannelKind, type SystemControlOperation } from "./operations";
import { SpawnError } from "./run-process";
import { redactText } from "../../../core/redaction";
import { stderrTailOf } from "../hosts/capped-output";

/**
 * Why an operation failed: `exit-code` (the command ran and said no), `deadline` (the operation's
 * own deadline passed), `unreachable` (no connection / no answer), `auth` (credentials refused),
 * `output` (unparseable answer), `spawn` (tool missing), `unsupported` (channel cannot do this
 * operation). An SSH host key other than the configured one is a `HostKeyMismatchError` (the
 * project's one SSH transport, `hosts/ssh-transport.ts`), not a SystemControlError.
 */
export type SystemControlFailure =
  "exit-code" | "deadline" | "unreachable" | "auth" | "output" | "spawn" | "unsupported";

export interface SystemControlErrorArgs {
  channel: ChannelKind;
  node: string;
  operation: SystemControlOperation;
  failure: SystemControlFailure;
  detail: string;
  exitCode?: number | null;
  stderr?: string | undefined;
  secrets?: readonly string[];
  cause?: unknown;
}

export class SystemControlError extends SpsError {
  static override readonly code: string = "SYSTEM_CONTROL_FAILED";
  readonly channel: ChannelKind;
  readonly node: string;
  readonly operation: SystemControlOperation;
  readonly failure: SystemControlFailure;
  readonly exitCode: number | null;
  readonly stderrTail: string;

  constructor(args: SystemControlErrorArgs) {
    const secrets = args.secrets ?? [];
    const tail = stderrTailOf(args.stderr ?? "", secrets);
    const detail = redactText(args.detail, secrets);
    const code = args.exitCode === undefined || args.exitCode === null ? "" : ` (exit code ${args.exitCode})`;
    super(
      `${args.operation} on node ${args.node} via ${args.channel}: ${detail}${code}${tail ? `; stderr: ${tail}` : ""}`,
      args.cause === undefined ? undefined : { cause: args.cause },
    );
    this.channel = args.channel;
    this.node = args.node;
    this.operation = args.operation;
    this.failure = args.failure;
    this.exitCode = args.exitCode ?? null;
    this.stderrTail = tail;
  }
}

/**
 * The errors of one channel: every failure of an operation there names the operation, the node and
 * the channel, and passes through the channel's secrets (`redactText`), so the channels state
 * only what differs (failure, detail, exit code, stderr).
 */
export class ChannelErrors {
  constructor(
    readonly channel: ChannelKind,
    private readonly secrets: readonly string[],
  ) {}

  fail(
    operation: SystemControlOperation,
    node: string,
    failure: SystemControlFailure,
    detail: string,
    more: { exitCode?: number | null; stderr?: string | undefined; cause?: unknown } = {},
  ): SystemControlError {
    return new SystemControlError({
      channel: this.channel,
      node,
      operation,
      failure,
      detail,
      secrets: this.secrets,
      ...more,
    });
  }

  /** The channel cannot carry this operation here: `why` (default: why this channel never can). */
  unsupported(
    operation: SystemControlOperation,
    node: string,
    why = whyChannelCannot(operation, this.channel),
  ): SystemControlError {
    return this.fail(operation, node, "unsupported", why);
  }

  /** Reads an answer with `parse`; an unparseable one is an `output` failure with the parser's message. */
  parse<T>(operation: SystemControlOperation, node: string, parse: () => T, stderr?: string): T {
    try {
      return parse();
    } catch (e) {
      throw this.fail(operation, node, "output", (e as Error).message, { stderr });
    }
  }

  /** Awaits a local program (`runProcess`); one that cannot start is a `spawn` failure naming the fix. */
  async spawned<T>(
    operation: SystemControlOperation,
    node: string,
    run: Promise<T>,
    fix: string,
  ): Promise<T> {
    try {
      return await run;
    } catch (e) {
      if (e instanceof SpawnError) throw this.fail(operation, node, "spawn", `${e.message}; ${fix}`);
      throw e;
    }
  }
}

/**
 * The operation is routed to the manual channel: a person must do it. Carries numbered
 * instructions; after doing them, run again — the next run re-checks state and resumes.
 */
export class ManualStepRequired extends SpsError {
  static override readonly code: string = "MANUAL_STEP_REQUIRED";
  readonly operation: SystemControlOperation;
  readonly node: string;
  readonly instructions: readonly string[];

  constructor(args: { operation: SystemControlOperation; node: string; instructions: readonly string[] }) {
    const steps = args.instructions.map((s, i) => `  ${i + 1}. ${s}`).join("\n");
    super(`Manual step required: ${args.operation} on node ${args.node}.\n${steps}`);
    this.operation = args.operation;
    this.node = args.node;
    this.instructions = [...args.instructions];
  }
}

/** The system-control configuration is invalid; each issue names the field and the fix. */
export class SystemControlConfigError extends SpsError {
  static override readonly code: string = "SYSTEM_CONTROL_CONFIG_INVALID";
  readonly issues: readonly { property: string; reason: string }[];

  constructor(issues: readonly { property: string; reason: string }[]) {
    super(
      `invalid system-control configuration:\n${issues.map((i) => `  ${i.property}: ${i.reason}`).join("\n")}`,
    );
    this.issues = issues;
  }
}
