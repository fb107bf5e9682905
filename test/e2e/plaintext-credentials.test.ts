// `sps:credentials` set without `--secret` through the real engine (examples/standalone): the preview warns,
// naming the key and the fix; set with `--secret` (as the lab does) there is no warning.
import { strict as assert } from "node:assert";
import { labStackPerSuite } from "./sps-helpers";

const WARNING = /sps:credentials is not a secret config value/;

describe("a warning for sps:credentials set without --secret (examples/standalone)", function () {
  this.timeout(300_000);
  const ls = labStackPerSuite("standalone");

  it("is quiet for the secret value and warns once it is set in plaintext", async function () {
    const secret = await ls.stack.preview();
    assert.doesNotMatch(secret.stdout + secret.stderr, WARNING);
    const value = ls.lab.secrets["sps:credentials"] ?? "";
    await ls.stack.setConfig("sps:credentials", value, false);
    const plain = await ls.stack.preview();
    const text = plain.stdout + plain.stderr;
    assert.match(text, WARNING);
    assert.match(text, /pulumi config set --secret sps:credentials/);
    assert.ok(!text.includes(ls.lab.password), "never the password");
  });
});
