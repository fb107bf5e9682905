import { strict as assert } from "node:assert";
import {
  parseSshHostOptions,
  SshOptionsError,
  validateSshHostOptions,
} from "../../../provider/clients/hosts/ssh-options";

const KEY_LINE = "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIG979fGi8XSyIGnDQYAO6nhDE15BWUzdYEOZ7jKdqoGN";
const valid = {
  host: "idx1.example",
  username: "root",
  auth: { method: "privateKey", privateKeyPath: "/keys/id_ed25519" },
  hostKey: { knownHostsLine: KEY_LINE },
};

function issuesOf(input: unknown): Array<{ property: string; reason: string }> {
  const r = validateSshHostOptions(input);
  assert.equal(r.ok, false, "expected the options to be rejected");
  return r.ok ? [] : r.issues;
}

describe("SSH host options (zod at the boundary; messages name the field and the fix)", () => {
  it("fills defaults: port 22, connect and command deadlines", () => {
    const o = parseSshHostOptions(valid);
    assert.equal(o.port, 22);
    assert.equal(o.connectTimeoutMs, 20_000);
    assert.equal(o.commandTimeoutMs, 120_000);
  });

  it("host key verification is required: a missing hostKey is refused with how to get one", () => {
    const rest: Record<string, unknown> = { ...valid };
    delete rest["hostKey"];
    const issues = issuesOf(rest);
    assert.equal(issues[0]?.property, "hostKey");
    assert.match(issues[0]?.reason ?? "", /cannot be skipped.*ssh-keyscan.*ssh-keygen -lf/);
  });

  it("a malformed fingerprint names the expected form", () => {
    const issues = issuesOf({ ...valid, hostKey: { sha256Fingerprint: "MD5:aa:bb" } });
    assert.ok(
      issues.some((i) => i.property.startsWith("hostKey") && /SHA256:/.test(i.reason)),
      JSON.stringify(issues),
    );
  });

  it("port out of range and an empty user are reported per field", () => {
    const issues = issuesOf({ ...valid, port: 70000, username: "" });
    assert.deepEqual(issues.map((i) => i.property).sort(), ["port", "username"]);
    assert.ok(issues.every((i) => i.reason.length > 10));
  });

  it("privateKey auth needs exactly one of privateKeyPath and privateKey", () => {
    const issues = issuesOf({ ...valid, auth: { method: "privateKey" } });
    assert.deepEqual(issues, [
      {
        property: "auth",
        reason: "needs exactly one of privateKeyPath (a key file) or privateKey (the key text)",
      },
    ]);
  });

  it("an unknown auth method lists the supported ones", () => {
    const issues = issuesOf({ ...valid, auth: { method: "kerberos" } });
    assert.ok(
      issues.some((i) => i.property.startsWith("auth") && /privateKey.*agent.*password/.test(i.reason)),
    );
  });

  it("a misspelt field is reported, not silently ignored", () => {
    const issues = issuesOf({ ...valid, jumphost: { host: "bastion" } });
    assert.match(issues[0]?.reason ?? "", /unknown field\(s\) "jumphost"/);
  });

  it("never repeats a password in a message", () => {
    const secret = "S3cret-value-xyz";
    const r = validateSshHostOptions({
      ...valid,
      port: "22",
      auth: { method: "password", password: secret, extra: 1 },
    });
    assert.equal(r.ok, false);
    assert.ok(!JSON.stringify(r).includes(secret));
    assert.throws(
      () => parseSshHostOptions({ ...valid, port: "22", auth: { method: "password", password: secret } }),
      (err: unknown) =>
        err instanceof SshOptionsError &&
        !err.message.includes(secret) &&
        /port must be a number/.test(err.message),
    );
  });

  it("validates the jump host with the same rules, under jumpHost.*", () => {
    const issues = issuesOf({ ...valid, jumpHost: { host: "bastion", username: "jump", auth: valid.auth } });
    assert.deepEqual(
      issues.map((i) => i.property),
      ["jumpHost.hostKey"],
    );
  });
});
