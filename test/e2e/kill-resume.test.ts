// Killing `pulumi up` (SIGKILL to the dynamic provider and the CLI, or to the CLI alone, whose plugins
// must then notice and exit by themselves) at several points of a multi-hop HA pair upgrade — during a
// first boot, between the secondary's shutdown and its power-on, while the secondary rejoins — and
// running `up` again: each rerun converges, and
// the emulator's event record shows no second reboot (and no second shutdown, power-on or "activate
// slave") for the same hop (rules S9, S10, H1, H2).
import { strict as assert } from "node:assert";
import { execFileSync, spawn } from "node:child_process";
import { existsSync, writeFileSync } from "node:fs";
import * as path from "node:path";
import { PULUMI_BIN_DIR } from "../support/pulumi-engine";
import { events, gateIn, labStack, nodeModel, passGate, upThroughGates, type LabStack } from "./sps-helpers";

/** Every descendant of `pid` (children first found by `ps`), so none is left behind. */
function descendants(pid: number): number[] {
  const table = execFileSync("ps", ["-e", "-o", "pid=,ppid="], { encoding: "utf8" })
    .trim()
    .split("\n")
    .map((l) => l.trim().split(/\s+/).map(Number) as [number, number]);
  const out: number[] = [];
  const walk = (p: number): void => {
    for (const [child, parent] of table) {
      if (parent === p) {
        out.push(child);
        walk(child);
      }
    }
  };
  walk(pid);
  return out;
}

/** Those of `pids` still running (a zombie waiting for init to reap it counts as gone). */
function stillRunning(pids: number[]): number[] {
  const table = execFileSync("ps", ["-e", "-o", "pid=,stat="], { encoding: "utf8" })
    .trim()
    .split("\n")
    .map((l) => l.trim().split(/\s+/))
    .filter(([, stat]) => !stat?.startsWith("Z"))
    .map(([pid]) => Number(pid));
  return pids.filter((p) => table.includes(p));
}

interface KilledRun {
  killed: boolean;
  output: string;
  /** The CLI's plugins and program when it was killed, by pid and command line. */
  orphans: string[];
  /** Those still running 30 s after the kill (killed then by the test). */
  survivors: string[];
}

/**
 * What a kill hits: `provider` SIGKILLs the dynamic provider (it dies mid-step, no chance to save
 * anything more) and the CLI; `cli` SIGKILLs the CLI alone — as the OOM killer or a cancelled CI job
 * would — and the provider must notice, stop at its next safe point and exit by itself; `stop-file`
 * kills nothing: it creates the cluster's stop file, the operator's way to stop an upgrade at its next
 * safe point (Pulumi's first Ctrl-C would wait for the whole cluster upgrade).
 */
type KillMode = "provider" | "cli" | "stop-file";

/**
 * Runs `pulumi up`; when a printed line matches, kills per `mode`, then waits for every process the
 * CLI had started (language host, program, dynamic provider, command provider) to exit by itself.
 * Whatever is still running after 30 s is reported and killed, so no test leaves a process behind.
 */
async function upKilledAt(ls: LabStack, pattern: RegExp, mode: KillMode): Promise<KilledRun> {
  // In the default ("reboots") reading an HA pair stops at the manual activation gate first (H2): the
  // operator activates the firmware in the web interface and runs up again — then the kill point comes.
  for (let gates = 0; ; gates++) {
    const run = await upKilledOnce(ls, pattern, mode);
    const gate = run.killed ? undefined : gateIn(run.output);
    if (!gate || gates >= 4) return run;
    await cancelLock(ls);
    await passGate(ls.lab, gate);
  }
}

