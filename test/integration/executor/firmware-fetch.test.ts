/**
 * Firmware by URL on a 7.x standalone node (S3): the executor makes the appliance fetch the
 * ISO itself (`POST /api/firmware/fetch`, [doc] 7.0 LTS) from a loopback HTTPS source that this test starts
 * and stops — the emulator really GETs it (basic auth from the URL's userinfo, a token in the query), so
 * the runner never reads the image bytes (the executor's inputs carry no path at all). Then the same
 * test-firmware (P12) and upgrade as after an upload.
 *
 * Proven here: one fetch per node per hop, also when the run is aborted inside the fetch wait and resumed
 * (the checkpoint holds the key, S3); a checksum mismatch or an unreachable source fails the step with
 * context and nothing is activated or rebooted; a node whose REST tree lists no fetch is refused with
 * "use path"; no URL secret in results, progress, checkpoint or errors.
 */
import assert from "node:assert/strict";
import { promises as fs } from "node:fs";
import type { IncomingMessage, ServerResponse } from "node:http";
import { createServer, type Server } from "node:https";
import type { AddressInfo } from "node:net";
import { join } from "node:path";
import { fleetSchema } from "../../../core/fleet";
import { planCluster } from "../../../core/fleet-plan";
import type { ClusterPlan } from "../../../core/plan";
import { ExecutionError, executeClusterPlan, memoryCheckpointStore } from "../../../provider/executor";
import type { ExecutionInputs, FirmwareImageInput, ProgressEvent } from "../../../provider/executor/types";
import { issueServerCertificate } from "../../../emulator/common/certificates";
import { sha256OfFile, writeFakeFirmwareIso } from "../../../emulator/sps/firmware-iso";
import { AS_OF, catalogTo7, CLEAN_SETTINGS } from "../../support/domain-fixtures";
import { EmulatedCluster } from "./emulated-cluster";

const USER = "robot";
const PASS = "Src-Pw-31337";
const TOKEN = "tok-5e5e5e5e5e";
const SECRETS = [PASS, TOKEN, `${USER}:`];

/** The loopback firmware source: one ISO, basic auth + token required, GETs counted; can hold a response. */
class FirmwareSource {
  gets = 0;
  refused = 0;
  /** Further files served (path → bytes), e.g. an ISO of another revision. */
  readonly others = new Map<string, Buffer>();
  readonly paths: string[] = [];
  private release: (() => void) | undefined;
  private held: Promise<void> | undefined;
  private waitingForRelease: (() => void) | undefined;
  readonly holding: Promise<void>;

  private constructor(
    private readonly server: Server,
    readonly iso: Buffer,
  ) {
    this.holding = new Promise((r) => (this.waitingForRelease = r));
  }

  static async start(cluster: EmulatedCluster, isoPath: string): Promise<FirmwareSource> {
    const cert = await issueServerCertificate(cluster.fleet.ca, "firmware-source");
    const iso = await fs.readFile(isoPath);
    const server = createServer({ cert: cert.certPem, key: cert.keyPem });
    const src = new FirmwareSource(server, iso);
    server.on("request", (req: IncomingMessage, res: ServerResponse) => {
      const auth = Buffer.from(`${USER}:${PASS}`).toString("base64");
      const url = new URL(req.url ?? "/", "https://x");
      if (req.headers.authorization !== `Basic ${auth}` || url.searchParams.get("token") !== TOKEN) {
        src.refused += 1;
        res.writeHead(403).end("forbidden");
        return;
      }
      const other = src.others.get(url.pathname);
      if (other) {
        src.gets += 1;
        src.paths.push(url.pathname);
        return void res.writeHead(200, { "content-length": other.length }).end(other);
      }
      if (url.pathname !== "/isos/sps-7.1.1.iso") {
        res.writeHead(404).end("not found");
        return;
      }
      src.gets += 1;
      src.paths.push(url.pathname);
      res.writeHead(200, { "content-type": "application/x-iso9660-image", "content-length": iso.length });
      if (!src.held) return void res.end(iso);
      // Header first (the node is "in-progress"), the rest once the test releases it.
      res.write(iso.subarray(0, 40 * 1024));
      src.waitingForRelease?.();
      void src.held.then(() => res.end(iso.subarray(40 * 1024)));
    });
    await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
    return src;
  }

