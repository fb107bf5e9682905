// Helpers shared by the e2e tests of the Pulumi resources: a lab (emulated fleet) plus a test stack of an
// example program wired to it, and the emulator's event record.
import * as fs from "node:fs";
import * as path from "node:path";
import { createTestStack, REPO_ROOT, type TestStack, type UpReport } from "../support/pulumi-engine";
import { control, startLab, type Lab } from "../support/sps-lab";

export const EXAMPLES = path.join(REPO_ROOT, "examples");

/**
 * The lab stack of the calling describe: started in its `before`, disposed in its `after`. The object
 * returned is filled in by the `before`, so the tests read `ls.lab` and `ls.stack` as usual.
 */
export function labStackPerSuite(example: string, options?: Parameters<typeof labStack>[1]): LabStack {
  const ls = {} as LabStack;
  before(async function () {
    Object.assign(ls, await labStack(example, options));
  });
  after(async function () {
    await ls.dispose?.();
  });
  return ls;
}

/** The demo program's fleet file (examples/demo/fleet.json), parsed. */
export function demoFleet(): unknown {
  return JSON.parse(fs.readFileSync(path.join(EXAMPLES, "demo", "fleet.json"), "utf8")) as unknown;
}

export interface LabStack {
  lab: Lab;
  stack: TestStack;
  dispose(): Promise<void>;
}

export async function labStack(
  example: string,
  options: {
    timeScale?: number;
    config?: Record<string, string>;
    channels?: "command" | "native";
    indexers?: Array<{ name: string; os: "rhel6" | "rhel7" }>;
    /** Node name → the version the emulated node starts on (instead of the example's fleet.json). */
    nodeVersions?: Record<string, string>;
    /** Node name → emulator settings merged over the example's (emulator/lab/fleet-spec.ts). */
    nodeEmulator?: Record<string, Record<string, unknown>>;
  } = {},
): Promise<LabStack> {
  const fleet = JSON.parse(fs.readFileSync(path.join(EXAMPLES, example, "fleet.json"), "utf8")) as {
    clusters: Array<{ nodes: Array<{ name: string; version: string; emulator?: Record<string, unknown> }> }>;
  };
  for (const node of fleet.clusters.flatMap((c) => c.nodes)) {
    const version = options.nodeVersions?.[node.name];
    if (version !== undefined) node.version = version;
    const emulator = options.nodeEmulator?.[node.name];
    if (emulator !== undefined) node.emulator = { ...node.emulator, ...emulator };
  }
  const lab = await startLab(fleet, {
    ...(options.timeScale === undefined ? {} : { timeScale: options.timeScale }),
    ...(options.channels === undefined ? {} : { channels: options.channels }),
    ...(options.indexers === undefined ? {} : { indexers: options.indexers }),
  });
  try {
    const stack = await createTestStack({
      programDir: path.join(EXAMPLES, example),
      config: { ...lab.config, ...(options.config ?? {}) },
      secrets: lab.secrets,
    });
    return {
      lab,
      stack,
      dispose: async () => {
        await stack.dispose();
        await lab.stop();
      },
    };
  } catch (e) {
    await lab.stop();
    throw e;
  }
}

export interface EmulatorEvent {
  seq: number;
  node: string;
  kind: string;
  name: string;
  unit?: string;
  detail?: Record<string, unknown>;
}

export async function events(
  lab: Lab,
  filter: { node?: string; kind?: string; name?: string } = {},
): Promise<EmulatorEvent[]> {
  const q = new URLSearchParams();
  for (const [k, v] of Object.entries(filter)) if (typeof v === "string") q.set(k, v);
  return (await control(lab, "GET", `/_emulator/events?${q.toString()}`)) as EmulatorEvent[];
}

export async function nodeModel(lab: Lab, node: string): Promise<Record<string, unknown>> {
  return (await control(lab, "GET", `/_emulator/nodes/${node}`)) as Record<string, unknown>;
}

export async function drift(lab: Lab, node: string, body: Record<string, unknown>): Promise<void> {
  await control(lab, "POST", `/_emulator/nodes/${node}/drift`, body);
}

/** `pulumi refresh --yes --diff`: its text shows each refreshed property change (drift lines included). */
export async function refreshDiff(ls: LabStack): Promise<string> {
  const result = await ls.stack.cli(["refresh", "--yes", "--diff", "--stack", ls.stack.name]);
  if (result.code !== 0)
    throw new Error(`pulumi refresh failed (${result.code}): ${result.stderr}\n${result.stdout}`);
  return result.stdout;
}

export interface DriftJobResult {
  refresh: number;
  preview: number;
  /** What `refresh --preview-only --diff` printed (the drift lines). */
  text: string;
}

/** One command of the drift job, as it runs it; its exit code is left to the caller. */
export function driftJobStep(ls: LabStack, step: "refresh" | "preview"): ReturnType<TestStack["cli"]> {
  const args =
    step === "refresh"
      ? ["refresh", "--preview-only", "--expect-no-changes", "--diff"]
      : ["preview", "--refresh", "--expect-no-changes"];
  return ls.stack.cli([...args, "--stack", ls.stack.name, "--non-interactive", "--color", "never"]);
}