function upKilledOnce(ls: LabStack, pattern: RegExp, mode: KillMode): Promise<KilledRun> {
  return new Promise((resolve, reject) => {
    const child = spawn(
      path.join(PULUMI_BIN_DIR, "pulumi"),
      ["up", "--yes", "--skip-preview", "--stack", ls.stack.name, "--non-interactive", "--color", "never"],
      {
        cwd: ls.stack.workDir,
        env: { ...process.env, ...ls.stack.env },
        stdio: ["ignore", "pipe", "pipe"],
      },
    );
    let output = "";
    let killed = false;
    let orphans: number[] = [];
    const commandLines = new Map<number, string>();
    const onData = (chunk: Buffer): void => {
      output += chunk.toString("utf8");
      if (!killed && pattern.test(output) && child.pid !== undefined) {
        killed = true;
        orphans = descendants(child.pid);
        for (const pid of orphans) {
          try {
            commandLines.set(
              pid,
              execFileSync("ps", ["-o", "args=", "-p", String(pid)], { encoding: "utf8" }).trim(),
            );
          } catch {
            commandLines.set(pid, "(gone)");
          }
        }
        if (mode === "stop-file") {
          // Where to put it, as the run itself says at its start.
          const stopFile =
            /firmware\/dc1: (?:starting|resuming) .*; to stop after the step in flight: touch (\S+)/.exec(
              output,
            )?.[1];
          assert.ok(stopFile, `the run names its stop file:\n${output}`);
          writeFileSync(stopFile, "");
          return;
        }
        if (mode === "provider")
          for (const pid of orphans.filter((p) => /dynamic-provider/.test(commandLines.get(p) ?? "")))
            process.kill(pid, "SIGKILL");
        process.kill(child.pid, "SIGKILL");
      }
    };
    child.stdout.on("data", onData);
    child.stderr.on("data", onData);
    child.on("error", reject);
    child.on("exit", () => {
      if (!killed) return;
      const started = Date.now();
      const timer = setInterval(() => {
        const left = stillRunning(orphans);
        if (left.length > 0 && Date.now() - started < 30_000) return;
        clearInterval(timer);
        for (const pid of left) {
          try {
            process.kill(pid, "SIGKILL");
          } catch {
            // gone meanwhile
          }
        }
        const describe = (pid: number): string => `${pid} ${commandLines.get(pid) ?? ""}`;
        resolve({ killed, output, orphans: orphans.map(describe), survivors: left.map(describe) });
      }, 250);
    });
    child.on("close", () => {
      if (!killed) resolve({ killed, output, orphans: [], survivors: [] });
    });
  });
}

async function cancelLock(ls: LabStack): Promise<void> {
  const cancel = await ls.stack.cli(["cancel", "--yes", "--stack", ls.stack.name]);
  assert.ok(
    cancel.code === 0 || /no update|not currently/i.test(cancel.stderr + cancel.stdout),
    cancel.stderr,
  );
}

async function rerunConverges(ls: LabStack): Promise<void> {
  // The killed update left its lock behind (file backend): release it as an operator would.
  await cancelLock(ls);
  const up = await upThroughGates(ls);
  // The run picks up the killed one's checkpoint instead of starting over.
  assert.match(up.stdout + up.stderr, /firmware\/dc1: resuming \(\d+ step\(s\) already finished\)/);
  const nodes = up.outputs["nodes"] as Record<string, { version: string; state: string }>;
  assert.deepEqual(nodes["sps-ha"] && { version: nodes["sps-ha"].version, state: nodes["sps-ha"].state }, {
    version: "6.3.0",
    state: "on-target",
  });
  const model = await nodeModel(ls.lab, "sps-ha");
  const ha = model["ha"] as { status: string; nodes: Array<{ firmware: { current: string } }> };
  assert.equal(ha.status, "HA");
  assert.deepEqual(
    ha.nodes.map((n) => n.firmware.current),
    ["6.3.0", "6.3.0"],
  );
}

async function assertOncePerHop(ls: LabStack): Promise<void> {
  const list = await events(ls.lab, { node: "sps-ha", kind: "action" });
  const names = (name: string) => list.filter((e) => e.name === name);
  assert.deepEqual(
    names("reboot").map((e) => e.detail?.["afterReboot"]),
    ["6.0.12", "6.3.0"],
    "exactly one reboot per hop",
  );
  assert.equal(names("shutdown-secondary").length, 2, "one secondary shutdown per hop");
  assert.equal(names("power-on").length, 2, "one power-on per hop");
  assert.equal(names("activate-secondary").length, 2, "one 'activate slave' per hop");
  // H2 order inside each hop: shutdown-secondary < reboot < power-on < activate-secondary.
  const order = list
    .filter((e) => ["shutdown-secondary", "reboot", "power-on", "activate-secondary"].includes(e.name))
    .map((e) => e.name);
  assert.deepEqual(order, [
    "shutdown-secondary",
    "reboot",
    "power-on",
    "activate-secondary",
    "shutdown-secondary",
    "reboot",
    "power-on",
    "activate-secondary",
  ]);
}

