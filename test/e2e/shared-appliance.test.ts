// One appliance, two declarations (test/e2e/programs/shared-appliance): within a stack the program is
// refused at preview naming both declarations; two stacks on one backend that upgrade one appliance at
// the same time — each through its own `pulumi up` — give it exactly one upload, one test and one
// upgrade call per hop, and the run that finds the other's work on the node stops naming the appliance.
import { strict as assert } from "node:assert";
import * as path from "node:path";
import { createTestStack, type TestStack } from "../support/pulumi-engine";
import { startLab, type Lab } from "../support/sps-lab";
import { events } from "./sps-helpers";

const PROGRAM = path.join(__dirname, "programs", "shared-appliance");

describe("one appliance declared twice", function () {
  this.timeout(900_000);
  let lab: Lab;
  const stacks: TestStack[] = [];

  before(async function () {
    lab = await startLab({ clusters: [{ name: "dc", nodes: [{ name: "sps1", version: "6.1.0" }] }] });
  });

  after(async function () {
    for (const s of stacks) await s.dispose();
    await lab?.stop();
  });

  const address = (): string => {
    const n = lab.fleet.nodes.find((x) => x.name === "sps1");
    assert.ok(n);
    return n.url;
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
});
