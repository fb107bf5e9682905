// `read` is what `pulumi refresh` and the drift job run: it judges drift, so it must never answer from
// the live reads that `check` and `diff` share (provider/resources/live-reads.ts). Each case leaves in
// the shared reads an answer that shows no drift — what a check or diff of the same provider process
// would have read before an out-of-band change — and points the resource at a server that drops every
// connection. The read must go to that server (and report the node or host unreachable); returning the
// shared answer would be a drift job that misses the change.
import { strict as assert } from "node:assert";
import type { ReadResult } from "@pulumi/pulumi/dynamic";
import { indexerHostKey } from "../../../provider/resources/indexer-hosts";
import * as indexer from "../../../provider/resources/indexer-provider";
import * as license from "../../../provider/resources/license-provider";
import { forgetNodes, restNodeKey, sharedRead } from "../../../provider/resources/live-reads";
import * as plugin from "../../../provider/resources/plugin-provider";
import { startDroppingServer, type DroppingServer } from "../../support/dropping-server";
import { useStackCredentials } from "../../support/stack-credentials";

describe("refresh reads never answer from the shared live reads", function () {
  let server: DroppingServer;
  let port = 0;
  const keys: string[] = [];

  useStackCredentials({
    appliance: { username: "admin", password: "fresh-read-test-password" },
    indexer: { username: "idx", password: "fresh-read-test-ssh-password" },
    licenses: { "sps-6": "license text" },
  });
  before(async function () {
    server = await startDroppingServer();
    port = server.port;
  });
  after(async function () {
    forgetNodes(keys);
    await server.close();
  });

  function node(name: string) {
    return { name, address: `https://127.0.0.1:${port}`, tls: { sha256Fingerprint: "AA".repeat(32) } };
  }

  /** Leaves `answer` in the shared reads of `key`, as an earlier check or diff would have. */
  async function shared(key: string, what: string, answer: unknown): Promise<void> {
    keys.push(key);
    assert.deepEqual(await sharedRead(key, what, () => Promise.resolve(answer)), answer);
  }

  /** `read` went to the server (not to the shared answer) and reports `subject` unreachable. */
  async function readAgain(read: () => Promise<ReadResult>, subject: string): Promise<void> {
    const before = server.connections();
    const result = await read();
    assert.ok(server.connections() > before, `the refresh did not contact ${subject}`);
    const drift = (result.props as { drift: string[] }).drift;
    assert.equal(drift.length, 1, JSON.stringify(drift));
    assert.match(drift[0] ?? "", new RegExp(`^unreachable ${subject}: `));
  }

  it("IndexerPackage: a host upgraded since the shared read is read again, not reported as declared", async function () {
    const props = {
      cluster: "fresh",
      name: "idx-fresh",
      os: "rhel7",
      host: "127.0.0.1",
      port,
      hostKeySha256: `SHA256:${"A".repeat(43)}`,
      rootPrefix: "/srv/idx-fresh",
      spsVersion: "6.3.0",
      packages: { "6.3.0": { path: "/nonexistent/external-indexer-6.3.0.rpm" } },
      plannedActions: [],
      version: "6.3.0",
      service: "running",
      drift: [],
    };
    await shared(indexerHostKey(props), "indexer", { version: "6.3.0", service: "running" });
    await readAgain(() => indexer.read("sps-indexer:fresh/idx-fresh", props), "idx-fresh");
  });

  it("Plugin: a plugin changed since the shared read is read again, not reported as declared", async function () {
    const n = node("sps-fresh-plugin");
    const props = {
      cluster: "fresh",
      node: n,
      name: "mfa-demo",
      version: "2.1.0",
      path: "/nonexistent/mfa-demo-2.1.0.zip",
      installedVersion: "2.1.0",
      drift: [],
    };
    await shared(restNodeKey(n), "plugins", [{ name: "mfa-demo", version: "2.1.0" }]);
    await readAgain(() => plugin.read("sps-plugin:fresh/mfa-demo", props), "sps-fresh-plugin");
  });

  it("License: a license replaced since the shared read is read again, not reported as installed", async function () {
    const n = node("sps-fresh-license");
    // Valid for more than warnDays from now: the shared answer itself shows no drift.
    const validNotAfter = new Date(Date.now() + 400 * 86_400_000).toISOString().slice(0, 10);
    const facts = { serial: "S1", major: 6, validNotAfter };
    const props = {
      cluster: "fresh",
      nodes: [n],
      license: "sps-6",
      major: 6,
      warnDays: 30,
      applied: { [n.name]: facts },
      installed: { [n.name]: facts },
      drift: [],
    };
    await shared(restNodeKey(n), "license", facts);
    await readAgain(() => license.read("sps-license:fresh", props), "sps-fresh-license");
  });
});
