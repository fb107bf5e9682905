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
import { ChannelBase, type OperationAnswer, type OperationCall } from "./channel-base";
import { deadlineOf, routeOf, type SystemControlConfig } from "./config";
import type { HaPair, LicenseFile, SystemControlOperation } from "./operations";
import { runProcess, type ProcessResult } from "./run-process";
import { formatDuration } from "../../../core/duration";

export class CommandChannel extends ChannelBase {
  constructor(config: SystemControlConfig) {
    super(config, "command");
  }

  override async perform(call: OperationCall): Promise<OperationAnswer> {
    const { operation, node, pair, license } = call;
    if (license) return this.uploadLicenseFile(node, license);
    const r = await this.run(operation, node, pair ? { pair } : {});
    if (operation === "readHaState")
      return this.errors.parse(operation, node, () => parseHaStatusOutput(r.stdout));
    if (operation === "readPowerState")
      return this.errors.parse(operation, node, () => parsePowerOutput(r.stdout));
  }

  private async uploadLicenseFile(node: string, license: LicenseFile): Promise<void> {
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
