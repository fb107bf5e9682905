// `sps:credentials` set without `--secret` is stored in plaintext in the stack's config: the program warns,
// naming the key and the fix (sdk/credentials-warning.ts); a secret value or none at all gives no warning.
import { strict as assert } from "node:assert";
import * as pulumi from "@pulumi/pulumi";
import { configKeyIsSecret, plaintextCredentialsWarning } from "../../../sdk/credentials-warning";

const VALUE = JSON.stringify({ appliance: { username: "admin", password: "warn-test-password" } });

function warningFor(config: Record<string, string>, secretKeys: string[]): string | undefined {
  pulumi.runtime.setAllConfig(config, secretKeys);
  return plaintextCredentialsWarning(pulumi.runtime.getConfig("sps:credentials"), configKeyIsSecret);
}

describe("a warning for plaintext sps:credentials", function () {
  after(function () {
    pulumi.runtime.setAllConfig({}, []);
  });

  it("warns when sps:credentials is not among the engine's secret keys, naming the key and --secret", function () {
    const text = warningFor({ "sps:credentials": VALUE }, []);
    assert.ok(text);
    assert.match(text, /sps:credentials is not a secret config value/);
    assert.match(text, /pulumi config set --secret sps:credentials/);
    assert.ok(!text.includes("warn-test-password"), "never the value");
  });

  it("is quiet for a secret value and for no credentials", function () {
    assert.equal(warningFor({ "sps:credentials": VALUE }, ["sps:credentials"]), undefined);
    assert.equal(warningFor({ "sps:other": "x" }, []), undefined);
  });
});