  /** Responses stop after the first 40 KiB until `releaseNow`. */
  hold(): void {
    this.held = new Promise((r) => (this.release = r));
  }

  releaseNow(): void {
    this.release?.();
  }

  url(path = "/isos/sps-7.1.1.iso"): string {
    const { port } = this.server.address() as AddressInfo;
    return `https://${USER}:${PASS}@127.0.0.1:${port}${path}?token=${TOKEN}`;
  }

  host(): string {
    return `127.0.0.1:${(this.server.address() as AddressInfo).port}`;
  }

  async stop(): Promise<void> {
    this.releaseNow();
    this.server.closeAllConnections();
    await new Promise<void>((r) => this.server.close(() => r()));
  }
}

function fetchPlan(firmware: Record<string, FirmwareImageInput>, action = "fetch-firmware"): ClusterPlan {
  const f = fleetSchema.parse({
    clusters: [
      {
        name: "prod",
        target: "7.1",
        nodes: [{ name: "sps1", version: "7.0.3", settings: { ...CLEAN_SETTINGS, haStatus: "Standalone" } }],
        firmware,
      },
    ],
  });
  const plan = planCluster(f.clusters[0], catalogTo7(), { asOf: AS_OF });
  assert.ok(plan.steps.some((s) => s.action === action));
  return plan;
}

function assertNoSecret(label: string, value: unknown): void {
  const text = typeof value === "string" ? value : JSON.stringify(value);
  for (const s of SECRETS)
    assert.ok(!text.includes(s), `${label} shows a URL secret (${s}): ${text.slice(0, 400)}`);
}

