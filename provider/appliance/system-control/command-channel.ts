/**
 * The `command` channel: a user-supplied program per operation (e.g. a site's own power or HA
 * script), argv templated with `{{node}}`, `{{address}}`, `{{operation}}`, … (see
 * `TEMPLATE_VARIABLES`), run without a shell. The exit code decides. Reads print JSON:
 * readHaState the same object as the core shell's `ha status --json`, readPowerState `on`/`off`.
 * uploadLicense gets the license in a private temporary file (`{{licenseFile}}`), removed after.
 */
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { expandArgv, type TemplateValues } from "./command-template";
import { parseHaStatusOutput, parsePowerOutput } from "./core-shell-commands";
import { deadlineOf, routeOf, secretsOf, type SystemControlConfig } from "./config";
import { ChannelErrors } from "./errors";
import type {
  HaPair,
  HaState,
  LicenseFile,
  PowerState,
  SystemControl,
  SystemControlOperation,
} from "./operations";
import { runProcess, type ProcessResult } from "./run-process";
import { formatDuration } from "../../domain/duration";

export class CommandChannel implements SystemControl {
  private readonly errors: ChannelErrors;

  constructor(private readonly config: SystemControlConfig) {
    this.errors = new ChannelErrors("command", secretsOf(config));
  }

  async rebootNode(node: string): Promise<void> {
    await this.run("rebootNode", node, {});
  }

  async rebootCluster(pair: HaPair): Promise<void> {
    await this.run("rebootCluster", pair.primary, { pair });
  }

  async shutdownSecondary(pair: HaPair): Promise<void> {
    await this.run("shutdownSecondary", pair.secondary, { pair });
  }

  async powerOnSecondary(pair: HaPair): Promise<void> {
    await this.run("powerOnSecondary", pair.secondary, { pair });
  }

  async activateSecondary(pair: HaPair): Promise<void> {
    await this.run("activateSecondary", pair.primary, { pair });
  }

  async readHaState(node: string): Promise<HaState> {
    const r = await this.run("readHaState", node, {});
    return this.errors.parse("readHaState", node, () => parseHaStatusOutput(r.stdout));
  }

  async readPowerState(node: string): Promise<PowerState> {
    const r = await this.run("readPowerState", node, {});
    return this.errors.parse("readPowerState", node, () => parsePowerOutput(r.stdout));
  }

  async uploadLicense(node: string, license: LicenseFile): Promise<void> {
    const dir = await mkdtemp(join(tmpdir(), "sps-license-"));
    const file = join(dir, license.fileName.replace(/[^A-Za-z0-9._-]/g, "_") || "license");
    try {
      await writeFile(file, license.content, { mode: 0o600 });
      await this.run("uploadLicense", node, { licenseFile: file, licenseName: license.fileName });
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  }

  private async run(
    operation: SystemControlOperation,
    node: string,
    extra: { pair?: HaPair; licenseFile?: string; licenseName?: string },
  ): Promise<ProcessResult> {
    const route = routeOf(this.config, operation);
    if (route.channel !== "command")
      throw this.errors.unsupported(
        operation,
        node,
        `operations.${operation} is not routed to the command channel`,
      );
    const target = this.config.nodes[node];
    const values: TemplateValues = {
      node,
      address: target?.address ?? "",
      operation,
      primary: extra.pair?.primary ?? "",
      secondary: extra.pair?.secondary ?? "",
      licenseFile: extra.licenseFile ?? "",
      licenseName: extra.licenseName ?? "",
      bmcHost: target?.ipmi?.host ?? "",
      bmcPort: target?.ipmi ? String(target.ipmi.port) : "",
    };
    const argv = expandArgv(route.argv, values);
    const deadlineMs = deadlineOf(this.config, operation);
    const r = await this.errors.spawned(
      operation,
      node,
      runProcess(argv, {
        deadlineMs,
        env: { ...(route.env ?? {}), SPS_OPERATION: operation, SPS_NODE: node },
      }),
      `check operations.${operation}.argv[0]`,
    );
    if (r.timedOut)
      throw this.errors.fail(
        operation,
        node,
        "deadline",
        `\`${argv[0] ?? ""}\` did not finish within the operation's deadline of ${formatDuration(deadlineMs)} and was killed`,
        { stderr: r.stderr },
      );
    if (r.exitCode !== 0)
      throw this.errors.fail(
        operation,
        node,
        "exit-code",
        `\`${argv[0] ?? ""}\` failed${r.signal ? ` (signal ${r.signal})` : ""}`,
        { exitCode: r.exitCode, stderr: r.stderr },
      );
    return r;
  }
}
