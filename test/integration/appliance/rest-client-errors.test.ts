import assert from "node:assert/strict";
import { ApplianceApiError } from "../../../provider/clients/sps/api-error";
import { buildPluginZip, buildZip } from "../../../emulator/sps/plugin-archive";
import { createServer } from "node:https";
import type { AddressInfo } from "node:net";
import { issueServerCertificate } from "../../../emulator/common/certificates";
import {
  ADMIN,
  AUDITOR,
  FleetHarness,
  fleetWithIsoPerSuite,
  PASSWORD,
  rawLogin,
  rawRequest,
  singleNodeFleet,
} from "./emulated-fleet";

async function apiError(promise: Promise<unknown>): Promise<ApplianceApiError> {
  try {
    await promise;
  } catch (e) {
    assert.ok(e instanceof ApplianceApiError, `expected ApplianceApiError, got ${String(e)}`);
    return e;
  }
  assert.fail("expected the call to fail");
}

function assertNoSecrets(e: ApplianceApiError, cookie?: string): void {
  const text = `${e.message} ${JSON.stringify(e.toJSON())}`;
  assert.ok(!text.includes(PASSWORD), "the password never appears in errors");
  assert.ok(!text.includes(Buffer.from(`admin:${PASSWORD}`).toString("base64")), "nor the basic auth token");
  if (cookie) assert.ok(!text.includes(cookie), "nor the session cookie");
}

