// Every user error out of the SDK names the field the program wrote and the fix, with no stack trace:
// a refused REST login names sps:credentials, a refused certificate the node's tls field; a missing login
// is a check failure, not a thrown error; a thrown error leaves the dynamic-provider host without its
// stack; an unknown target names the SDK's `catalog` input (never the CLI's --catalog); a target that is
// no version and a catalog file that cannot be read stop the program with a clean error.
import { strict as assert } from "node:assert";
import * as os from "node:os";
import * as path from "node:path";
import * as pulumi from "@pulumi/pulumi";
import { SpsCluster } from "../../../sdk/cluster";
import { CredentialsError } from "../../../sdk/credentials";
import { firmwareInputSchema } from "../../../sdk/inputs";
import { configure } from "../../../provider/resources/context";
import { hostProvider, type KindImplementation } from "../../../provider/resources/dynamic-host";
import { check as firmwareCheck } from "../../../provider/resources/firmware-provider";
import { planFirmware, unreadableNode } from "../../../provider/resources/firmware-plan";
import { PREVIEW_KEY } from "../../../sdk/wiring";

const NODE = {
  name: "sps-a",
  address: "https://sps-a.invalid",
  tls: { caPem: "-----BEGIN CERTIFICATE-----x" },
};

function credentialsAre(value: unknown): void {
  configure({ get: (k) => (k === "sps:credentials" ? JSON.stringify(value) : undefined) });
}

