// Helpers shared by the e2e tests of the Pulumi resources: a lab (emulated fleet) plus a test stack of an
// example program wired to it, and the emulator's event record.
import * as fs from "node:fs";
import * as path from "node:path";
import { createTestStack, REPO_ROOT, type TestStack, type UpReport } from "../support/pulumi-engine";
import { control, startLab, type Lab } from "../support/sps-lab";

export const EXAMPLES = path.join(REPO_ROOT, "examples");

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
  } = {},
): Promise<LabStack> {
  const fleet = JSON.parse(fs.readFileSync(path.join(EXAMPLES, example, "fleet.json"), "utf8")) as {
    clusters: Array<{ nodes: Array<{ name: string; version: string }> }>;
  };
  for (const node of fleet.clusters.flatMap((c) => c.nodes)) {
    const version = options.nodeVersions?.[node.name];
    if (version !== undefined) node.version = version;
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

/** `up` until it succeeds, passing each HA manual gate in between (at most `max`); other failures throw. */
export async function upThroughGates(
  ls: { stack: TestStack; lab: Lab },
  max = 8,
): Promise<UpReport & { gates: string[] }> {
  const gates: string[] = [];
  for (;;) {
    try {
      return { ...(await ls.stack.up()), gates };
    } catch (e) {
      const gate = gateIn(e instanceof Error ? e.message : String(e));
      if (!gate || gates.length >= max) throw e;
      await passGate(ls.lab, gate);
      gates.push(`${gate.node} ${gate.version}`);
    }
  }
}
