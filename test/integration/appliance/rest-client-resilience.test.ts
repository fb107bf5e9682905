import assert from "node:assert/strict";
import { ApplianceApiError } from "../../../provider/clients/sps/api-error";
import { FirmwareChecksumMismatch } from "../../../provider/clients/sps/firmware-image";
import { FleetHarness, fleetWithIsoPerSuite, waitFor } from "./emulated-fleet";

describe("SPS REST client resilience: sessions, retries, faults", function () {
  const harness = new FleetHarness();
  const t = fleetWithIsoPerSuite(harness, "sps-resilience-", 4 * 1024 * 1024);

  function calls(path: string): number {
    return t.fleet.events.list({ node: "sps1", kind: "http" }).filter((e) => e.name.endsWith(` ${path}`))
      .length;
  }

  it("logs in again when the appliance ends the session (401) and repeats the call", async function () {
    const client = harness.client(t.fleet, "sps1");
    await client.getInfo();
    t.fleet.node("sps1").server.sessions.expireAll();
    assert.equal((await client.getDiskFillupPrevention()).enabled, true);
    assert.equal(client.loginCount, 2);
  });

  it("reads /api/info again after logging in when a stale session makes it answer anonymously", async function () {
    const client = harness.client(t.fleet, "sps1");
    await client.getInfo();
    t.fleet.node("sps1").server.sessions.expireAll();
    assert.equal(await client.getFirmwareVersion(), "6.0.5");
    assert.equal(client.loginCount, 2);
  });

  it("logs in again by itself after 20 minutes of inactivity, before the appliance would refuse", async function () {
    let now = 1_000_000;
    const client = harness.client(t.fleet, "sps1", {}, { now: () => now });
    await client.getInfo();
    now += 19 * 60 * 1000 + 1;
    await client.getInfo();
    assert.equal(client.loginCount, 2);
  });

  it("sessions expire after 20 emulated minutes of inactivity on the appliance, and the client recovers", async function () {
    const client = harness.client(t.fleet, "sps1");
    await client.getInfo();
    t.fleet.clock.advance(21 * 60 * 1000);
    assert.equal((await client.listFirmwareSlots()).slots.length, 5);
    assert.equal(client.loginCount, 2);
    const unauthenticated = t.fleet.events
      .list({ node: "sps1", kind: "http" })
      .filter((e) => e.status === 401);
    assert.ok(unauthenticated.length >= 1, "the appliance refused the stale cookie");
  });

  it("retries an idempotent call through a 5xx burst", async function () {
    const client = harness.client(t.fleet, "sps1");
    await client.login();
    const before = calls("/api/firmware/slots");
    t.fleet.node("sps1").node.faults = {
      serverErrorBurst: { count: 2, status: 503, pathPrefix: "/api/firmware/slots" },
    };
    const slots = await client.listFirmwareSlots();
    assert.equal(slots.slots.length, 5);
    assert.equal(calls("/api/firmware/slots") - before, 3);
  });

  it("does not retry a non-idempotent call on a 5xx", async function () {
    const client = harness.client(t.fleet, "sps1");
    const up = await client.uploadFirmware({ path: t.iso, sha256: t.isoSha });
    const before = calls("/api/firmware/upgrade");
    t.fleet.node("sps1").node.faults = {
      serverErrorBurst: { count: 1, pathPrefix: "/api/firmware/upgrade" },
    };
    await assert.rejects(
      client.activateFirmware(up.slotId, "x"),
      (e: unknown) => e instanceof ApplianceApiError && e.status === 500,
    );
    assert.equal(calls("/api/firmware/upgrade") - before, 1);
    await client.deleteFirmwareSlot(up.slotId);
  });

  it("refuses an ISO whose SHA-256 is not the declared one before uploading a byte (S3)", async function () {
    const client = harness.client(t.fleet, "sps1");
    const before = calls("/api/upload/firmware");
    await assert.rejects(
      client.uploadFirmware({ path: t.iso, sha256: "0".repeat(64) }),
      (e: unknown) => e instanceof FirmwareChecksumMismatch && e.actual === t.isoSha,
    );
    assert.equal(calls("/api/upload/firmware"), before);
  });

  it("reports a connection reset during upload as a network error and does not retry the upload", async function () {
    const client = harness.client(t.fleet, "sps1");
    await client.login();
    const before = calls("/api/upload/firmware");
    t.fleet.node("sps1").node.faults = { resetUploadAfterBytes: 1024 * 1024 };
    const e = await client.uploadFirmware({ path: t.iso, sha256: t.isoSha }).then(
      () => assert.fail("expected a reset"),
      (err: unknown) => err as ApplianceApiError,
    );
    assert.ok(e instanceof ApplianceApiError);
    assert.equal(e.failure, "network");
    assert.equal(t.fleet.events.list({ node: "sps1", name: "upload-connection-reset" }).length, 1);
    // The server records the aborted call when its socket closes: wait for it, then check nothing followed.
    await waitFor(
      () => calls("/api/upload/firmware") - before >= 1,
      2000,
      "the aborted upload in the record",
    );
    await new Promise((r) => setTimeout(r, 100));
    assert.equal(calls("/api/upload/firmware") - before, 1, "the upload is not retried");
    assert.equal((await client.listFirmwareSlots()).emptySlots, 4, "no slot was filled");
  });

  it("retries an idempotent call after a connection reset", async function () {
    const client = harness.client(t.fleet, "sps1");
    await client.login();
    // A reset on the first attempt only: the upload fault drops the next connection that sends a body.
    let resets = 0;
    const server = t.fleet.node("sps1").server as unknown as { server: import("node:https").Server };
    const drop = (socket: import("node:net").Socket): void => {
      if (resets++ === 0) socket.destroy();
    };
    server.server.prependOnceListener("secureConnection", drop);
    (client as unknown as { agent: { destroy(): void } }).agent.destroy();
    assert.equal(await client.getFirmwareVersion(), "6.0.5");
    assert.equal(resets, 1);
  });

  it("gives up on a slow appliance after the request timeout", async function () {
    t.fleet.node("sps1").node.faults = { slowResponseMs: 400 };
    const client = harness.client(t.fleet, "sps1", { timeoutMs: 100, retry: { attempts: 1 } });
    await assert.rejects(
      client.getSetupStatus(),
      (e: unknown) => e instanceof ApplianceApiError && e.causeCode === "ETIMEDOUT",
    );
  });

  it("keeps an upgrade test's failure text verbatim whether it comes as a summary or as FirmwareTestFailed (P12)", async function () {
    const client = harness.client(t.fleet, "sps1");
    const up = await client.uploadFirmware({ path: t.iso, sha256: t.isoSha });
    const text =
      "Upgrade is not allowed;\n  Free space: 4% free, 10% needed.\n\tTainted files: /etc/passwd (core)";
    for (const as of ["summary", "error"] as const) {
      t.fleet.node("sps1").node.faults = { testFailureText: text, testFailureAs: as };
      const result = await client.testFirmware(up.slotId);
      assert.equal(result.passed, false);
      assert.equal(result.summary, text);
    }
    // [doc] any other 2xx passes, with or without the "Upgrade is allowed;" prefix some [ps] versions wanted.
    const plain = "HA check started\nHA check finished";
    t.fleet.node("sps1").node.faults = { testFailureText: plain, testFailureAs: "summary" };
    const noPrefix = await client.testFirmware(up.slotId);
    assert.equal(noPrefix.passed, true, "a 2xx without the prefix passes");
    assert.equal(noPrefix.summary, plain);
    t.fleet.node("sps1").node.faults = {
      testFailureText: "Checks done.\nThe upgrade is NOT allowed: disk",
      testFailureAs: "summary",
    };
    assert.equal((await client.testFirmware(up.slotId)).passed, false, "a 2xx that says not allowed fails");
    await client.deleteFirmwareSlot(up.slotId);
  });
});
