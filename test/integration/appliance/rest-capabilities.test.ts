import assert from "node:assert/strict";
import { createHash } from "node:crypto";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { gunzipSync } from "node:zlib";
import { readCapabilities } from "../../../provider/clients/sps/rest-capabilities";
import { ApplianceApiError } from "../../../provider/clients/sps/api-error";
import { MINUTE } from "../../../emulator/common/clock";
import { sha256OfFile, writeFakeFirmwareIso } from "../../../emulator/sps/firmware-iso";
import { SUPPORT_BUNDLE_LIFETIME_MS } from "../../../emulator/sps/support-bundles";
import { FleetHarness, rawLogin, rawRequest, singleNodeFleet, waitFor } from "./emulated-fleet";

async function failureStatus(p: Promise<unknown>): Promise<number | undefined> {
  try {
    await p;
    return undefined;
  } catch (e) {
    if (e instanceof ApplianceApiError) return e.status;
    throw e;
  }
}

async function status404(p: Promise<unknown>): Promise<boolean> {
  return (await failureStatus(p)) === 404;
}

describe("REST capabilities, support bundles and firmware by URL against the emulator", function () {
  const harness = new FleetHarness();
  let dir: string;
  let isoServer: Server;
  let isoUrl: string;
  let isoSha: string;

  before(async function () {
    dir = mkdtempSync(join(tmpdir(), "sps-caps-"));
    const iso = join(dir, "sps-7.1.1.iso");
    await writeFakeFirmwareIso(iso, "7.1.1", 3 * 1024 * 1024);
    isoSha = await sha256OfFile(iso);
    const bytes = readFileSync(iso);
    isoServer = createServer((req, res) => {
      if (req.url !== "/sps-7.1.1.iso") {
        res.writeHead(404).end();
        return;
      }
      res.writeHead(200, { "Content-Length": bytes.length }).end(bytes);
    });
    await new Promise<void>((r) => isoServer.listen(0, "127.0.0.1", () => r()));
    isoUrl = `http://127.0.0.1:${(isoServer.address() as AddressInfo).port}/sps-7.1.1.iso`;
  });

  after(async function () {
    await harness.stopAll();
    await new Promise<void>((r) => isoServer.close(() => r()));
    rmSync(dir, { recursive: true, force: true });
  });

  it("reads from the REST tree that a 6.3 node has neither the support-bundle API nor firmware fetch", async function () {
    const fleet = await harness.start(singleNodeFleet("6.3.0"));
    const client = harness.client(fleet, "sps1");
    assert.deepEqual(await readCapabilities(client), {
      supportBundle: false,
      firmwareFetch: false,
      firmwareUpload: true,
      firmwareTest: true,
      firmwareUpgrade: true,
    });
    assert.ok(await status404(client.startSupportBundle()), "no /api/troubleshooting on 6.x");
  });

  it("reads both from the tree of a 7.1 node, and follows the tree, not the version, when a node says otherwise", async function () {
    const fleet = await harness.start({
      clusters: [
        {
          name: "c",
          nodes: [
            { name: "new", version: "7.1.1" },
            { name: "odd", version: "6.0.5", emulator: { supportBundleApi: true } },
          ],
        },
      ],
    });
    const fresh = await readCapabilities(harness.client(fleet, "new"));
    assert.equal(fresh.supportBundle, true);
    assert.equal(fresh.firmwareFetch, true);
    const odd = await readCapabilities(harness.client(fleet, "odd"));
    assert.equal(odd.supportBundle, true);
    assert.equal(odd.firmwareFetch, false);
  });

  it("runs a support-bundle job: running, finished, download, delete — and a bundle is gone after 24 emulated hours", async function () {
    const fleet = await harness.start(singleNodeFleet("7.1.1"));
    const client = harness.client(fleet, "sps1");
    const key = await client.startSupportBundle();
    assert.equal(await client.supportBundleStatus(key), "running");
    assert.equal(
      await failureStatus(client.downloadSupportBundle(key)),
      409,
      "not downloadable while running",
    );
    fleet.clock.advance(3 * MINUTE);
    assert.equal(await client.supportBundleStatus(key), "finished");
    const file = await client.downloadSupportBundle(key);
    assert.match(gunzipSync(file).toString("utf8"), /node sps1 .*SPS 7\.1\.1/);
    await client.deleteSupportBundle(key);
    assert.ok(await status404(client.supportBundleStatus(key)), "deleted");

    const kept = await client.startSupportBundle();
    fleet.clock.advance(SUPPORT_BUNDLE_LIFETIME_MS - MINUTE);
    assert.equal(await client.supportBundleStatus(kept), "finished");
    fleet.clock.advance(2 * MINUTE);
    assert.ok(await status404(client.supportBundleStatus(kept)), "SPS deletes bundles after 24 h [doc]");
    const names = fleet.events.list({ node: "sps1", kind: "action" }).map((e) => e.name);
    assert.deepEqual(
      names.filter((n) => n.startsWith("support-bundle")),
      ["support-bundle-start", "support-bundle-delete", "support-bundle-start"],
    );
  });

  it("fetches firmware by URL on 7.x: the node downloads, checks the SHA-256 and fills a slot; a wrong checksum fails", async function () {
    const fleet = await harness.start(singleNodeFleet("7.0.3"));
    const client = harness.client(fleet, "sps1");
    const bad = await client.startFirmwareFetch(isoUrl, "0".repeat(64));
    const good = await client.startFirmwareFetch(isoUrl, isoSha);
    let final = await client.firmwareFetchStatus(good);
    await waitFor(
      async () => {
        final = await client.firmwareFetchStatus(good);
        return final.status === "finished" || final.status === "failed";
      },
      10_000,
      "fetch finished",
    );
    assert.equal(final.status, "finished");
    const slots = await client.listFirmwareSlots();
    assert.equal(slots.slots.find((s) => s.id === final.slotId)?.version, "7.1.1");
    let failed = await client.firmwareFetchStatus(bad);
    await waitFor(
      async () => {
        failed = await client.firmwareFetchStatus(bad);
        return failed.status !== "queued" && failed.status !== "in-progress";
      },
      10_000,
      "bad fetch settled",
    );
    assert.equal(failed.status, "failed");
    assert.match(failed.error ?? "", /checksum mismatch/);
    const uploads = fleet.events.list({ node: "sps1", name: "upload-firmware" });
    assert.equal(uploads.length, 1);
    assert.equal(uploads[0].detail?.via, "fetch");
    assert.equal(uploads[0].detail?.sha256, isoSha);
  });

  it("accepts the documented multipart/form-data upload (field firmware) beside the raw body", async function () {
    const fleet = await harness.start(singleNodeFleet("6.0.5"));
    const iso = join(dir, "sps-6.0.7.iso");
    await writeFakeFirmwareIso(iso, "6.0.7", 1024 * 1024 + 17);
    const bytes = readFileSync(iso);
    const boundary = "----pulumi-sps-test-boundary";
    const body = Buffer.concat([
      Buffer.from(
        `--${boundary}\r\nContent-Disposition: form-data; name="firmware"; filename="sps.iso"\r\nContent-Type: application/octet-stream\r\n\r\n`,
      ),
      bytes,
      Buffer.from(`\r\n--${boundary}--\r\n`),
    ]);
    const cookie = await rawLogin(fleet, "sps1");
    const answer = await rawRequest(fleet, "sps1", {
      method: "POST",
      path: "/api/upload/firmware",
      headers: {
        Cookie: cookie,
        "Content-Type": `multipart/form-data; boundary=${boundary}`,
        "Content-Length": String(body.length),
      },
      body,
    });
    assert.equal(answer.status, 200, JSON.stringify(answer.body));
    const b = answer.body as { key: string; body: { version: string; sha256: string } };
    assert.equal(b.body.version, "6.0.7");
    assert.equal(b.body.sha256, createHash("sha256").update(bytes).digest("hex"), "exactly the file's bytes");
    const wrongField = Buffer.from(
      `--${boundary}\r\nContent-Disposition: form-data; name="file"\r\n\r\nxx\r\n--${boundary}--\r\n`,
    );
    const refused = await rawRequest(fleet, "sps1", {
      method: "POST",
      path: "/api/upload/firmware",
      headers: {
        Cookie: cookie,
        "Content-Type": `multipart/form-data; boundary=${boundary}`,
        "Content-Length": String(wrongField.length),
      },
      body: wrongField,
    });
    assert.equal(refused.status, 400);
    assert.match(JSON.stringify(refused.body), /firmware/);
  });
});