/**
 * The scheduled drift job (docs/user-guide.md, "The drift job"): `refresh --preview-only --expect-no-changes` and
 * `preview --refresh --expect-no-changes`; each exits 0 (converged) or 7 (changes), anything else fails.
 */
export async function driftJob(ls: LabStack): Promise<DriftJobResult> {
  const refresh = await driftJobStep(ls, "refresh");
  const preview = await driftJobStep(ls, "preview");
  for (const r of [refresh, preview])
    if (r.code !== 0 && r.code !== 7) throw new Error(`drift job: exit ${r.code}:\n${r.stderr}\n${r.stdout}`);
  return { refresh: refresh.code, preview: preview.code, text: `${refresh.stdout}\n${preview.stdout}` };
}

/**
 * The HA manual gate (provider/executor/upgrade-call.ts): where a run stopped because an HA pair's
 * firmware must be activated by hand in the web interface (H2, upgrade call reading unknown).
 */
export function gateIn(text: string): { node: string; version: string } | undefined {
  const m =
    /node (\S+), step \d+ activate-firmware \(hop \d+ → (\d+\.\d+\.\d+)\): activate the firmware of the HA pair by hand/.exec(
      text,
    );
  return m ? { node: m[1], version: m[2] } : undefined;
}

/** Does what the gate asks, as the operator would in the web interface (emulator: no reboot). */
export async function passGate(lab: Lab, gate: { node: string; version: string }): Promise<void> {
  await control(lab, "POST", `/_emulator/nodes/${gate.node}/webui/activate-firmware`, {
    version: gate.version,
  });
}

/**
 * The S11 license manual gate (provider/executor/appliance-steps.ts, provider/resources/license-provider.ts):
 * where a run stopped because a license must be uploaded in the web interface (no system-control route).
 * The message names the node and the declared license (never its content).
 */
export function licenseGateIn(text: string): { node: string; license: string } | undefined {
  const m =
    /(?:node (\S+), step \d+ upload-license|uploadLicense on node (\S+?)\.)[\s\S]*?the license declared as "([^"]+)"/.exec(
      text,
    );
  const node = m?.[1] ?? m?.[2];
  return m?.[3] && node ? { node, license: m[3] } : undefined;
}

/** Uploads the declared license as the operator would (Basic Settings > System > License). */
export async function passLicenseGate(lab: Lab, gate: { node: string; license: string }): Promise<void> {
  const text = lab.licenses[gate.license];
  if (text === undefined) throw new Error(`the lab has no license "${gate.license}"`);
  await control(lab, "POST", `/_emulator/nodes/${gate.node}/webui/upload-license`, { license: text });
}

/**
 * The confirmation gates (provider/executor/confirmations.ts: P1 backup and export, S8 support bundle
 * made by hand, P5/P15): each names the value to add to the stack config `confirmed`.
 */
export function confirmGatesIn(text: string): string[] {
  return [...new Set([...text.matchAll(/add "([^"]+)" to confirmed/g)].map((m) => m[1] ?? ""))].filter(
    (c) => c !== "",
  );
}

/** Adds confirmations to the stack config `confirmed` (a JSON list), as the operator would. */
export async function addConfirmations(stack: TestStack, confirms: readonly string[]): Promise<void> {
  const now = JSON.parse((await stack.getConfig("confirmed")) ?? "[]") as string[];
  await stack.setConfig("confirmed", JSON.stringify([...new Set([...now, ...confirms])]));
}

/**
 * `up` until it succeeds, passing each manual gate in between as an operator would (at most `max`): the
 * HA pair's firmware activation, the license upload and the confirmation gates; other failures throw.
 * `failures` holds the message of every stopped run (what the operator read).
 */
export async function upThroughGates(
  ls: { stack: TestStack; lab: Lab },
  max = 16,
): Promise<UpReport & { gates: string[]; failures: string[] }> {
  const gates: string[] = [];
  const failures: string[] = [];
  for (;;) {
    try {
      return { ...(await ls.stack.up()), gates, failures };
    } catch (e) {
      const message = e instanceof Error ? e.message : String(e);
      const activation = gateIn(message);
      const license = activation ? undefined : licenseGateIn(message);
      const confirms = activation || license ? [] : confirmGatesIn(message);
      if ((!activation && !license && confirms.length === 0) || gates.length >= max) throw e;
      failures.push(message);
      if (confirms.length > 0) {
        await addConfirmations(ls.stack, confirms);
        gates.push(...confirms.map((c) => `confirm ${c}`));
      } else if (activation) {
        await passGate(ls.lab, activation);
        gates.push(`${activation.node} ${activation.version}`);
      } else if (license) {
        await passLicenseGate(ls.lab, license);
        gates.push(`${license.node} license ${license.license}`);
      }
    }
  }
}

/** The emulator's record of system control reaching a node: every event `via: "system-control"`. */
export async function systemControlEvents(lab: Lab, node: string): Promise<EmulatorEvent[]> {
  return (await events(lab, { node })).filter((e) => e.detail?.["via"] === "system-control");
}