const KILL_POINTS: Array<{ when: string; pattern: RegExp; mode: KillMode }> = [
  {
    when: "during the first boot of hop 1",
    pattern: /sps-ha reboot 6\.0\.12 waiting: first boot/,
    mode: "provider",
  },
  {
    when: "between the secondary's shutdown and its power-on in hop 2",
    pattern: /sps-ha shutdown-secondary 6\.3\.0 done/,
    mode: "provider",
  },
  {
    when: "while the secondary rejoins in hop 1",
    pattern: /sps-ha power-on-secondary 6\.0\.12 done/,
    mode: "provider",
  },
  {
    when: "during the first boot of hop 2 (P14), the CLI alone",
    pattern: /sps-ha reboot 6\.3\.0 waiting: first boot/,
    mode: "cli",
  },
  {
    when: "by the operator's stop file during the first boot of hop 1",
    pattern: /sps-ha reboot 6\.0\.12 waiting: first boot/,
    mode: "stop-file",
  },
];

describe("killing pulumi up mid-upgrade of an HA pair", function () {
  this.timeout(300_000);

  for (const point of KILL_POINTS) {
    const how = {
      provider: "the provider SIGKILLed",
      cli: "the provider left to notice",
      "stop-file": "nothing killed",
    };
    describe(`stopped ${point.when} (${how[point.mode]})`, function () {
      let ls: LabStack;

      before(async function () {
        // First boot lasts 1.5 s at this scale: long enough for the kill to land inside it.
        ls = await labStack("ha-pair", { timeScale: 600 });
      });

      after(async function () {
        await ls?.dispose();
      });

      it("stops at that point", async function () {
        const run = await upKilledAt(ls, point.pattern, point.mode);
        assert.ok(run.killed, `the line ${point.pattern} was printed:\n${run.output}`);
        assert.ok(
          run.orphans.some((o) => /dynamic-provider/.test(o)),
          `the dynamic provider was running: ${run.orphans.join("; ")}`,
        );
        // Plugins watch their engine: none outlives the killed CLI (and none keeps upgrading unwatched).
        // In "cli" mode this includes the dynamic provider, which had a run in flight when the CLI died.
        assert.deepEqual(run.survivors, [], `still running 30 s after the kill`);
        if (point.mode === "stop-file") {
          // Nothing was killed: the run stopped itself, said why, and consumed the stop file.
          const stopFile = /stop requested \((\S+\.stop)\)/.exec(run.output)?.[1];
          assert.ok(stopFile, `the run says it stopped on request:\n${run.output}`);
          assert.equal(existsSync(stopFile), false, "the stop file is consumed");
          const actions = await events(ls.lab, { node: "sps-ha", kind: "action" });
          assert.equal(
            actions.filter((e) => e.name === "power-on").length,
            0,
            "stopped before hop 1's power-on",
          );
        }
        if (point.mode === "cli") {
          // It stopped at the first-boot wait of hop 2 instead of finishing the upgrade unwatched:
          // hop 2's power-on and takeover are left to the next run.
          const actions = await events(ls.lab, { node: "sps-ha", kind: "action" });
          assert.equal(actions.filter((e) => e.name === "power-on").length, 1, "only hop 1's power-on");
          assert.equal(actions.filter((e) => e.name === "activate-secondary").length, 1);
        }
      });

      it("converges on the next up, with no second reboot, shutdown, power-on or takeover for a hop", async function () {
        await rerunConverges(ls);
        await assertOncePerHop(ls);
      });
    });
  }
});
