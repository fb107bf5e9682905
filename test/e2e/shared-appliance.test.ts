// One appliance, two declarations (test/e2e/programs/shared-appliance): within a stack the program is
// refused at preview naming both declarations; two stacks on one backend that upgrade one appliance at
// the same time — each through its own `pulumi up` — give it exactly one upload, one test and one
// upgrade call per hop, and the run that finds the other's work on the node stops naming the appliance.
import { strict as assert } from "node:assert";
import * as path from "node:path";
import * as automation from "@pulumi/pulumi/automation";
import { createTestStack, TestStack } from "../support/pulumi-engine";
import { startLab, type Lab } from "../support/sps-lab";
import { events, gateIn, passGate, type EmulatorEvent } from "./sps-helpers";

const PROGRAM = path.join(__dirname, "programs", "shared-appliance");

describe("one appliance declared twice", function () {
  this.timeout(900_000);
  let lab: Lab;
  const stacks: TestStack[] = [];

  before(async function () {
    lab = await startLab({
      clusters: [
        { name: "dc", nodes: [{ name: "sps1", version: "6.1.0" }] },
        { name: "pair", nodes: [{ name: "sps-ha", version: "6.1.0", ha: true }] },
        {
          name: "lp2",
          nodes: [
            {
              name: "sps-lp2",
              version: "6.14.0",
              plugins: [{ name: "mfa-demo", version: "2.0.0", type: "aa", implementation: "new" }],
            },
          ],
        },
        {
          name: "lp",
          nodes: [
            {
              name: "sps-lp",
              version: "6.14.0",
              plugins: [{ name: "mfa-demo", version: "2.0.0", type: "aa", implementation: "new" }],
            },
          ],
        },
      ],
    });
  });

  after(async function () {
    for (const s of stacks) await s.dispose();
    await lab?.stop();
  });

  const address = (name = "sps1"): string => {
    const n = lab.fleet.nodes.find((x) => x.name === name);
    assert.ok(n);
    return n.url;
  };

  const up = (s: TestStack) => s.cli(["up", "--yes", "--skip-preview", "--stack", s.name]);

  /**
   * Two stacks of the program on one backend and one workspace (as two `pulumi up` of one team), both
   * `up` at the same time: exactly one finishes, the other stops; `text` is both outputs.
   */
  const upTogether = async (names: [string, string], config: Record<string, string>) => {
    const a = await createTestStack({
      programDir: PROGRAM,
      stackName: names[0],
      config,
      secrets: lab.secrets,
    });
    stacks.push(a);
    const b = new TestStack(a.workDir, a.env, await automation.Stack.create(names[1], a.stack.workspace));
    for (const [k, v] of Object.entries(config)) await b.setConfig(k, v);
    for (const [k, v] of Object.entries(lab.secrets)) await b.setConfig(k, v, true);
    const [runA, runB] = await Promise.all([up(a), up(b)]);
    const runs = [
      { stack: a, run: runA },
      { stack: b, run: runB },
    ];
    const text = runs.map((r) => `${r.stack.name}: ${r.run.code}\n${r.run.stdout}${r.run.stderr}`).join("\n");
    const won = runs.filter((r) => r.run.code === 0);
    const stopped = runs.filter((r) => r.run.code !== 0);
    assert.equal(won.length, 1, text);
    assert.equal(stopped.length, 1, text);
    return { winner: won[0], loser: stopped[0], text };
  };

  it("in one stack: preview refuses the program naming both declarations, and nothing reaches the node", async function () {
    // The same appliance, spelled differently (a trailing slash; host case and the default port are
    // covered by the unit test of the address key).
    const other = `${address()}/`;
    const stack = await createTestStack({
      programDir: PROGRAM,
      stackName: "one-stack",
      config: {
        ...lab.config,
        clusters: JSON.stringify([
          { name: "dc1", node: "sps1" },
          { name: "dc2", node: "sps1", address: other },
        ]),
      },
      secrets: lab.secrets,
    });
    stacks.push(stack);
    const preview = await stack.cli(["preview", "--stack", stack.name]);
    assert.notEqual(preview.code, 0, preview.stdout);
    const text = preview.stdout + preview.stderr;
    assert.match(
      text,
      new RegExp(
        `SpsCluster "dc1" nodes\\[0\\] and SpsCluster "dc2" nodes\\[0\\] both name ${address().replace(/[.]/g, "\\.")} \\(written `,
      ),
    );
    assert.doesNotMatch(text, /at new SpsCluster|\.ts:\d+:\d+/, "no stack trace");
    const changes = (await events(lab, { node: "sps1", kind: "action" })).filter((e) => e.name !== "login");
    assert.deepEqual(changes, [], "nothing reached the appliance");
  });

  it("in two stacks on one backend, `up` at the same time: one upload, test and upgrade call per hop; the other run stops naming the appliance", async function () {
    const writesBefore = (await events(lab, { node: "sps1" })).length;
    const config = {
      ...lab.config,
      clusters: JSON.stringify([{ name: "dc", node: "sps1" }]),
    };
    const { winner, loser } = await upTogether(["site-a", "site-b"], config);
    assert.match(
      loser.run.stdout + loser.run.stderr,
      new RegExp(
        `the appliance ${escapeRe(address())} is being upgraded by another run \\(pulumi-sps-shared-appliance\\.${winner.stack.name}\\.dc, pid \\d+`,
      ),
    );

    // The emulator's event record: per hop exactly one upload, one upgrade test and one upgrade call.
    const all = (await events(lab, { node: "sps1" })).slice(writesBefore);
    const of = (name: string): EmulatorEvent[] => all.filter((e) => e.kind === "action" && e.name === name);
    const hops = of("reboot").map((e) => String(e.detail?.["afterReboot"]));
    assert.ok(hops.length >= 1, "the appliance was upgraded");
    assert.deepEqual(new Set(hops).size, hops.length, "one reboot per hop");
    assert.deepEqual(
      of("upload-firmware").map((e) => String(e.detail?.["version"])),
      hops,
      "one upload per hop",
    );
    const posts = (path: string): number =>
      all.filter((e) => e.kind === "http" && e.name === `POST ${path}`).length;
    assert.equal(posts("/api/upload/firmware"), hops.length, "one upload call per hop");
    assert.equal(posts("/api/firmware/test"), hops.length, "one upgrade test per hop");
    assert.equal(posts("/api/firmware/upgrade"), hops.length, "one upgrade call per hop");
    const nodes = (await winner.stack.stack.outputs())["nodes"]?.value as Array<
      Record<string, { version: string | null }>
    >;
    assert.equal(nodes[0]?.["sps1"]?.version, hops.at(-1), "the winner's outputs: on the last hop's version");

    // The stopped stack, run again once the other is done: the appliance is on its target, nothing is written.
    const since = (await events(lab, { node: "sps1" })).length;
    const again = await up(loser.stack);
    assert.equal(again.code, 0, again.stdout + again.stderr);
    const later = (await events(lab, { node: "sps1", kind: "action" })).filter(
      (e) => e.seq > (all.at(-1)?.seq ?? 0) && e.name !== "login",
    );
    assert.deepEqual(later, [], `nothing written by the second run (${since} events before it)`);
  });

  it("with a plugin build and a license for the hop, two stacks at once: one plugin upload and one license upload per hop; the other run names the appliance", async function () {
    const before = (await events(lab, { node: "sps-lp" })).at(-1)?.seq ?? 0;
    const config = {
      ...lab.config,
      clusters: JSON.stringify([{ name: "lp", node: "sps-lp", licensePlugin: true }]),
    };
    const { loser, text } = await upTogether(["lp-a", "lp-b"], config);
    assert.match(
      loser.run.stdout + loser.run.stderr,
      new RegExp(`the appliance ${escapeRe(address("sps-lp"))} is being upgraded by another run`),
    );
    // The stopped stack again, once the other is done: the plugin and the license are there, nothing is written.
    const again = await up(loser.stack);
    assert.equal(again.code, 0, again.stdout + again.stderr);

    // The emulator's event record over both stacks and the rerun: per hop one plugin upload, one license upload.
    const all = (await events(lab, { node: "sps-lp" })).filter((e) => e.seq > before);
    const hops = all.filter((e) => e.kind === "action" && e.name === "reboot");
    assert.ok(hops.length >= 1, text);
    const into7 = hops.filter((e) => String(e.detail?.["afterReboot"]).startsWith("7."));
    assert.equal(into7.length, 1, "one hop enters 7 LTS");
    const plugins = all.filter((e) => e.kind === "action" && e.name === "install-plugin");
    assert.deepEqual(
      plugins.map((e) => e.detail?.["version"]),
      ["2.1.0"],
      "one plugin upload: the build for the hop into 7.0",
    );
    assert.equal(
      all.filter((e) => e.kind === "http" && e.name === "POST /api/upload/plugins").length,
      1,
      "one plugin upload call",
    );
    const licenses = all.filter((e) => e.kind === "action" && e.name === "upload-license");
    assert.deepEqual(
      licenses.map((e) => e.detail?.["major"]),
      [7],
      "one license upload: the 7 LTS license after the reboot into 7",
    );
  });

  it("with a plugin build and a license, on two runners: the run that read the node first finds the other's plugin and license there and writes neither again", async function () {
    const before = (await events(lab, { node: "sps-lp2" })).at(-1)?.seq ?? 0;
    const base = {
      ...lab.config,
      clusters: JSON.stringify([{ name: "lp2", node: "sps-lp2", licensePlugin: true }]),
    };
    const all = JSON.parse(lab.config["confirmed"] ?? "[]") as string[];
    // runner-a has not made its configuration backup yet (P1): it reads the node, then stops at that gate.
    const a = await createTestStack({
      programDir: PROGRAM,
      stackName: "lp2-a",
      config: {
        ...base,
        "sps:checkpointDir": path.join(lab.dir, "lp2-a"),
        confirmed: JSON.stringify(all.filter((c) => !c.startsWith("backup lp2 "))),
      },
      secrets: lab.secrets,
    });
    stacks.push(a);
    const first = await up(a);
    assert.notEqual(first.code, 0);
    assert.match(first.stdout + first.stderr, /add "backup lp2 [0-9.]+" to confirmed/);
    // runner-b (its own checkpoints and locks) upgrades the appliance, its plugin and its license.
    const b = new TestStack(a.workDir, a.env, await automation.Stack.create("lp2-b", a.stack.workspace));
    for (const [k, v] of Object.entries({ ...base, "sps:checkpointDir": path.join(lab.dir, "lp2-b") }))
      await b.setConfig(k, v);
    for (const [k, v] of Object.entries(lab.secrets)) await b.setConfig(k, v, true);
    const second = await up(b);
    assert.equal(second.code, 0, second.stdout + second.stderr);
    // runner-a, backup confirmed, resumes: the plugin and license it would write are already there.
    await a.setConfig("confirmed", JSON.stringify(all));
    const resumed = await up(a);
    const printed = resumed.stdout + resumed.stderr;
    assert.equal(resumed.code, 0, printed);
    assert.match(
      printed,
      /upload-plugin[^\n]*skipped[^\n]*plugin mfa-demo 2\.1\.0 already installed[^\n]*installed since this run first read the node, not by this run/,
    );
    assert.match(
      printed,
      /upload-license[^\n]*skipped[^\n]*license already valid for 7 LTS — installed since this run first read the node, not by this run/,
    );
    const events_ = (await events(lab, { node: "sps-lp2" })).filter((e) => e.seq > before);
    assert.deepEqual(
      events_
        .filter((e) => e.kind === "action" && e.name === "install-plugin")
        .map((e) => e.detail?.["version"]),
      ["2.1.0"],
      "one plugin upload: runner-b's",
    );
    assert.deepEqual(
      events_
        .filter((e) => e.kind === "action" && e.name === "upload-license")
        .map((e) => e.detail?.["major"]),
      [7],
      "one license upload: runner-b's",
    );
  });

  it("on two runners (no shared lock files), interleaved: the second run stops before any write, naming the appliance; the first resumes and finishes", async function () {
    const before = (await events(lab, { node: "sps-ha" })).length;
    const config = { ...lab.config, clusters: JSON.stringify([{ name: "pair", node: "sps-ha", ha: true }]) };
    // Each stack its own checkpoint directory, as on two CI runners: only the appliance is shared.
    const a = await createTestStack({
      programDir: PROGRAM,
      stackName: "runner-a",
      config: { ...config, "sps:checkpointDir": path.join(lab.dir, "runner-a") },
      secrets: lab.secrets,
    });
    stacks.push(a);
    const b = new TestStack(a.workDir, a.env, await automation.Stack.create("runner-b", a.stack.workspace));
    for (const [k, v] of Object.entries({ ...config, "sps:checkpointDir": path.join(lab.dir, "runner-b") }))
      await b.setConfig(k, v);
    for (const [k, v] of Object.entries(lab.secrets)) await b.setConfig(k, v, true);
    const up = (s: TestStack) => s.cli(["up", "--yes", "--skip-preview", "--stack", s.name]);

    // runner-a uploads and tests, then stops at the HA pair's manual activation gate (H2).
    const first = await up(a);
    assert.notEqual(first.code, 0);
    const gate = gateIn(first.stdout + first.stderr);
    assert.ok(gate, first.stdout + first.stderr);

    // runner-b finds runner-a's upload on the appliance and stops before writing anything.
    const mark = (await events(lab, { node: "sps-ha" })).at(-1)?.seq ?? 0;
    const second = await up(b);
    assert.notEqual(second.code, 0);
    assert.match(
      second.stdout + second.stderr,
      new RegExp(
        `the appliance ${escapeRe(address("sps-ha"))} is in a state this run did not make: firmware ${escapeRe(gate.version)} in slot \\d+ was not uploaded by this run \\(its checkpoint records no upload of it\\)`,
      ),
    );
    const writes = (await events(lab, { node: "sps-ha" })).filter(
      (e) =>
        e.seq > mark &&
        ((e.kind === "http" && !e.name.startsWith("GET ")) || (e.kind === "action" && e.name !== "login")),
    );
    assert.deepEqual(
      writes.filter((e) => e.name !== "POST /api/authentication"),
      [],
      "runner-b wrote nothing",
    );

    // The operator passes runner-a's gate; runner-a resumes from its checkpoint and finishes.
    await passGate(lab, gate);
    const resumed = await up(a);
    assert.equal(resumed.code, 0, resumed.stdout + resumed.stderr);
    const all = (await events(lab, { node: "sps-ha" })).slice(before);
    const posts = (p: string): number =>
      all.filter((e) => e.kind === "http" && e.name === `POST ${p}`).length;
    assert.equal(posts("/api/upload/firmware"), 1, "one upload");
    assert.equal(posts("/api/firmware/test"), 1, "one upgrade test");
    const activations = all.filter((e) => e.kind === "action" && e.name === "activate-firmware");
    assert.deepEqual(
      activations.map((e) => e.detail?.["via"]),
      ["web-interface"],
      "one activation, the operator's",
    );
    // runner-b again: the pair is on its target, nothing to do.
    const end = all.at(-1)?.seq ?? 0;
    const again = await up(b);
    assert.equal(again.code, 0, again.stdout + again.stderr);
    const later = (await events(lab, { node: "sps-ha", kind: "action" })).filter(
      (e) => e.seq > end && e.name !== "login",
    );
    assert.deepEqual(later, []);
  });
});

function escapeRe(s: string): string {
  return s.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
}
