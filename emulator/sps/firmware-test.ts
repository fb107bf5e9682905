/**
 * The emulated firmware's own upgrade test (POST /api/firmware/test). The real test "checks version
 * policy, free space, config compatibility, tainted files" [doc]; the exact checks and wording here are
 * the emulator's [inference]. A passing summary starts with "Upgrade is allowed;" [ps].
 */
import semver from "semver";
import { pluginSupportsFirmware, type PluginManifest } from "./plugin-archive";

export interface UpgradeTestInput {
  running: string;
  target: string;
  hardware: "standard" | "pyramid";
  diskFillupLimitPercent: number;
  diskUsedPercent: number;
  plugins: PluginManifest[];
  /** Injected failure text (fault): the test fails with exactly this text. */
  injectedFailure?: string;
}

export interface UpgradeTestResult {
  passed: boolean;
  summary: string;
}

export const PASS_PREFIX = "Upgrade is allowed;";
export const FAIL_PREFIX = "Upgrade is not allowed;";

export function runUpgradeTest(input: UpgradeTestInput): UpgradeTestResult {
  if (input.injectedFailure !== undefined) return { passed: false, summary: input.injectedFailure };
  const problems: string[] = [];
  const { running, target } = input;
  if (semver.lt(target, running)) {
    problems.push(`Downgrading from ${running} to ${target} is not supported.`); // rule V3
  }
  if (semver.major(target) > semver.major(running) + 1) {
    problems.push(
      `Upgrading from ${running} to ${target} directly is not supported; upgrade to ${semver.major(running) + 1}.0 LTS first.`,
    ); // rule V5
  }
  if (input.hardware === "pyramid" && semver.gte(target, "5.1.0")) {
    problems.push(`This hardware cannot run ${target}; the newest supported release is 5 LTS.`); // rule V8
  }
  if (semver.gte(target, "6.0.4")) {
    const limit = input.diskFillupLimitPercent;
    if (limit < 50 || limit > 98) {
      // rule P8
      problems.push(
        `Disk fill-up prevention: "Disconnect clients when disks are used" is ${limit}%; it must be between 50% and 98%.`,
      );
    }
  }
  if (100 - input.diskUsedPercent < 10) {
    problems.push(
      `Not enough free disk space: ${(100 - input.diskUsedPercent).toFixed(1)}% free, at least 10% is needed.`,
    );
  }
  for (const plugin of input.plugins) {
    if (!pluginSupportsFirmware(plugin, target)) {
      // rule P6
      problems.push(
        `Plugin ${plugin.name} ${plugin.version} does not support SPS ${target}; upload a plugin build for ${target} first.`,
      );
    }
  }
  if (problems.length > 0) return { passed: false, summary: [FAIL_PREFIX, ...problems].join("\n") };
  const lines = [
    PASS_PREFIX,
    `Version check: ${running} -> ${target} is supported.`,
    "Free space check: OK.",
    "Configuration check: OK.",
    "Tainted files: none.",
  ];
  if (semver.gte(target, "6.3.0") && semver.lt(running, "6.3.0")) {
    lines.push("Internal data storage will be reorganized at first boot; this takes 30 minutes or more."); // rule P14
  }
  return { passed: true, summary: lines.join("\n") };
}
