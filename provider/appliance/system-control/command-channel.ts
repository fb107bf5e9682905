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
import { SystemControlError } from "./errors";
import type {
  HaPair,
  HaState,
  LicenseFile,
  PowerState,
  SystemControl,
  SystemControlOperation,
} from "./operations";
import { runProcess, SpawnError, type ProcessResult } from "./run-process";

export class CommandChannel implements SystemControl {
  private readonly secrets: string[];

  constructor(private readonly config: SystemControlConfig) {
    this.secrets = secretsOf(config);
  }

  async rebootNode(node: string): Promise<void> {
    await this.run("rebootNode", node, {});
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
    return this.parse("readHaState", node, () => parseHaStatusOutput(r.stdout));
  }

  async readPowerState(node: string): Promise<PowerState> {
    const r = await this.run("readPowerState", node, {});
    return this.parse("readPowerState", node, () => parsePowerOutput(r.stdout));
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

  private parse<T>(operation: SystemControlOperation, node: string, fn: () => T): T {
    try {
      return fn();
    } catch (e) {
      throw new SystemControlError({
        channel: "command",
        node,
        operation,
        failure: "output",
        detail: (e as Error).message,
        secrets: this.secrets,
      });
    }
  }

  private async run(
    operation: SystemControlOperation,
    node: string,
    extra: { pair?: HaPair; licenseFile?: string; licenseName?: string },
  ): Promise<ProcessResult> {
    const route = routeOf(this.config, operation);
    if (route.channel !== "command")
      throw new SystemControlError({
        channel: "command",
        node,
        operation,
        failure: "unsupported",
        detail: `operations.${operation} is not routed to the command channel`,
      });
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
    let r: ProcessResult;
    try {
      r = await runProcess(argv, {
        deadlineMs,
        env: { ...(route.env ?? {}), SPS_OPERATION: operation, SPS_NODE: node },
      });
    } catch (e) {
      if (e instanceof SpawnError)
        throw new SystemControlError({
          channel: "command",
          node,
          operation,
          failure: "spawn",
          detail: `${e.message}; check operations.${operation}.argv[0]`,
          secrets: this.secrets,
        });
      throw e;
    }
    if (r.timedOut)
      throw new SystemControlError({
        channel: "command",
        node,
        operation,
        failure: "deadline",
        detail: `\`${argv[0] ?? ""}\` did not finish within the operation's deadline of ${deadlineMs} ms and was killed`,
        stderr: r.stderr,
        secrets: this.secrets,
      });
    if (r.exitCode !== 0)
      throw new SystemControlError({
        channel: "command",
        node,
        operation,
        failure: "exit-code",
        detail: `\`${argv[0] ?? ""}\` failed${r.signal ? ` (signal ${r.signal})` : ""}`,
        exitCode: r.exitCode,
        stderr: r.stderr,
        secrets: this.secrets,
      });
    return r;
  }
}