describe("SPS REST client against the emulator: SPS error types", function () {
  const harness = new FleetHarness();
  const t = fleetWithIsoPerSuite(harness, "sps-errors-");

  it("a wrong password is Unauthenticated (401), with the password redacted", async function () {
    const client = harness.client(t.fleet, "sps1", {
      credentials: { username: "admin", password: `${PASSWORD}x` },
    });
    const e = await apiError(client.getInfo());
    assert.equal(e.status, 401);
    assert.equal(e.errorType, "Unauthenticated");
    assert.equal(e.method, "GET");
    assert.equal(e.path, "/api/authentication");
    assert.equal(e.failure, "http");
    assert.ok(!e.message.includes(`${PASSWORD}x`));
  });

  it("a read-only user's write is Unauthorized (403)", async function () {
    const client = harness.client(t.fleet, "sps1", {
      credentials: { username: AUDITOR.username, password: AUDITOR.password },
    });
    assert.equal(await client.getFirmwareVersion(), "6.0.5");
    const e = await apiError(client.activateFirmware(1, null));
    assert.equal(e.status, 403);
    assert.equal(e.errorType, "Unauthorized");
  });

  it("an unknown slot is NotFound (404)", async function () {
    const e = await apiError(harness.client(t.fleet, "sps1").getFirmwareSlot(9));
    assert.equal(e.status, 404);
    assert.equal(e.errorType, "NotFound");
    assert.equal(e.path, "/api/firmware/slots/9");
  });

  it("testing an empty slot is ResourceNotFound", async function () {
    const e = await apiError(harness.client(t.fleet, "sps1").testFirmware(4));
    assert.equal(e.errorType, "ResourceNotFound");
    assert.equal(e.path, "/api/firmware/test");
  });

  it("activating without the commit message that require_commit_log demands is IncompleteRequestBodyError", async function () {
    const strict = await harness.start(singleNodeFleet("6.0.5", { emulator: { requireCommitLog: true } }));
    const client = harness.client(strict, "sps1");
    const up = await client.uploadFirmware({ path: t.iso, sha256: t.isoSha });
    const e = await apiError(client.activateFirmware(up.slotId, null));
    assert.equal(e.errorType, "IncompleteRequestBodyError");
    assert.ok((await client.activateFirmware(up.slotId, "maintenance window 42")).summary);
  });

  it("activating a slot whose upgrade test fails is FirmwareTestFailed with the summary verbatim (P12)", async function () {
    const node = t.fleet.node("sps1").node;
    const client = harness.client(t.fleet, "sps1");
    const up = await client.uploadFirmware({ path: t.iso, sha256: t.isoSha });
    const text =
      "Upgrade is not allowed;\nConfiguration check: 3 policies use X.509 host keys.\n  (see /var/log/upgrade.log)";
    node.faults = { testFailureText: text };
    const e = await apiError(client.activateFirmware(up.slotId, "go"));
    assert.equal(e.errorType, "FirmwareTestFailed");
    assert.equal((e.details as { test_summary: string }).test_summary, text);
    await client.deleteFirmwareSlot(up.slotId);
  });

  it("a zip without a MANIFEST is InvalidPlugin (400), and the transaction is cancelled", async function () {
    const client = harness.client(t.fleet, "sps1");
    const e = await apiError(
      client.uploadPlugin(buildZip([{ name: "readme.txt", data: Buffer.from("hi") }])),
    );
    assert.equal(e.status, 400);
    assert.equal(e.errorType, "InvalidPlugin");
    assert.equal((await client.getTransaction()).status, "closed");
  });

  it("a plugin build that does not support the running or staged firmware is refused with 400 (P6)", async function () {
    const client = harness.client(t.fleet, "sps1");
    const e = await apiError(
      client.uploadPlugin(buildPluginZip({ name: "Legacy MFA", version: "1.0.0", type: "aa" })),
    );
    assert.equal(e.status, 400);
    assert.equal(e.errorType, "PluginNotSupported");
  });

  it("Starling 2FA 2.2.0 on a node not joined to Starling fails with TransactionProcessingError (422) (P7)", async function () {
    const client = harness.client(t.fleet, "sps1");
    const zip = buildPluginZip({
      name: "Starling Two-Factor Authentication",
      version: "2.2.0-DEPRECATED",
      type: "aa",
    });
    const e = await apiError(client.uploadPlugin(zip));
    assert.equal(e.status, 422);
    assert.equal(e.errorType, "TransactionProcessingError");
    t.fleet.node("sps1").node.starlingJoined = true;
    try {
      assert.equal((await client.uploadPlugin(zip)).version, "2.2.0-DEPRECATED");
    } finally {
      t.fleet.node("sps1").node.starlingJoined = false;
    }
  });

  it("POST /api/transaction without Content-Length is 411", async function () {
    const cookie = await rawLogin(t.fleet, "sps1");
    const res = await rawRequest(t.fleet, "sps1", {
      method: "POST",
      path: "/api/transaction",
      headers: { Cookie: cookie },
      chunked: true,
    });
    assert.equal(res.status, 411);
    assert.equal((res.body as { error: { type: string } }).error.type, "LengthRequired");
  });

  it("a sixth firmware image finds no empty slot (NoEmptyFirmwareSlot)", async function () {
    const local = await harness.start(singleNodeFleet("6.0.5"));
    const client = harness.client(local, "sps1");
    for (let i = 0; i < 4; i++) await client.uploadFirmware({ path: t.iso, sha256: t.isoSha });
    const e = await apiError(client.uploadFirmware({ path: t.iso, sha256: t.isoSha }));
    assert.equal(e.errorType, "NoEmptyFirmwareSlot");
  });

  it("deleting the current slot is refused (SlotInUse)", async function () {
    const e = await apiError(harness.client(t.fleet, "sps1").deleteFirmwareSlot(1));
    assert.equal(e.errorType, "SlotInUse");
    assert.equal(e.method, "DELETE");
  });

  it("a 5xx burst longer than the retry budget surfaces as InternalServerError with its status", async function () {
    t.fleet.node("sps1").node.faults = {
      serverErrorBurst: { count: 10, status: 502, pathPrefix: "/api/health_status" },
    };
    const client = harness.client(t.fleet, "sps1", { retry: { attempts: 3 } });
    const e = await apiError(client.getHealth());
    assert.equal(e.status, 502);
    assert.equal(e.errorType, "InternalServerError");
  });

  it("an answer that does not have the documented shape is a protocol error naming the field", async function () {
    const cert = await issueServerCertificate(t.fleet.ca, "odd-appliance");
    const server = createServer({ key: cert.keyPem, cert: cert.certPem }, (req, res) => {
      res.setHeader("Content-Type", "application/json");
      if (req.url === "/api/authentication")
        res.setHeader("Set-Cookie", "session_id=0123456789abcdef; Path=/api");
      res.end(
        req.url === "/api/authentication"
          ? '{"meta":{"href":"/api/authentication"}}'
          : '{"body":"not an object"}',
      );
    });
    await new Promise<void>((r) => server.listen(0, "127.0.0.1", () => r()));
    try {
      const port = (server.address() as AddressInfo).port;
      const client = harness.client(t.fleet, "sps1", { endpoint: `https://127.0.0.1:${port}` });
      const e = await apiError(client.getInfo());
      assert.equal(e.failure, "protocol");
      assert.equal(e.path, "/api/info");
      assert.match(e.message, /at body/);
    } finally {
      server.closeAllConnections();
      await new Promise<void>((r) => server.close(() => r()));
    }
  });

  it("never puts the password or the session cookie into an error", async function () {
    const client = harness.client(t.fleet, "sps1");
    await client.login();
    const cookie = (client as unknown as { session: { cookie: string } }).session.cookie;
    assert.match(cookie, /^[0-9a-f]{40}$/);
    t.fleet.node("sps1").node.faults = { serverErrorBurst: { count: 10 } };
    const e = await apiError(client.getInfo());
    assertNoSecrets(e, cookie);
    const denied = await apiError(
      harness
        .client(t.fleet, "sps1", { credentials: { username: ADMIN.username, password: "wrong-but-secret" } })
        .getInfo(),
    );
    assert.ok(!JSON.stringify(denied.toJSON()).includes("wrong-but-secret"));
  });
});
