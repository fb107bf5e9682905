/**
 * Plugin and license writes checked against another run (provider/executor/plugin-license-check.ts):
 * a run stopped after its preflight (what it found on the node is recorded), another run or a person
 * changes the plugin or the license, then the first run resumes. A value that is neither what it found
 * nor what it declares stops it before the upload, naming the appliance and the field; the declared
 * value, written by the other, is not written again.
 */
import assert from "node:assert/strict";
import {
  ExecutionError,
  executeClusterPlan,
  memoryCheckpointStore,
  type ExecutionInputs,
} from "../../../provider/executor";
import type { SystemControl } from "../../../provider/clients/system-control/operations";
import { buildLicenseFile } from "../../../emulator/sps/license";
import { buildPluginZip } from "../../../emulator/sps/plugin-archive";
import { EmulatedCluster } from "./emulated-cluster";
import { escapeRe, foreignStop, stopAt } from "./run-failure";

const DECLARED = "1.3.0-DEPRECATED";
const zipOf = (version: string): Buffer =>
  buildPluginZip({ name: "mfa-duo", version, description: `mfa-duo ${version}` });

describe("executor: plugin and license writes checked against another run (one appliance, two runs)", function () {
  this.timeout(120_000);
  let cluster: EmulatedCluster | undefined;
  afterEach(async () => {
    await cluster?.stop();
    cluster = undefined;
  });

  /** 5.0.9 → 6.0: the plugin build for 6.0 before the firmware, the 6 LTS license after the reboot. */
  const start = async (): Promise<EmulatedCluster> => {
    cluster = await EmulatedCluster.start({
      target: "6.0",
      nodes: [{ name: "sps1", version: "5.0.9", plugins: [{ name: "mfa-duo", version: "1.2.0" }] }],
      virtualTime: true,
    });
    return cluster;
  };
  const address = (c: EmulatedCluster): string => c.fleet.nodes[0].url;
  const run = (c: EmulatedCluster, overrides: Partial<ExecutionInputs> = {}): ExecutionInputs =>
    c.inputs({
      nodes: { sps1: { ...c.bindings()["sps1"], address: address(c) } },
      plugins: { "mfa-duo": { "6.0": { version: DECLARED, zip: zipOf(DECLARED) } } },
      ...overrides,
    });
  /** A run stopped (as by Ctrl-C) once its preflight is done: what it found is in its checkpoint. */
  const afterPreflight = async (c: EmulatedCluster): Promise<ReturnType<typeof memoryCheckpointStore>> => {
    const store = memoryCheckpointStore();
    await stopAt(
      (o) => run(c, { checkpoint: store, ...o }),
      (e) => e.action === "preflight" && e.phase === "done",
    );
    assert.deepEqual(c.writes(), [], "the first run wrote nothing before it stopped");
    return store;
  };
  /** The resumed run finishes; the detail of its step `action`, which it skipped. */
  const skippedDetail = async (
    c: EmulatedCluster,
    store: ReturnType<typeof memoryCheckpointStore>,
    action: string,
  ): Promise<string> => {
    const ok = await executeClusterPlan(run(c, { checkpoint: store }));
    assert.equal(ok.complete, true);
    const step = ok.steps.find((s) => s.action === action);
    assert.equal(step?.status, "skipped");
    return step?.detail ?? "";
  };
  const count = (c: EmulatedCluster, kind: "http" | "action", name: string): number =>
    c.events().filter((e) => e.kind === kind && e.name === name).length;
  /** The resumed run, with the operator's confirmation added to the declared ones. */
  const withConfirmation = (
    c: EmulatedCluster,
    store: ReturnType<typeof memoryCheckpointStore>,
    confirm: string,
  ): ExecutionInputs => run(c, { checkpoint: store, confirmed: [...(run(c).confirmed ?? []), confirm] });
  const accepted = (err: ExecutionError): string => {
    const m = /add "(accept-[^"]+)" to confirmed/.exec(err.message);
    assert.ok(m, err.message);
    return m[1];
  };

  it("a plugin version another run installed meanwhile (neither found nor declared): stops before the plugin upload naming the appliance and plugins[...]; accepted, the run goes on", async () => {
    const c = await start();
    const first = await afterPreflight(c);
    await c.clients["sps1"].uploadPlugin(zipOf("1.2.5"), "another run");
    const since = c.lastSeq();
    const err = await foreignStop(executeClusterPlan(run(c, { checkpoint: first })), "upload-plugin");
    assert.match(
      err.message,
      new RegExp(
        `the appliance ${escapeRe(address(c))} is in a state this run did not make: plugin mfa-duo \\(plugins\\["mfa-duo"\\]\\) is 1\\.2\\.5 on it, but this run found 1\\.2\\.0 there, declares ${escapeRe(DECLARED)} and did not install 1\\.2\\.5\\. .*this run stops before the plugin upload`,
      ),
    );
    assert.deepEqual(c.writes(since), [], "nothing written");
    const confirm = accepted(err);
    assert.equal(confirm, "accept-plugin sps1 mfa-duo 1.2.5");
    const ok = await executeClusterPlan(withConfirmation(c, first, confirm));
    assert.equal(ok.complete, true);
    assert.deepEqual(ok.nodes["sps1"]?.plugins, [{ name: "mfa-duo", version: DECLARED }]);
  });

  it("the declared plugin build, installed by another run meanwhile: not uploaded again, the step says so, the run finishes", async () => {
    const c = await start();
    const first = await afterPreflight(c);
    await c.clients["sps1"].uploadPlugin(zipOf(DECLARED), "another run");
    assert.match(
      await skippedDetail(c, first, "upload-plugin"),
      /not by this run \(another run or a person made the same write\): not written again/,
    );
    assert.equal(count(c, "http", "POST /api/upload/plugins"), 1, "one plugin upload: the other run's");
  });

  it("a license another run installed meanwhile (neither found nor the declared major): stops before the license upload naming the appliance and licenses[...]; accepted, the run goes on", async () => {
    const c = await start();
    const first = await afterPreflight(c);
    c.fleet.node("sps1").node.uploadLicense(buildLicenseFile(7), "web-interface");
    const err = await foreignStop(executeClusterPlan(run(c, { checkpoint: first })), "upload-license");
    assert.match(
      err.message,
      new RegExp(
        `the appliance ${escapeRe(address(c))} is in a state this run did not make: its license \\(licenses\\["6"\\]\\) is not the one this run found there, not the declared 6 LTS license, and this run did not install it\\. .*this run stops before the license upload`,
      ),
    );
    assert.equal(count(c, "action", "upload-license"), 1, "only the other run's license");
    const confirm = accepted(err);
    assert.match(confirm, /^accept-license sps1 [0-9a-f]{12}$/);
    const ok = await executeClusterPlan(withConfirmation(c, first, confirm));
    assert.equal(ok.complete, true);
    assert.equal(ok.nodes["sps1"]?.license?.major, 6);
    assert.equal(count(c, "action", "upload-license"), 2);
  });

  it("the declared license, installed by another run meanwhile: not uploaded again, the step says so, the run finishes", async () => {
    const c = await start();
    const first = await afterPreflight(c);
    c.fleet
      .node("sps1")
      .node.uploadLicense(buildLicenseFile(6, undefined, "Other Run Corp"), "web-interface");
    assert.match(
      await skippedDetail(c, first, "upload-license"),
      /license already valid for 6 LTS — installed since this run first read the node, not by this run/,
    );
    assert.equal(count(c, "action", "upload-license"), 1, "one license upload: the other run's");
  });

  /**
   * The window the appliance check leaves between its read and its write (docs/design-notes.md, "Two
   * runs, one appliance, many machines"): another run's write that lands exactly there — after this run
   * read the node, before its own write — measured per kind of write from the emulator's event record.
   * The guarantee: at most one duplicate of an idempotent write (the same plugin build, the same license
   * file), never a second firmware test, upgrade call or reboot of a hop (the firmware upload's race:
   * ./foreign-state.test.ts, "two uploads at the same moment").
   */
  describe("the read-to-write window, measured", function () {
    const actions = (c: EmulatedCluster, name: string) =>
      c.events().filter((e) => e.kind === "action" && e.name === name);
    /** Per hop: one firmware test, one upgrade call, one reboot — whatever raced. */
    const oncePerHop = (c: EmulatedCluster): void => {
      const hops = c.plan.hops.length;
      assert.equal(count(c, "http", "POST /api/firmware/test"), hops, "one firmware test per hop");
      assert.equal(count(c, "http", "POST /api/firmware/upgrade"), hops, "one upgrade call per hop");
      assert.equal(c.reboots("sps1").length, hops, "one reboot per hop");
    };

    it("plugin: the other run's upload of the same build lands between this run's read and its upload — two uploads of one build, nothing else repeated", async () => {
      const c = await start();
      const client = c.clients["sps1"];
      const racing = Object.create(client) as typeof client;
      racing.uploadPlugin = async (zip, message) => {
        await client.uploadPlugin(zipOf(DECLARED), "the other run");
        return client.uploadPlugin(zip, message);
      };
      const result = await executeClusterPlan(
        run(c, { nodes: { sps1: { client: racing } }, checkpoint: memoryCheckpointStore() }),
      );
      assert.equal(result.complete, true);
      const installs = actions(c, "install-plugin").map((e) => String(e.detail?.["version"]));
      assert.deepEqual(installs, [DECLARED, DECLARED], "the window: one duplicate of the same build");
      oncePerHop(c);
    });

    it("license: the other run's upload of the same file lands between this run's read and its upload — two uploads of one file, nothing else repeated", async () => {
      const c = await start();
      const sc = c.systemControl;
      const racing: SystemControl = Object.create(sc) as SystemControl;
      racing.uploadLicense = async (node, file) => {
        await sc.uploadLicense(node, file);
        return sc.uploadLicense(node, file);
      };
      const result = await executeClusterPlan(
        run(c, { systemControl: racing, checkpoint: memoryCheckpointStore() }),
      );
      assert.equal(result.complete, true);
      const uploads = actions(c, "upload-license").map((e) => e.detail?.["major"]);
      assert.deepEqual(uploads, [6, 6], "the window: one duplicate of the same license");
      oncePerHop(c);
    });
  });
});