describe("executor: firmware by URL on a 7.x standalone node (S3, P12)", function () {
  this.timeout(60_000);
  let cluster: EmulatedCluster | undefined;
  let source: FirmwareSource | undefined;
  let inputsFor: (image: FirmwareImageInput, o?: Partial<ExecutionInputs>) => ExecutionInputs;

  async function start(emulator?: Record<string, unknown>): Promise<void> {
    cluster = await EmulatedCluster.start({
      target: "7.1",
      catalog: catalogTo7(),
      nodes: [{ name: "sps1", version: "7.0.3", ...(emulator ? { emulator } : {}) }],
    });
    const iso = join(cluster.workDir, "served-sps-7.1.1.iso");
    await writeFakeFirmwareIso(iso, "7.1.1", 256 * 1024);
    source = await FirmwareSource.start(cluster, iso);
    const c = cluster;
    inputsFor = (image, o = {}) => {
      const firmware = { "7.1.1": image };
      return c.inputs({ plan: fetchPlan(firmware), firmware, ...o });
    };
  }

  async function goodImage(): Promise<FirmwareImageInput> {
    return { url: source!.url(), sha256: await sha256OfFile(join(cluster!.workDir, "served-sps-7.1.1.iso")) };
  }

  /** A progress sink that does `act` once the run waits on the fetch; `record` keeps every event too. */
  const atFetchWait =
    (act: () => void, record: boolean) =>
    (e: ProgressEvent): void => {
      if (record) cluster!.progress.push(e);
      if (e.action === "fetch-firmware" && e.phase === "waiting") act();
    };

  /** Runs the plan and aborts it once it waits on the fetch: the run must end as aborted. */
  async function abortAtFetchWait(image: FirmwareImageInput, record = false): Promise<void> {
    const abort = new AbortController();
    await assert.rejects(
      executeClusterPlan(
        inputsFor(image, { signal: abort.signal, progress: atFetchWait(() => abort.abort(), record) }),
      ),
      (e: unknown) => e instanceof ExecutionError && e.kind === "aborted",
    );
  }

  /** Runs the plan and lets the held source finish once the run waits on the fetch. */
  const runReleasingAtFetchWait = (image: FirmwareImageInput, record = false) =>
    executeClusterPlan(inputsFor(image, { progress: atFetchWait(() => source!.releaseNow(), record) }));

  const fetchStarts = () => cluster!.events().filter((e) => e.name === "fetch-firmware-start");

  afterEach(async () => {
    await source?.stop();
    await cluster?.stop();
    source = undefined;
    cluster = undefined;
  });

  it("the appliance fetches the ISO itself (one GET at the source, with the URL's credentials), then P12 test and upgrade; only the host is shown", async () => {
    await start();
    const inputs = inputsFor(await goodImage());
    // The runner has no file to read: the image is a URL only.
    assert.ok(Object.values(inputs.firmware).every((i) => !("path" in i)));
    const result = await executeClusterPlan(inputs);
    assert.equal(result.complete, true);
    assert.equal(cluster!.fleet.node("sps1").node.runningVersion, "7.1.1");
    assert.equal(source!.gets, 1);
    assert.equal(source!.refused, 0);
    assert.equal(fetchStarts().length, 1);
    const installs = cluster!.events().filter((e) => e.name === "upload-firmware");
    assert.deepEqual(
      installs.map((e) => e.detail?.via),
      ["fetch"],
    );
    const step = result.steps.find((s) => s.action === "fetch-firmware");
    assert.equal(step?.status, "done");
    assert.match(
      step.detail,
      new RegExp(
        `fetched by the appliance from ${source!.host()} into slot \\d+ \\(sha256 verified by the node, S3; started\\)`,
      ),
    );
    // P12 after the fetch, then exactly one reboot into 7.1.1.
    assert.equal(result.steps.find((s) => s.action === "test-firmware")?.status, "done");
    assert.equal(cluster!.reboots("sps1").length, 1);
    // No URL secret anywhere the tool writes.
    assertNoSecret("result", result);
    assertNoSecret("progress", cluster!.progress);
    assertNoSecret("checkpoint", cluster!.store.current);
    assertNoSecret(
      "emulator events",
      cluster!.events().filter((e) => e.kind === "action"),
    );
    assert.deepEqual(
      cluster!.store.current?.fetches?.map((f) => f.host),
      [source!.host()],
    );
    // A rerun fetches nothing (check, then act).
    const again = await executeClusterPlan(inputsFor(await goodImage()));
    assert.ok(again.steps.every((s) => s.status === "skipped"));
    assert.equal(fetchStarts().length, 1);
    assert.equal(source!.gets, 1);
  });

  it("aborted inside the fetch wait and resumed: the rerun follows the recorded download — exactly one fetch, one GET, one reboot", async () => {
    await start();
    source!.hold();
    const image = await goodImage();
    await abortAtFetchWait(image, true);
    await source!.holding;
    const mark = cluster!.store.current?.fetches?.[0];
    assert.ok(mark?.key, "the download's key is in the checkpoint");
    assert.equal(mark.host, source!.host());
    assert.deepEqual(cluster!.reboots(), [], "nothing rebooted");
    // Resume while the node still downloads; release the source once the rerun waits on the same key.
    const second = await runReleasingAtFetchWait(image, true);
    assert.equal(second.complete, true);
    assert.match(
      second.steps.find((s) => s.action === "fetch-firmware")!.detail,
      new RegExp(`resumed \\(download ${mark.key}, recorded`),
    );
    assert.equal(fetchStarts().length, 1);
    assert.equal(source!.gets, 1);
    assert.equal(cluster!.reboots("sps1").length, 1);
    assert.equal(cluster!.fleet.node("sps1").node.runningVersion, "7.1.1");
  });

  it("another run's download under way (no fetch mark in this run's checkpoint): the run stops naming it and starts no second fetch; the other run finishes", async () => {
    await start();
    source!.hold();
    const image = await goodImage();
    await abortAtFetchWait(image);
    const key = cluster!.store.current?.fetches?.[0]?.key;
    assert.ok(key);
    // A second run of the same appliance with its own (empty) checkpoint — another stack or runner.
    const since = cluster!.lastSeq();
    await assert.rejects(
      executeClusterPlan(inputsFor(image, { checkpoint: memoryCheckpointStore() })),
      (e: unknown) => {
        assert.ok(e instanceof ExecutionError);
        assert.equal(e.kind, "foreign-state");
        assert.match(
          e.message,
          new RegExp(
            `is in a state this run did not make: a download of firmware 7\\.1\\.1 \\(download ${key}, (queued|in-progress)\\) was not started by this run`,
          ),
        );
        assert.match(e.message, new RegExp(`DELETE /api/firmware/fetch/${key}`));
        assertNoSecret("foreign-state error", e.message);
        return true;
      },
    );
    assert.deepEqual(cluster!.writes(since), [], "the other run wrote nothing");
    assert.equal(fetchStarts().length, 1);
    const resumed = await runReleasingAtFetchWait(image);
    assert.equal(resumed.complete, true);
    assert.equal(fetchStarts().length, 1);
    assert.equal(cluster!.reboots("sps1").length, 1);
  });

  it("a fetch recorded as started whose answer was never seen (no key) is found in the node's list, not started again", async () => {
    await start();
    source!.hold();
    const image = await goodImage();
    await abortAtFetchWait(image);
    // As if the run had died between recording the fetch and reading the call's answer.
    const saved = cluster!.store.current!;
    delete saved.fetches![0].key;
    await cluster!.store.save(saved);
    const second = await runReleasingAtFetchWait(image);
    assert.equal(second.complete, true);
    assert.match(
      second.steps.find((s) => s.action === "fetch-firmware")!.detail,
      /found on the node, (queued|in-progress)/,
    );
    assert.equal(fetchStarts().length, 1);
    assert.equal(source!.gets, 1);
  });

  it("S3: a checksum mismatch fails the step with the node's text; nothing activated or rebooted, no secret in the error", async () => {
    await start();
    const image = { url: source!.url(), sha256: "0".repeat(64) };
    await assert.rejects(executeClusterPlan(inputsFor(image)), (e: unknown) => {
      assert.ok(e instanceof ExecutionError);
      assert.equal(e.kind, "step-failed");
      assert.equal(e.rule, "S3");
      assert.equal(e.step?.action, "fetch-firmware");
      assert.match(
        e.message,
        new RegExp(`download of firmware 7\\.1\\.1 from ${source!.host()} failed: checksum mismatch`),
      );
      assert.match(e.message, /nothing was activated or rebooted/);
      assertNoSecret("error", e.message);
      return true;
    });
    assert.equal(source!.gets, 1);
    assert.deepEqual(cluster!.reboots(), []);
    // No image installed, tested, activated or rebooted into.
    const acted = cluster!
      .events()
      .filter((e) => e.kind === "action" && e.name !== "login" && e.name !== "fetch-firmware-start");
    assert.deepEqual(
      acted.map((e) => e.name),
      [],
    );
    // Forgotten in the checkpoint: a fixed checksum starts one fresh download and converges.
    assert.deepEqual(cluster!.store.current?.fetches ?? [], []);
    const fixed = await executeClusterPlan(inputsFor(await goodImage()));
    assert.equal(fixed.complete, true);
    assert.equal(fetchStarts().length, 2);
  });

  it("S3: a download that finished with the wrong image is forgotten: after the url and sha256 are fixed, the rerun fetches the fixed source once and converges", async () => {
    await start();
    const wrongIso = join(cluster!.workDir, "served-sps-7.1.0.iso");
    await writeFakeFirmwareIso(wrongIso, "7.1.0", 128 * 1024);
    source!.others.set("/isos/wrong.iso", await fs.readFile(wrongIso));
    const wrong = { url: source!.url("/isos/wrong.iso"), sha256: await sha256OfFile(wrongIso) };
    await assert.rejects(executeClusterPlan(inputsFor(wrong)), (e: unknown) => {
      assert.ok(e instanceof ExecutionError);
      assert.equal(e.kind, "step-failed");
      assert.match(e.message, /finished, but no slot holds 7\.1\.1 .*the download is forgotten/);
      assertNoSecret("error", e.message);
      return true;
    });
    assert.deepEqual(cluster!.reboots(), []);
    assert.deepEqual(cluster!.store.current?.fetches ?? [], [], "the mark is cleared");
    const fixed = await executeClusterPlan(inputsFor(await goodImage()));
    assert.equal(fixed.complete, true);
    assert.match(fixed.steps.find((s) => s.action === "fetch-firmware")!.detail, /; started\)/);
    assert.deepEqual(source!.paths, ["/isos/wrong.iso", "/isos/sps-7.1.1.iso"]);
    assert.equal(fetchStarts().length, 2);
    assert.equal(cluster!.fleet.node("sps1").node.runningVersion, "7.1.1");
  });

  it("a recorded download of an earlier declaration (another sha256) is not followed: the fixed declaration starts its own download", async () => {
    await start();
    source!.hold();
    const old = { url: source!.url(), sha256: "2".repeat(64) };
    await abortAtFetchWait(old);
    const oldKey = cluster!.store.current?.fetches?.[0]?.key;
    assert.ok(oldKey);
    assert.equal(cluster!.store.current?.fetches?.[0]?.sha256, "2".repeat(64));
    source!.releaseNow();
    const fixed = await executeClusterPlan(inputsFor(await goodImage()));
    assert.equal(fixed.complete, true);
    assert.equal(fetchStarts().length, 2);
    assert.notEqual(cluster!.store.current?.fetches?.[0]?.key, oldKey);
    assert.equal(cluster!.fleet.node("sps1").node.runningVersion, "7.1.1");
  });

  it("S3: a download that does not finish within firmwareFetchMs fails the step (deadline), nothing rebooted; the rerun follows the same download", async () => {
    await start();
    source!.hold();
    const image = await goodImage();
    // 10 emulated minutes (a third of a second at the tests' time scale); the source never finishes.
    await assert.rejects(
      executeClusterPlan(
        inputsFor(image, { deadlines: { pollIntervalMs: 20_000, firmwareFetchMs: 10 * 60_000 } }),
      ),
      (e: unknown) => {
        assert.ok(e instanceof ExecutionError);
        assert.equal(e.kind, "deadline");
        assert.equal(e.rule, "S3");
        assert.equal(e.step?.action, "fetch-firmware");
        assert.match(
          e.message,
          new RegExp(`downloaded and verified by sps1 from ${source!.host()} did not happen within 10 min`),
        );
        assert.match(e.message, /the download is recorded \(key \d+\); a rerun follows it/);
        assertNoSecret("error", e.message);
        return true;
      },
    );
    assert.deepEqual(cluster!.reboots(), []);
    assert.ok(cluster!.store.current?.fetches?.[0]?.key, "kept for the rerun");
    const second = await runReleasingAtFetchWait(image);
    assert.equal(second.complete, true);
    assert.equal(fetchStarts().length, 1);
    assert.equal(source!.gets, 1);
  });

  it("an unreachable source (HTTP 404 there) fails the step with context, nothing rebooted", async () => {
    await start();
    const image = { url: source!.url("/isos/missing.iso"), sha256: "1".repeat(64) };
    await assert.rejects(executeClusterPlan(inputsFor(image)), (e: unknown) => {
      assert.ok(e instanceof ExecutionError);
      assert.equal(e.kind, "step-failed");
      assert.match(e.message, /from 127\.0\.0\.1:\d+ failed: HTTP 404 from the firmware URL/);
      assertNoSecret("error", e.message);
      return true;
    });
    assert.deepEqual(cluster!.reboots(), []);
  });

  it("secrets: a short password, a path token and a short query value never appear in the error, progress, result or checkpoint — even when the node's text echoes the path and query", async () => {
    await start();
    const port = source!.host().split(":")[1];
    const url = `https://u:q7@127.0.0.1:${port}/dl/SECRETPATHTOKEN/missing.iso?t=k9z`;
    const secrets = ["q7", "SECRETPATHTOKEN", "k9z", "u:q7"];
    const noSecret = (label: string, value: unknown): void => {
      const text = typeof value === "string" ? value : JSON.stringify(value);
      for (const s of secrets) assert.ok(!text.includes(s), `${label} shows ${s}: ${text.slice(0, 400)}`);
    };
    let failure: ExecutionError | undefined;
    await assert.rejects(executeClusterPlan(inputsFor({ url, sha256: "1".repeat(64) })), (e: unknown) => {
      assert.ok(e instanceof ExecutionError);
      failure = e;
      return true;
    });
    // The node's text is there, its path and query redacted.
    assert.match(
      failure!.message,
      /failed: HTTP 403 from the firmware URL \(GET \/dl\/\*\*\*\/\*\*\*\?\*\*\*\)/,
    );
    noSecret("error", failure!.message);
    assert.equal(failure!.cause, undefined, "no unredacted cause is carried");
    noSecret("partial result", failure!.partial);
    noSecret("progress", cluster!.progress);
    noSecret("checkpoint", cluster!.store.current);
    // The node saw the real URL (its status entry keeps it); the tool never showed it.
    const list = cluster!.fleet.node("sps1").node.firmwareFetches.list();
    assert.equal(list.length, 1);
    assert.equal(list[0].url, url);
  });

  it("a recorded plan that uploads, resumed after the image was switched to a url: the step fetches the declared url (no 'plan again'), one fetch, one reboot; and back: a planned fetch with a path uploads", async () => {
    await start();
    const iso = join(cluster!.workDir, "served-sps-7.1.1.iso");
    const sha256 = await sha256OfFile(iso);
    // The plan recorded when the image had a path (upload-firmware); the declaration now gives a url.
    const uploadPlan = fetchPlan({ "7.1.1": { path: iso, sha256 } }, "upload-firmware");
    assert.ok(!uploadPlan.steps.some((s) => s.action === "fetch-firmware"));
    const byUrl = { "7.1.1": { url: source!.url(), sha256 } };
    const result = await executeClusterPlan(cluster!.inputs({ plan: uploadPlan, firmware: byUrl }));
    assert.equal(result.complete, true);
    const step = result.steps.find((s) => s.action === "upload-firmware");
    assert.equal(step?.status, "done");
    assert.match(
      step.detail,
      /fetched by the appliance from 127\.0\.0\.1:\d+ .*planned as upload-firmware; firmware\["7\.1\.1"\] now gives a url/,
    );
    assert.equal(fetchStarts().length, 1);
    assert.equal(source!.gets, 1);
    assert.equal(cluster!.reboots("sps1").length, 1);
    assert.equal(cluster!.fleet.node("sps1").node.runningVersion, "7.1.1");
    assertNoSecret("result", result);
  });

  it("a recorded plan that fetches, resumed after the image was switched to a path: the step uploads the declared file", async () => {
    await start();
    const iso = join(cluster!.workDir, "served-sps-7.1.1.iso");
    const sha256 = await sha256OfFile(iso);
    const plan = fetchPlan({ "7.1.1": { url: source!.url(), sha256 } });
    const result = await executeClusterPlan(
      cluster!.inputs({ plan, firmware: { "7.1.1": { path: iso, sha256 } } }),
    );
    assert.equal(result.complete, true);
    const step = result.steps.find((s) => s.action === "fetch-firmware");
    assert.match(step!.detail, /planned as fetch-firmware; firmware\["7\.1\.1"\] now gives a path/);
    assert.equal(fetchStarts().length, 0);
    assert.equal(source!.gets, 0);
    assert.deepEqual(
      cluster!
        .events()
        .filter((e) => e.name === "upload-firmware")
        .map((e) => e.detail?.via),
      ["upload"],
    );
    assert.equal(cluster!.fleet.node("sps1").node.runningVersion, "7.1.1");
  });

  it("a node whose REST tree lists no /api/firmware/fetch is refused before any write, saying to use path", async () => {
    await start({ firmwareFetchApi: false });
    const mark = cluster!.lastSeq();
    await assert.rejects(executeClusterPlan(inputsFor(await goodImage())), (e: unknown) => {
      assert.ok(e instanceof ExecutionError);
      assert.equal(e.kind, "input-missing");
      assert.match(e.message, /lists no \/api\/firmware\/fetch .*give firmware\["7\.1\.1"\]\.path/);
      return true;
    });
    assert.equal(source!.gets, 0);
    assert.deepEqual(cluster!.writes(mark), []);
  });
});
