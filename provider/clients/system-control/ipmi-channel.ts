/**
 * The `ipmi` channel: `ipmitool chassis power on|off|soft|status` against a node's BMC (rule H2:
 * the secondary is powered on through IPMI; P4: its IPMI must be reachable). The password goes
 * through the environment (`-E`, IPMI_PASSWORD) or a file (`-f`), never on the command line, and
 * is redacted from every message. Power changes are confirmed by polling `chassis power status`
 * until the wanted state or the operation's deadline.
 */
import { parsePowerOutput } from "./core-shell-commands";
import { ChannelBase, type OperationAnswer, type OperationCall } from "./channel-base";
import { deadlineOf, type IpmiTargetConfig, type SystemControlConfig } from "./config";
import type { PowerState } from "./operations";
import { runProcess, type ProcessResult } from "./run-process";

type PowerVerb = "status" | "on" | "off" | "soft";

/** ipmitool's own per-attempt timeout (s) and retries; the operation deadline bounds the whole. */
const IPMITOOL_TIMEOUT_S = 1;
const IPMITOOL_RETRIES = 2;

const UNREACHABLE =
  /Unable to establish|Unable to get|No response|timeout|Activate Session|Get Session|Address lookup/i;

/** The ipmitool argv for one chassis power command (no password on it). */
export function ipmitoolArgv(bmc: IpmiTargetConfig, verb: PowerVerb): string[] {
  const argv = [
    bmc.ipmitool,
    "-I",
    bmc.interface,
    "-H",
    bmc.host,
    "-p",
    String(bmc.port),
    "-U",
    bmc.username,
  ];
  argv.push(...(bmc.passwordFile !== undefined ? ["-f", bmc.passwordFile] : ["-E"]));
  // Explicit cipher suite: without it ipmitool first asks "Get Channel Cipher Suites", which
  // ipmi_sim does not answer (measured: 10 s lost per call before the fallback).
  if (bmc.interface === "lanplus") argv.push("-C", String(bmc.cipherSuite));
  argv.push("-N", String(IPMITOOL_TIMEOUT_S), "-R", String(IPMITOOL_RETRIES), "chassis", "power", verb);
  return argv;
}

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

export class IpmiChannel extends ChannelBase {
  constructor(config: SystemControlConfig) {
    super(config, "ipmi");
  }

  override async perform(call: OperationCall): Promise<OperationAnswer> {
    const { operation } = call;
    if (operation === "powerOnSecondary") return this.drivePower(call, "on");
    if (operation === "shutdownSecondary") return this.drivePower(call, "off", this.bmc(call).shutdownMethod);
    if (operation === "readPowerState")
      return this.status(call, Date.now() + deadlineOf(this.config, operation));
    return super.perform(call);
  }

  /** Idempotent: if the node already has the wanted power state, nothing is sent (resumable runs). */
  private async drivePower(call: OperationCall, want: PowerState, verb: PowerVerb = want): Promise<void> {
    const bmc = this.bmc(call);
    const deadline = Date.now() + deadlineOf(this.config, call.operation);
    if ((await this.status(call, deadline)) === want) return;
    const r = await this.run(call, verb, deadline);
    this.requireSuccess(call, r, `chassis power ${verb}`);
    for (;;) {
      if ((await this.status(call, deadline)) === want) return;
      if (Date.now() + bmc.pollIntervalMs >= deadline)
        throw this.errors.fail(
          call.operation,
          call.node,
          "deadline",
          `BMC ${bmc.host}:${bmc.port} accepted 'chassis power ${verb}' but power did not become ${want} within the deadline`,
        );
      await sleep(bmc.pollIntervalMs);
    }
  }

  private async status(call: OperationCall, deadline: number): Promise<PowerState> {
    const r = await this.run(call, "status", deadline);
    this.requireSuccess(call, r, "chassis power status");
    return this.errors.parse(call.operation, call.node, () => parsePowerOutput(r.stdout));
  }

  private async run(call: OperationCall, verb: PowerVerb, deadline: number): Promise<ProcessResult> {
    const bmc = this.bmc(call);
    const remaining = deadline - Date.now();
    if (remaining <= 0) throw this.deadlineError(call, bmc, verb);
    const env: Record<string, string> = bmc.password !== undefined ? { IPMI_PASSWORD: bmc.password } : {};
    const r = await this.errors.spawned(
      call.operation,
      call.node,
      runProcess(ipmitoolArgv(bmc, verb), { deadlineMs: remaining, env }),
      `install ipmitool (Debian: apt-get install ipmitool) on the machine that runs pulumi`,
    );
    if (r.timedOut) throw this.deadlineError(call, bmc, verb, r.stderr);
    return r;
  }

  private requireSuccess({ operation, node }: OperationCall, r: ProcessResult, what: string): void {
    if (r.exitCode === 0) return;
    const bmc = this.bmc({ operation, node });
    const unreachable = UNREACHABLE.test(r.stderr);
    throw this.errors.fail(
      operation,
      node,
      unreachable ? "unreachable" : "exit-code",
      unreachable
        ? `BMC ${bmc.host}:${bmc.port} (${bmc.interface}) did not answer '${what}': check ${bmcFieldOf(node)} (host, port) and the BMC login (${bmcLoginFieldOf(node)})`
        : `'ipmitool ${what}' failed`,
      { exitCode: r.exitCode, stderr: r.stderr },
    );
  }

  private deadlineError(call: OperationCall, bmc: IpmiTargetConfig, verb: PowerVerb, stderr = "") {
    return this.errors.fail(
      call.operation,
      call.node,
      "deadline",
      `BMC ${bmc.host}:${bmc.port} (${bmc.interface}) gave no answer to 'chassis power ${verb}' within the operation's deadline`,
      { stderr },
    );
  }

  private bmc({ operation, node }: OperationCall): IpmiTargetConfig {
    const bmc = this.config.nodes[node]?.ipmi;
    if (!bmc)
      throw this.errors.unsupported(
        operation,
        node,
        `no BMC settings for ${node}: set ${bmcFieldOf(node)} { host, port } and the BMC login (${bmcLoginFieldOf(node)})`,
      );
    return bmc;
  }
}

/**
 * The field a user writes for the BMC of a system-control node: an HA unit is controlled as
 * `<node>.<unit>` (provider/resources/context.ts), its BMC is SpsCluster `nodes["<node>"].bmc.<unit>` (the
 * inventory's `clusters[i].nodes[j].bmc.<unit>`).
 */
export function bmcFieldOf(controlNode: string): string {
  const m = /^(.+)\.([A-Za-z0-9]{1,16})$/.exec(controlNode);
  return m ? `nodes["${m[1]}"].bmc.${m[2]}` : `nodes["${controlNode}"].bmc.<unit>`;
}

/** Where the BMC login of a system-control node is set (secret config). */
export function bmcLoginFieldOf(controlNode: string): string {
  const m = /^(.+)\.([A-Za-z0-9]{1,16})$/.exec(controlNode);
  return m ? `sps:credentials.bmc["${m[1]}"].${m[2]} or sps:credentials.ipmi` : "sps:credentials.ipmi";
}
