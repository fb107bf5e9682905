// Two stacks, one per site, of one program (examples/multi-stack) on one file backend: site-b's rollout
// waits for site-a's canary gate through a StackReference. Before site-a has verified its canary,
// site-b's `up` starts nothing; once it has, site-b's `up` runs — side by side with another `up` of
// site-a on the same backend — and its first change comes after site-a's canary's last.
import { strict as assert } from "node:assert";
import * as fs from "node:fs";
import * as path from "node:path";
import * as automation from "@pulumi/pulumi/automation";
import { createTestStack, TestStack } from "../support/pulumi-engine";
import { startLab, type Lab } from "../support/sps-lab";
import { events, EXAMPLES, type EmulatorEvent } from "./sps-helpers";

const SITES = {
  "site-a": [
    { name: "a-canary", node: "sps-a1", canary: true },
    { name: "a-main", node: "sps-a2" },
  ],
  "site-b": [
    { name: "b-one", node: "sps-b1" },
    { name: "b-two", node: "sps-b2" },
  ],
} as const;

async function changes(lab: Lab, nodes: readonly string[]): Promise<EmulatorEvent[]> {
  const all = await Promise.all(nodes.map((node) => events(lab, { node, kind: "action" })));
  return all.flat().filter((e) => e.name !== "login");
}

describe("two site stacks on one backend: site-b waits for site-a's canary (examples/multi-stack)", function () {
  this.timeout(900_000);
  let lab: Lab;
  let a: TestStack;
  let b: TestStack;

  before(async function () {
    const fleet = {
      clusters: Object.values(SITES)
        .flat()
        .map((c) => ({ name: c.name, nodes: [{ name: c.node, version: "6.1.0" }] })),
    };
    lab = await startLab(fleet);
    fs.writeFileSync(path.join(lab.dir, "ca.pem"), fs.readFileSync(lab.fleet.caCertPath));
    const address = new Map(lab.fleet.nodes.map((n) => [n.name, n.url]));
    for (const [site, clusters] of Object.entries(SITES))
      fs.writeFileSync(
        path.join(lab.dir, `${site}.json`),
        JSON.stringify({
          defaults: { tls: { caFile: "ca.pem" } },
          clusters: clusters.map((c) => ({
            name: c.name,
            ...("canary" in c ? { canary: true } : {}),
            nodes: [{ name: c.node, address: address.get(c.node), settings: { healthOk: true } }],
          })),
        }),
      );
    // "confirmed": the operator's declared confirmations of the manual gates (P1 backup, S8 support bundle).
    const shared = [
      "fleet:firmware",
      "fleet:systemControl",
      "fleet:deadlines",
      "sps:checkpointDir",
      "confirmed",
    ];
    const config = Object.fromEntries(shared.map((k) => [k, lab.config[k] ?? ""]));
    a = await createTestStack({
      programDir: path.join(EXAMPLES, "multi-stack"),
      stackName: "site-a",
      config: { ...config, inventory: path.join(lab.dir, "site-a.json") },
      secrets: lab.secrets,
    });
    // The second stack: same program, same workspace, same file backend.
    b = new TestStack(a.workDir, a.env, await automation.Stack.create("site-b", a.stack.workspace));
    for (const [k, v] of Object.entries({
      ...config,
      inventory: path.join(lab.dir, "site-b.json"),
      waitForStack: "organization/sps-multi-stack/site-a",
    }))
      await b.setConfig(k, v);
    for (const [k, v] of Object.entries(lab.secrets)) await b.setConfig(k, v, true);
  });

  after(async function () {
    await a?.dispose();
    await lab?.stop();
  });

  const up = (s: TestStack) =>
    s.cli(["up", "--yes", "--skip-preview", "--parallel", "16", "--stack", s.name]);

  it("starts nothing of site-b while site-a's canary is not verified", async function () {
    const preview = await b.cli(["preview", "--stack", b.name]);
    assert.equal(preview.code, 0, preview.stderr + preview.stdout);
    assert.match(
      preview.stdout,
      /rollout waits for organization\/sps-multi-stack\/site-a canary: not verified yet/,
    );
    const run = await up(b);
    assert.notEqual(run.code, 0);
    assert.match(
      run.stdout + run.stderr,
      /organization\/sps-multi-stack\/site-a canary: not verified yet \(run that stack's `pulumi up` first\)/,
    );
    assert.deepEqual(await changes(lab, ["sps-b1", "sps-b2"]), [], "no appliance of site-b changed");
  });

  it("runs site-b side by side with site-a on one backend once site-a's canary is verified", async function () {
    const first = await up(a);
    assert.equal(first.code, 0, first.stderr + first.stdout);
    const gatesA = (await a.stack.outputs())["gates"]?.value as Record<string, { verified: boolean }>;
    assert.equal(gatesA["canary"]?.verified, true);
    const canaryEnd = Math.max(...(await changes(lab, ["sps-a1"])).map((e) => e.seq));

    // Side by side on the same backend: site-b's rollout and a second (no-op) up of site-a.
    const [runB, againA] = await Promise.all([up(b), up(a)]);
    assert.equal(runB.code, 0, runB.stderr + runB.stdout);
    assert.equal(againA.code, 0, againA.stderr + againA.stdout);
    const siteB = await changes(lab, ["sps-b1", "sps-b2"]);
    assert.ok(
      ["sps-b1", "sps-b2"].every((n) => siteB.some((e) => e.node === n && e.name === "reboot")),
      "site-b upgraded",
    );
    assert.ok(
      siteB.every((e) => e.seq > canaryEnd),
      "site-b's first change after site-a's canary's last",
    );
    const gatesB = (await b.stack.outputs())["gates"]?.value as Record<string, { verified: boolean }>;
    assert.deepEqual(
      Object.entries(gatesB).map(([k, g]) => [k, g.verified]),
      [["all", true]],
    );
  });
});
