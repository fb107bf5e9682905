/**
 * Indexer host steps after every appliance step (I1), through `IndexerHost` on real test hosts (real
 * sshd, sudo, rpm, dnf as yum): converge, second run skipped, a failed upgrade leaves the service
 * running (I5) and stops the run with the host's state.
 */
import assert from "node:assert/strict";
import { Catalog } from "../../../core/catalog";
import { executeClusterPlan } from "../../../provider/executor";
import { IndexerHost } from "../../../provider/clients/hosts/indexer-host";
import { SshHostSession } from "../../../provider/clients/hosts/ssh-host-session";
import { IndexerTestFixtures, IndexerTestHost, SUDO_NOPASSWD_USER } from "../../support/indexer-test-host";
import { attachIndexerWorkers, labIndexerWorkers } from "../../../emulator/sps/indexer-workers";
import { EmulatedCluster } from "./emulated-cluster";
import { runFailure } from "./run-failure";

function catalog(): Catalog {
  return Catalog.parse({
    schemaVersion: 1,
    releases: [
      { version: "6.0", published: "2019-11-18", revisions: ["6.0.1"] },
      { version: "6.3", published: "2020-09-01", revisions: ["6.3.0", "6.3.1"] },
    ],
  });
}

describe("executor: indexer hosts after the appliances (rules I1, I4, I5) on real test hosts", function () {
  this.timeout(90_000);
  let fixtures: IndexerTestFixtures;
  let cluster: EmulatedCluster | undefined;
  let host: IndexerTestHost | undefined;
  const sessions: SshHostSession[] = [];

  before(function () {
    this.timeout(120_000);
    fixtures = IndexerTestFixtures.create();
  });
  after(() => fixtures?.dispose());
  afterEach(async () => {
    await Promise.all(sessions.splice(0).map((s) => s.close()));
    await host?.stop();
    await cluster?.stop();
    host = undefined;
    cluster = undefined;
  });

  function indexerFactory(h: IndexerTestHost): () => Promise<IndexerHost> {
    return async () => {
      const session = await SshHostSession.connect(h.sshOptions(SUDO_NOPASSWD_USER), h.name);
      sessions.push(session);
      return new IndexerHost({ session, rootPrefix: h.root });
    };
  }

  /** A rhel7 indexer host with 6.0.1 installed and a one-node cluster (sps1 on 6.0.1) that plans to `target`. */
  async function startLab(
    name: string,
    target: string,
  ): Promise<{ host: IndexerTestHost; cluster: EmulatedCluster }> {
    host = await IndexerTestHost.start(fixtures, { name, os: "rhel7", installedRpm: fixtures.rpms.v6_0_1 });
    cluster = await EmulatedCluster.start({
      target,
      catalog: catalog(),
      nodes: [{ name: "sps1", version: "6.0.1" }],
      indexers: [{ name, os: "rhel7", version: "6.0.1" }],
    });
    return { host, cluster };
  }

  it("a multi-hop plan upgrades the indexer after each hop, before the next one starts: SPS is never newer than its indexer (I1)", async () => {
    host = await IndexerTestHost.start(fixtures, {
      name: "idx1",
      os: "rhel7",
      installedRpm: fixtures.rpms.of("6.0.0"),
    });
    cluster = await EmulatedCluster.start({
      target: "6.3.0",
      catalog: Catalog.parse({
        schemaVersion: 1,
        releases: [
          { version: "6.0", published: "2019-11-18", revisions: ["6.0.0", "6.0.1"] },
          { version: "6.3", published: "2020-09-01", revisions: ["6.3.0"] },
        ],
      }),
      nodes: [{ name: "sps1", version: "6.0.0" }],
      indexers: [{ name: "idx1", os: "rhel7", version: "6.0.0" }],
    });
    assert.deepEqual(
      cluster.plan.hops.map((h) => h.to),
      ["6.0.1", "6.3.0"],
    );
    attachIndexerWorkers(cluster.fleet.node("sps1").node, labIndexerWorkers(host, "127.0.0.1"));
    const result = await executeClusterPlan(
      cluster.inputs({
        indexers: { idx1: indexerFactory(host) },
        indexerPackages: {
          "6.0.1": { path: fixtures.rpms.v6_0_1 },
          "6.3.0": { path: fixtures.rpms.v6_3_0 },
        },
      }),
    );
    assert.equal(result.complete, true);
    assert.equal(host.installedVersion(), "6.3.0");
    const upgraded = result.steps.filter((s) => s.node === "idx1" && s.action === "upgrade-indexer-package");
    assert.deepEqual(
      upgraded.map((s) => `${s.version}:${s.status}`),
      ["6.0.1:done", "6.3.0:done"],
    );
    const firstOfHop2 = Math.min(...result.steps.filter((s) => s.hop === 2).map((s) => s.seq));
    const lastOfHop1 = Math.max(...result.steps.filter((s) => s.hop === 1).map((s) => s.seq));
    const toHop1 = result.steps.filter((s) => s.node === "idx1" && s.version === "6.0.1");
    assert.equal(toHop1.length, 6);
    assert.ok(toHop1.every((s) => s.seq > lastOfHop1 && s.seq < firstOfHop2 && s.status === "done"));
    assert.deepEqual(
      host.serviceCalls().filter((c) => c === "start" || c === "stop"),
      ["stop", "start", "stop", "start"],
    );
  });

  it("per-host packages (the Pulumi path's indexers[].packages): a host's own RPM is used, and a hop revision it lacks is refused before any write (I3)", async () => {
    ({ host, cluster } = await startLab("idx1", "6.3.0"));
    attachIndexerWorkers(cluster.fleet.node("sps1").node, labIndexerWorkers(host, "127.0.0.1"));
    const missing = await runFailure(
      executeClusterPlan(
        cluster.inputs({
          indexers: { idx1: indexerFactory(host) },
          // The cluster-wide map has the RPM, but a host declared per host takes only its own.
          indexerPackages: { "6.3.0": { path: fixtures.rpms.v6_3_0 } },
          indexerHostPackages: { idx1: {} },
        }),
      ),
    );
    assert.equal(missing.kind, "input-missing");
    assert.match(
      missing.message,
      /indexerHostPackages\["idx1"\]\["6\.3\.0"\]: no indexer RPM for SPS 6\.3\.0/,
    );
    assert.equal(host.installedVersion(), "6.0.1");
    assert.deepEqual(
      cluster
        .events()
        .filter((e) => e.kind === "action")
        .map((e) => e.name),
      [],
      "nothing was written to the appliance",
    );
    const result = await executeClusterPlan(
      cluster.inputs({
        indexers: { idx1: indexerFactory(host) },
        indexerPackages: { "6.3.0": { path: fixtures.rpms.v6_3_0_corrupt } },
        indexerHostPackages: { idx1: { "6.3.0": { path: fixtures.rpms.v6_3_0 } } },
      }),
    );
    assert.equal(result.complete, true);
    assert.equal(host.installedVersion(), "6.3.0");
  });

  it("upgrades the indexer to ≥ the SPS version after every appliance step, and a second run skips it (I1, I4)", async () => {
    ({ host, cluster } = await startLab("idx1", "6.3.0"));
    // I4: SPS sees the lab host's worker while its service runs.
    const seen = labIndexerWorkers(host, "127.0.0.1");
    let healthReads = 0;
    attachIndexerWorkers(cluster.fleet.node("sps1").node, () => {
      healthReads++;
      return seen();
    });
    const inputs = cluster.inputs({
      indexers: { idx1: indexerFactory(host) },
      indexerPackages: { "6.3.0": { path: fixtures.rpms.v6_3_0 } },
    });
    const result = await executeClusterPlan(inputs);
    assert.equal(result.complete, true);
    assert.ok(healthReads > 0, "the worker status was read from SPS (I4)");
    assert.match(
      result.steps.find((s) => s.node === "idx1" && s.action === "verify-indexer")?.detail ?? "",
      /SPS sps1 sees the worker again \(I4\)/,
    );
    assert.equal(host.installedVersion(), "6.3.0");
    assert.deepEqual(result.indexers.idx1, {
      name: "idx1",
      reachable: true,
      version: "6.3.0",
      service: "running",
    });
    // I1: every indexer step after every appliance step.
    const lastAppliance = Math.max(
      ...result.steps.filter((s) => s.node === "sps1").map((s) => Date.parse(s.finishedAt)),
    );
    const idxSteps = result.steps.filter((s) => s.node === "idx1");
    assert.deepEqual(
      idxSteps.map((s) => `${s.action}:${s.status}`),
      [
        "backup-indexer-config:done",
        "copy-indexer-package:done",
        "stop-indexer:done",
        "upgrade-indexer-package:done",
        "start-indexer:done",
        "verify-indexer:done",
      ],
    );
    assert.ok(idxSteps.every((s) => Date.parse(s.startedAt) >= lastAppliance));
    const serviceActions = (): string[] => host!.serviceCalls().filter((c) => c === "start" || c === "stop");
    const calls = serviceActions().length;
    assert.deepEqual(serviceActions(), ["stop", "start"]);
    const again = await executeClusterPlan(
      cluster.inputs({
        indexers: { idx1: indexerFactory(host) },
        indexerPackages: { "6.3.0": { path: fixtures.rpms.v6_3_0 } },
      }),
    );
    assert.ok(again.steps.every((s) => s.status === "skipped"));
    assert.equal(serviceActions().length, calls, "no start/stop on the second run");
  });

  it("a failed indexer start stops the run at that step with the host's error verbatim and says the service is not running (I5)", async () => {
    ({ host, cluster } = await startLab("idx2", "6.3.1"));
    const err = await runFailure(
      executeClusterPlan(
        cluster.inputs({
          indexers: { idx2: indexerFactory(host) },
          indexerPackages: { "6.3.1": { path: fixtures.rpms.v6_3_1_broken } },
        }),
      ),
    );
    assert.equal(err.kind, "step-failed");
    assert.equal(err.rule, "I5");
    assert.equal(err.step?.action, "start-indexer");
    assert.match(err.message, /broken build/);
    assert.match(err.message, /NOT running, start it by hand \(I5\)/);
    assert.equal(err.partial?.indexers.idx2?.service, "failed");
    assert.deepEqual(
      err.partial?.steps.filter((s) => s.node === "idx2").map((s) => `${s.action}:${s.status}`),
      [
        "backup-indexer-config:done",
        "copy-indexer-package:done",
        "stop-indexer:done",
        "upgrade-indexer-package:done",
        "start-indexer:failed",
      ],
    );
    assert.equal(
      cluster.fleet.node("sps1").node.runningVersion,
      "6.3.1",
      "the appliance steps were done first (I1)",
    );
  });

  it("I4: an indexer whose worker SPS does not see again within the deadline fails naming the host, left running", async () => {
    ({ host, cluster } = await startLab("idx3", "6.3.0"));
    // SPS never lists the worker (e.g. the indexer cannot reach it): no source attached.
    const base = cluster.inputs();
    const err = await runFailure(
      executeClusterPlan(
        cluster.inputs({
          indexers: { idx3: indexerFactory(host) },
          indexerPackages: { "6.3.0": { path: fixtures.rpms.v6_3_0 } },
          deadlines: { ...base.deadlines, indexerWorkerMs: 5 * 60_000 },
        }),
      ),
    );
    assert.equal(err.rule, "I4");
    assert.equal(err.step?.action, "verify-indexer");
    assert.match(
      err.message,
      /SPS seeing indexer idx3 \(127\.0\.0\.1\) again in Indexer > Worker status did not happen within 5 min/,
    );
    assert.match(err.message, /left running/);
    assert.equal(host.installedVersion(), "6.3.0");
    assert.match(host.serviceRecord(), /^running/, "the indexer is left running");
  });
});
