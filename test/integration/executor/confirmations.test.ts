/**
 * Prerequisites declared as not done (rules P5, P15): a virtual appliance without a VM snapshot or
 * console redirection stops at its preflight — nothing written — until the operator confirms each; a
 * confirmation passes its gate once, and a declared one before the run reaches it.
 */
import assert from "node:assert/strict";
import { ExecutionError, executeClusterPlan } from "../../../provider/executor";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { catalogTo7 } from "../../support/domain-fixtures";
import { EmulatedCluster } from "./emulated-cluster";

describe("executor: confirmed prerequisites of a virtual appliance (rules P5, P15)", function () {
  this.timeout(60_000);
  let cluster: EmulatedCluster | undefined;
  afterEach(async () => {
    await cluster?.stop();
    cluster = undefined;
  });

  it("snapshot and console redirection declared false: the run stops at preflight with nothing written until both are confirmed", async () => {
    cluster = await EmulatedCluster.start({
      target: "6.3",
      nodes: [
        {
          name: "vm1",
          version: "6.0.7",
          declared: { virtual: true, settings: { vmSnapshot: false, consoleRedirection: false } },
        },
      ],
    });
    const cl = cluster;
    assert.deepEqual(
      cl.plan.findings.filter((f) => f.confirm !== undefined).map((f) => `${f.rule} ${f.confirm}`),
      ["P5 vm-snapshot vm1", "P15 console-redirection vm1"],
    );
    await assert.rejects(executeClusterPlan(cl.inputs()), (e: unknown) => {
      assert.ok(e instanceof ExecutionError);
      assert.equal(e.kind, "manual-step-required");
      assert.equal(e.step?.action, "preflight");
      assert.equal(e.rule, "P5");
      assert.match(e.message, /add "vm-snapshot vm1" to confirmed and run again/);
      assert.match(e.message, /add "console-redirection vm1" to confirmed and run again/);
      return true;
    });
    // One confirmed, the other still stops the run.
    await assert.rejects(
      executeClusterPlan(cl.inputs({ confirmed: [...cl.declaredConfirmations(), "vm-snapshot vm1"] })),
      (e: unknown) => {
        assert.ok(e instanceof ExecutionError && e.rule === "P15");
        assert.doesNotMatch(e.message, /vm-snapshot/);
        return true;
      },
    );
    assert.deepEqual(cl.writes(), [], "nothing written before the prerequisites are confirmed");
    const result = await executeClusterPlan(
      cl.inputs({ confirmed: [...cl.declaredConfirmations(), "vm-snapshot vm1", "console-redirection vm1"] }),
    );
    assert.equal(result.complete, true);
  });

  it("S8: a node without the support-bundle API stops before the upgrade call (which may be its reboot) until the operator confirms the web-interface bundle", async () => {
    cluster = await EmulatedCluster.start({
      target: "6.3",
      nodes: [{ name: "sps1", version: "6.0.7" }],
      operator: "at-gate",
    });
    const cl = cluster;
    const token = `support-bundle sps1 ${cl.plan.hops[0].to}`;
    await assert.rejects(
      executeClusterPlan(cl.inputs({ confirmed: cl.declaredConfirmations().filter((c) => c !== token) })),
      (e: unknown) => {
        assert.ok(e instanceof ExecutionError);
        assert.equal(e.kind, "manual-step-required");
        assert.equal(e.step?.action, "activate-firmware");
        assert.equal(e.rule, "S8");
        assert.match(e.message, /Basic Settings > Troubleshooting > Create support bundle/);
        assert.match(e.message, new RegExp(`add "${token}" to confirmed and run again`));
        return true;
      },
    );
    const acted = cl
      .events()
      .filter((e) => e.kind === "action" && ["activate-firmware", "reboot"].includes(e.name));
    assert.deepEqual(acted, [], "no upgrade call and no reboot before the bundle");
    const result = await executeClusterPlan(cl.inputs({ confirmed: cl.declaredConfirmations() }));
    assert.equal(result.complete, true);
    assert.match(
      result.steps.find((s) => s.action === "support-bundle")?.detail ?? "",
      new RegExp(`the operator confirmed "${token}" \\(rule S8\\)`),
    );
  });

  it("P1: the configuration backup and export is a gate once per cluster and hop, before the hop's first change; never skipped", async () => {
    cluster = await EmulatedCluster.start({
      target: "6.3",
      nodes: [{ name: "sps1", version: "5.0.9" }],
      operator: "at-gate",
    });
    const cl = cluster;
    assert.deepEqual(
      cl.plan.hops.map((h) => h.to),
      ["6.0.7", "6.3.2"],
    );
    await assert.rejects(executeClusterPlan(cl.inputs()), (e: unknown) => {
      assert.ok(e instanceof ExecutionError);
      assert.equal(e.kind, "manual-step-required");
      assert.equal(e.step?.action, "backup-config");
      assert.equal(e.rule, "P1");
      assert.match(e.message, /Export configuration/);
      assert.match(e.message, /add "backup prod 6\.0\.7" to confirmed and run again/);
      return true;
    });
    assert.deepEqual(cl.writes(), [], "nothing written before the backup is confirmed");
    const result = await cl.runToEnd();
    assert.equal(result.complete, true);
    assert.deepEqual(
      cl.gates.filter((g) => g.startsWith("confirm backup")),
      ["confirm backup prod 6.0.7", "confirm backup prod 6.3.2"],
      "asked once per hop",
    );
    // Hop 2's gate came before any of hop 2's steps did something.
    const gateAt = cl.progress.findIndex(
      (p) => p.phase === "failed" && p.message.includes('"backup prod 6.3.2"'),
    );
    assert.ok(gateAt > 0);
    assert.deepEqual(
      cl.progress.slice(0, gateAt).filter((p) => p.hop === 2 && p.phase === "done"),
      [],
    );
  });

  it("P1: a backup hook makes the backup before each hop; no gate", async () => {
    cluster = await EmulatedCluster.start({ target: "6.3", nodes: [{ name: "sps1", version: "5.0.9" }] });
    const cl = cluster;
    const made: string[] = [];
    const result = await executeClusterPlan(
      cl.inputs({
        confirmed: cl.declaredConfirmations().filter((c) => !c.startsWith("backup")),
        hooks: { backupConfig: (node) => Promise.resolve(void made.push(node)) },
      }),
    );
    assert.equal(result.complete, true);
    assert.deepEqual(made, ["sps1", "sps1"], "one backup before each of the two hops");
  });

  it("S8: a declared bundle confirmation does not stop the tool making the bundle where the node offers the API (HA pair, 7.0 → 7.1)", async () => {
    cluster = await EmulatedCluster.start({
      target: "7.1",
      catalog: catalogTo7(),
      nodes: [{ name: "pair", version: "7.0.3", ha: true }],
    });
    const cl = cluster;
    assert.ok(cl.declaredConfirmations().includes("support-bundle pair 7.1.1"));
    const evidenceDir = mkdtempSync(join(tmpdir(), "sps-evidence-"));
    try {
      const result = await cl.runToEnd(() => cl.inputs({ evidenceDir }));
      assert.equal(result.complete, true);
      assert.deepEqual(
        (result.checkpoint.evidence ?? []).map((e) => `${e.node} hop ${e.hop} ${e.when}`),
        // The firmware's Upgrade Notes (G53, at the upgrade test), then the bundle before the reboot.
        ["pair hop 1 upgrade-notes", "pair hop 1 before-reboot"],
      );
    } finally {
      rmSync(evidenceDir, { recursive: true, force: true });
    }
  });
});
