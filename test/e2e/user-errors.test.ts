// User errors through the real engine (examples/standalone): each names the field the program wrote and
// the fix, and the output carries no JavaScript stack trace — a target that is no version, a wrong REST
// password, no sps:credentials at all, a target release the catalog does not know.
import { strict as assert } from "node:assert";
import { labStack, type LabStack } from "./sps-helpers";

const STACK_TRACE = /^\s+at .+:\d+:\d+\)?$/m;

describe("user errors through the engine name the field and the fix, no stack trace (examples/standalone)", function () {
  this.timeout(600_000);
  let ls: LabStack;

  async function previewError(): Promise<string> {
    try {
      await ls.stack.preview();
    } catch (e) {
      return e instanceof Error ? e.message : String(e);
    }
    throw new Error("preview succeeded, expected an error");
  }

  before(async function () {
    ls = await labStack("standalone");
  });

  after(async function () {
    await ls?.dispose();
  });

  it('target "80"', async function () {
    await ls.stack.setConfig("fleet:target", "80");
    const text = await previewError();
    assert.match(text, /target: "80" is not a version; use a release/);
    assert.doesNotMatch(text, STACK_TRACE, text);
  });

  it("a target release the catalog does not know names the catalog input", async function () {
    await ls.stack.setConfig("fleet:target", "9.1");
    const text = await previewError();
    assert.match(text, /property target .*not in the release catalog/);
    assert.match(text, /the catalog input of SpsCluster/);
    assert.doesNotMatch(text, /--catalog/);
    assert.doesNotMatch(text, STACK_TRACE, text);
    await ls.stack.setConfig("fleet:target", "6.3");
  });

  it("a wrong REST password names sps:credentials.appliance", async function () {
    const good = ls.lab.secrets["sps:credentials"] ?? "";
    const wrong = JSON.parse(good) as { appliance: { password: string } };
    wrong.appliance.password = "not-the-password";
    await ls.stack.setConfig("sps:credentials", JSON.stringify(wrong), true);
    const text = await previewError();
    assert.match(text, /has a problem: sps:credentials\.appliance: .*refused the REST login/);
    assert.doesNotMatch(text, /value \{<nil>\}/, text);
    assert.doesNotMatch(text, STACK_TRACE, text);
    await ls.stack.setConfig("sps:credentials", good, true);
  });

  it("no sps:credentials at all", async function () {
    await ls.stack.stack.removeConfig("sps:credentials");
    const text = await previewError();
    assert.match(
      text,
      /has a problem: sps:credentials: no REST login for node "sps-branch".*pulumi config set --secret sps:credentials/,
    );
    assert.doesNotMatch(text, /value \{<nil>\}/, text);
    assert.doesNotMatch(text, STACK_TRACE, text);
  });
});