describe("user errors name the field and the fix", function () {
  after(function () {
    configure({ get: () => undefined });
  });

  it("a refused REST login names sps:credentials, a refused certificate the node's tls field", function () {
    credentialsAre({ appliance: { username: "admin", password: "x-password" } });
    const f = firmwareInputSchema.parse({ cluster: "c", target: "6.3", nodes: [NODE] });
    const node = f.nodes[0];
    assert.ok(node);
    const auth = unreadableNode(
      node,
      0,
      "SPS sps-a: GET /api/authentication failed: HTTP 401 Unauthenticated: Authentication failed.",
    );
    assert.equal(auth.property, "sps:credentials.appliance");
    assert.match(auth.reason, /pulumi config set --secret/);
    const tls = unreadableNode(
      node,
      0,
      "SPS sps-a: GET /api/authentication failed: (UNABLE_TO_VERIFY_LEAF_SIGNATURE): the appliance's TLS certificate was refused: unable to verify the first certificate",
    );
    assert.equal(tls.property, "nodes[0].tls.caPem");
    assert.match(tls.reason, /PEM of the CA that issued the appliance's certificate/);
    const down = unreadableNode(node, 0, "connect ECONNREFUSED 127.0.0.1:1");
    assert.equal(down.property, "nodes[0].address");
  });

  it("no REST login at all is a check failure naming sps:credentials and the command", async function () {
    configure({ get: () => undefined });
    const r = await firmwareCheck({}, { cluster: "c", target: "6.3", nodes: [NODE], [PREVIEW_KEY]: true });
    assert.equal(r.failures?.[0]?.property, "sps:credentials");
    assert.match(r.failures?.[0]?.reason ?? "", /pulumi config set --secret sps:credentials/);
  });

  it("the provider host turns a thrown user error in check into a failure, and drops the stack of others", async function () {
    const impl: KindImplementation = {
      check: () => Promise.reject(new CredentialsError("sps:credentials.ipmi: is required")),
      diff: () => Promise.reject(new Error("appliance sps-a did not answer")),
      create: () => Promise.reject(new Error("x")),
      update: () => Promise.reject(new Error("x")),
      read: () => Promise.reject(new Error("x")),
      remove: () => Promise.reject(new Error("x")),
    };
    const host = hostProvider({ firmware: impl }, () => undefined, "firmware");
    assert.ok(host.check && host.diff);
    const checked = await host.check({}, { a: 1 });
    // Not a top-level input: no property (the engine would print `value {<nil>}`), the path in the reason.
    assert.deepEqual(checked.failures, [{ property: "", reason: "sps:credentials.ipmi: is required" }]);
    await assert.rejects(host.diff("id", {}, {}), (e: Error) => {
      assert.equal(e.message, "appliance sps-a did not answer");
      assert.equal(e.stack, e.message, "no stack trace");
      return true;
    });
  });

  it("check failures inside an input or on a config key name the path in the reason, not as a property", async function () {
    const impl: KindImplementation = {
      check: (_o, news) =>
        Promise.resolve({
          inputs: news,
          failures: [
            { property: "target", reason: "is not in the release catalog" },
            { property: "nodes[0].address", reason: "must be an https:// URL" },
            { property: "sps:credentials.appliance", reason: "refused the REST login" },
          ],
        }),
      diff: () => Promise.reject(new Error("x")),
      create: () => Promise.reject(new Error("x")),
      update: () => Promise.reject(new Error("x")),
      read: () => Promise.reject(new Error("x")),
      remove: () => Promise.reject(new Error("x")),
    };
    const host = hostProvider({ firmware: impl }, () => undefined, "firmware");
    assert.ok(host.check);
    const checked = await host.check({}, { target: "9.9", nodes: [{ name: "a" }] });
    assert.deepEqual(checked.failures, [
      { property: "target", reason: "is not in the release catalog" },
      { property: "", reason: "nodes[0].address: must be an https:// URL" },
      { property: "", reason: "sps:credentials.appliance: refused the REST login" },
    ]);
  });

  it("a target the catalog does not know names the catalog input; the input makes it known", function () {
    credentialsAre({ appliance: { username: "admin", password: "x-password" } });
    const base = { cluster: "c", target: "9.1", nodes: [{ ...NODE, version: "7.0.4" }] };
    const without = planFirmware(firmwareInputSchema.parse(base), {});
    const text = without.failures.map((p) => `${p.property}: ${p.reason}`).join("\n");
    assert.match(text, /^target: rule V7: target release 9\.1 .*is not in the release catalog/m);
    assert.match(text, /the catalog input of SpsCluster \/ SpsFleet \/ ClusterFirmware \(`catalog`/);
    assert.doesNotMatch(text, /--catalog/);
    const catalog = { schemaVersion: 1, releases: [{ version: "9.1", revisions: ["9.1.0"] }] };
    const withCatalog = planFirmware(firmwareInputSchema.parse({ ...base, catalog }), {});
    const after = withCatalog.failures.map((p) => `${p.property}: ${p.reason}`).join("\n");
    assert.doesNotMatch(after, /not in the release catalog/, after);
  });
});

describe("program-side errors stop the program cleanly (pulumi.RunError, no stack trace)", function () {
  before(async function () {
    process.env["PULUMI_SPS_RUNTIME"] = "/nonexistent/runtime.js";
    await pulumi.runtime.setMocks(
      {
        newResource: (a) => ({ id: `${a.name}-id`, state: a.inputs as Record<string, unknown> }),
        call: () => ({}),
      },
      "project",
      "stack",
      true,
    );
  });
  after(function () {
    delete process.env["PULUMI_SPS_RUNTIME"];
  });

  it('target "80" names the field and the forms a target takes', function () {
    assert.throws(
      () => new SpsCluster("c80", { target: "80", nodes: [NODE], firmware: {} }),
      (e: Error) =>
        e instanceof pulumi.RunError && /c80: target: "80" is not a version; use a release/.test(e.message),
    );
  });

  it("a TLS fingerprint that is not SHA-256 names nodes[i].tls.sha256Fingerprint and the form, once", function () {
    assert.throws(
      () =>
        new SpsCluster("fp", {
          target: "6.3",
          nodes: [{ ...NODE, address: "https://sps-fp.invalid", tls: { sha256Fingerprint: "AA:BB" } }],
          firmware: {},
        }),
      (e: Error) =>
        e instanceof pulumi.RunError &&
        /fp: nodes\[0\]\.tls\.sha256Fingerprint: must be the SHA-256 fingerprint of the appliance certificate \(64 hex digits, colons optional\)/.test(
          e.message,
        ) &&
        e.message.split("SHA-256 fingerprint").length === 2,
    );
  });

  it("a catalog file that cannot be read names the catalog field", function () {
    const missing = path.join(os.tmpdir(), "no-such-catalog-9f2.json");
    assert.throws(
      () =>
        new SpsCluster("cat", {
          target: "6.3",
          nodes: [{ ...NODE, address: "https://sps-b.invalid" }],
          firmware: {},
          catalog: missing,
        }),
      (e: Error) =>
        e instanceof pulumi.RunError && /cat: catalog: cannot read the catalog file .*ENOENT/.test(e.message),
    );
  });
});
