// Smoke test of the real Pulumi engine built into .tools/pulumi: a TypeScript program with a dynamic resource
// (planned actions + a secret) and a @pulumi/command local command, through preview, up, refresh, update and
// destroy, with state in a local file backend.
import { strict as assert } from "node:assert";
import * as fs from "node:fs";
import * as path from "node:path";
import type { EngineEvent } from "@pulumi/pulumi/automation";
import { createTestStack, TestStack } from "../support/pulumi-engine";

const PROGRAM_DIR = path.join(__dirname, "programs", "smoke");
const SECRET = "smoke-secret-7f3c9e1a";
const FIRST_PLAN = ["stage firmware 7.5.1", "reboot node-a"];
const SECOND_PLAN = ["stage firmware 7.5.1", "reboot node-a", "reboot node-b"];
const SMOKE_TYPE = "pulumi-nodejs:dynamic/smoke:SmokeResource";

/** The operations the engine announced for resources of `type` (its JSON event stream). */
function operationsOn(events: EngineEvent[], type: string): string[] {
  return events.flatMap((event) => {
    const metadata = event.resourcePreEvent?.metadata;
    return metadata && metadata.type === type ? [metadata.op] : [];
  });
}

describe("the locally built Pulumi engine", function () {
  this.timeout(180_000);
  let stack: TestStack;
  let firstId: unknown;
  let stateAfterUp = "";

  before(async function () {
    stack = await createTestStack({
      programDir: PROGRAM_DIR,
      config: { plannedActions: JSON.stringify(FIRST_PLAN) },
      secrets: { token: SECRET },
    });
  });

  after(async function () {
    await stack?.dispose();
  });

  it("previews the dynamic resource with its planned actions and a masked secret in the --diff text", async function () {
    const preview = await stack.preview();
    for (const action of FIRST_PLAN) {
      assert.ok(preview.diffText.includes(action), `preview --diff lists "${action}":\n${preview.diffText}`);
    }
    assert.match(preview.diffText, /\+ pulumi-nodejs:dynamic\/smoke:SmokeResource: \(create\)/);
    assert.match(preview.diffText, /token\s*: \[secret\]/);
    assert.match(preview.diffText, /\+ command:local:Command: \(create\)/);
    assert.deepEqual(operationsOn(preview.events, SMOKE_TYPE), ["create"]);
    assert.equal(preview.changeSummary["create"], 3);
  });

  it("creates the dynamic resource and runs the local command through the offline command plugin on up", async function () {
    const up = await stack.up();
    assert.equal(up.resourceChanges["create"], 3);
    assert.deepEqual(up.outputs["appliedActions"], FIRST_PLAN);
    assert.equal(up.outputs["stateVersion"], 1);
    assert.equal(up.outputs["commandStdout"], "smoke-command-ran");
    // The engine shows what the dynamic provider prints (on stderr when run by the automation API).
    assert.match(
      up.stdout + up.stderr,
      /smoke: applying 2 planned action\(s\): stage firmware 7\.5\.1, reboot node-a/,
    );
    firstId = up.outputs["resourceId"];
    assert.equal(typeof firstId, "string");
    stateAfterUp = await stack.exportState();

    const plugins = await stack.cli(["plugin", "ls"]);
    assert.equal(plugins.code, 0, plugins.stderr);
    assert.match(plugins.stdout, /^command\s+resource\s+4\.5\.0\b/m);
    assert.doesNotMatch(stack.transcript(), /download/i);
  });

  it("changes nothing on a second up with the same inputs", async function () {
    const up = await stack.up();
    assert.deepEqual(up.resourceChanges, { same: 3 });
    assert.equal(up.outputs["resourceId"], firstId);
  });

  it("finds no drift on refresh", async function () {
    const refresh = await stack.refresh();
    assert.deepEqual(refresh.resourceChanges, { same: 3 });
  });

  it("updates the resource in place when its planned actions change", async function () {
    await stack.setConfig("plannedActions", JSON.stringify(SECOND_PLAN));
    const preview = await stack.preview();
    assert.match(preview.diffText, /~ pulumi-nodejs:dynamic\/smoke:SmokeResource: \(update\)/);
    assert.ok(preview.diffText.includes("reboot node-b"), preview.diffText);
    assert.deepEqual(operationsOn(preview.events, SMOKE_TYPE), ["update"]);

    const up = await stack.up();
    assert.deepEqual(up.resourceChanges, { same: 2, update: 1 });
    assert.deepEqual(up.outputs["appliedActions"], SECOND_PLAN);
    assert.equal(up.outputs["resourceId"], firstId, "an update keeps the resource's id");
  });

  it("removes every resource on destroy", async function () {
    const destroy = await stack.destroy();
    assert.equal(destroy.resourceChanges["delete"], 3);
    const state = JSON.parse(await stack.exportState()) as { deployment?: { resources?: unknown[] } };
    assert.deepEqual(state.deployment?.resources ?? [], []);
  });

  it("never stores or prints the secret input in plaintext", async function () {
    assert.ok(stateAfterUp.includes(SMOKE_TYPE), "the exported state holds the resource");
    assert.ok(
      stateAfterUp.includes("4dabf18193072939515e22adb298388d"),
      "the token is stored as a secret value",
    );
    assert.equal(stateAfterUp.includes(SECRET), false, "the exported state holds the secret in plaintext");
    const stateFiles = await stack.stateText();
    assert.equal(stateFiles.includes(SECRET), false, "the file backend holds the secret in plaintext");
    const stackConfig = await fs.promises.readFile(
      path.join(stack.workDir, `Pulumi.${stack.name}.yaml`),
      "utf8",
    );
    assert.match(stackConfig, /secure: /, "the stack's config file holds the token encrypted");
    assert.equal(
      stackConfig.includes(SECRET),
      false,
      "the stack's config file holds the secret in plaintext",
    );
    assert.equal(stack.transcript().includes(SECRET), false, "printed output holds the secret in plaintext");
  });
});
