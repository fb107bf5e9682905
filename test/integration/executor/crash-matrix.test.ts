/**
 * The crash matrix (issue 10): the executor is stopped (aborted) at every step boundary and inside
 * every wait — every progress event of a reference run is one crash point — of
 *   (a) a standalone node 5.0 → 6.0 → 6.3,
 *   (b) an HA pair, same hops,
 *   (c) a 5-node central-management cluster with an HA search master, 2 hops,
 * in both readings of `POST /api/firmware/upgrade` (emulator `upgradeCall` "reboots": the executor's
 * default, HA pairs through the manual activation gate; "selects": declared `upgradeCall: "selects"`,
 * HA pairs through the REST call), then run again to the end. Each case must converge with exactly one
 * reboot and one upload per node per hop, no takeover (H2: the primary never rebooted while the
 * secondary ran), every unit powered on — as the emulator's event record shows (rules S9, S10, H2).
 *
 * CI runs a deterministic part (about CRASH_POINTS points per case, default 4, spread evenly with an
 * offset per case and reading); `npm run test:crash` (CRASH_MATRIX=all) runs every point.
 */
import assert from "node:assert/strict";
import { ExecutionError, type ExecutionInputs, type ProgressEvent } from "../../../provider/executor";
import { EmulatedCluster, type NodeDecl } from "./emulated-cluster";

type Reading = "reboots" | "selects";

interface Case {
  name: string;
  target: string;
  nodes: NodeDecl[];
}

const CASES: Case[] = [
  { name: "standalone 5.0 → 6.0 → 6.3", target: "6.3", nodes: [{ name: "sps1", version: "5.0.9" }] },
  { name: "HA pair 5.0 → 6.0 → 6.3", target: "6.3", nodes: [{ name: "pair", version: "5.0.9", ha: true }] },
  {
    name: "5-node CM cluster with an HA search master, 2 hops",
    target: "6.3",
    nodes: [
      { name: "cm", version: "6.0.5", roles: ["central-management"] },
      { name: "sm", version: "6.0.5", roles: ["search-master"], ha: true },
      { name: "mh1", version: "6.0.5", roles: ["managed-host", "search-minion"] },
      { name: "mh2", version: "6.0.5", roles: ["managed-host", "search-minion"] },
      { name: "mh3", version: "6.0.5", roles: ["managed-host"] },
    ],
  },
];

const ALL = process.env.CRASH_MATRIX === "all";
/** CI: about this many points per case, spread evenly (deterministic); CRASH_MATRIX=all: every point. */
const PER_CASE = Number(process.env.CRASH_POINTS ?? "4");

function label(e: ProgressEvent): string {
  return `#${e.seq} ${e.node} ${e.action}${e.version ? ` ${e.version}` : ""} ${e.phase}`;
}

async function startCase(c: Case, reading: Reading): Promise<EmulatedCluster> {
  return EmulatedCluster.start({
    target: c.target,
    nodes: c.nodes.map((n) => ({ ...n, emulator: { ...(n.emulator ?? {}), upgradeCall: reading } })),
  });
}

function inputsFor(cluster: EmulatedCluster, reading: Reading, extra: Partial<ExecutionInputs> = {}) {
  return cluster.inputs({ ...(reading === "selects" ? { upgradeCall: "selects" as const } : {}), ...extra });
}

/** The invariants, from the emulator's event record and model. */
function assertConverged(cluster: EmulatedCluster, c: Case, where: string): void {
  const targets = cluster.plan.hops.map((h) => h.to);
  const events = cluster.events();
  assert.deepEqual(
    events.filter((e) => e.name === "takeover").map((e) => e.node),
    [],
    `${where}: no takeover — the primary never rebooted while its secondary ran (H2)`,
  );
  for (const n of c.nodes) {
    const mine = events.filter((e) => e.node === n.name && e.kind === "action");
    const hops = targets.filter((t) =>
      mine.some((e) => e.name === "upload-firmware" && e.detail?.version === t),
    );
    const reboots = mine.filter((e) => e.name === "reboot").map((e) => String(e.detail?.afterReboot));
    const uploads = mine.filter((e) => e.name === "upload-firmware").map((e) => String(e.detail?.version));
    assert.deepEqual(
      reboots,
      hops,
      `${where}: ${n.name}: exactly one reboot per hop (${reboots.join(", ")})`,
    );
    assert.deepEqual(
      uploads,
      hops,
      `${where}: ${n.name}: exactly one upload per hop (${uploads.join(", ")})`,
    );
    const model = cluster.fleet.node(n.name).node;
    const ha = model.haState();
    assert.ok(
      ha.nodes.every((u) => u.power === "on" && u.firmware.current === targets.at(-1)),
      `${where}: ${n.name}: every unit on and on ${targets.at(-1)}: ${JSON.stringify(ha.nodes)}`,
    );
    if (n.ha) assert.equal(ha.status, "HA", `${where}: ${n.name}: the pair is HA again`);
  }
}

for (const reading of ["reboots", "selects"] as const) {
  describe(`crash matrix, upgrade call "${reading}"${ALL ? " (every point)" : ` (about ${PER_CASE} points per case)`} (rules S9, S10, H2)`, function () {
    this.timeout(ALL ? 3_600_000 : 600_000);
    let cluster: EmulatedCluster | undefined;
    afterEach(async () => {
      await cluster?.stop();
      cluster = undefined;
    });

    CASES.forEach((c, caseIndex) => {
      it(`${c.name}: every chosen crash point converges on the rerun`, async () => {
        // Reference run: its progress events are the crash points.
        cluster = await startCase(c, reading);
        const reference: ProgressEvent[] = [];
        await cluster.runToEnd(() => inputsFor(cluster!, reading, { progress: (e) => reference.push(e) }));
        assertConverged(cluster, c, "reference run");
        await cluster.stop();
        cluster = undefined;
        const stride = Math.max(1, Math.ceil(reference.length / PER_CASE));
        const offset = (caseIndex * 3 + (reading === "selects" ? 1 : 0)) % stride;
        const points = reference.map((e, i) => ({ i, e })).filter(({ i }) => ALL || i % stride === offset);
        let passed = 0;
        for (const { i, e } of points) {
          cluster = await startCase(c, reading);
          const controller = new AbortController();
          let seen = 0;
          const progress = (p: ProgressEvent): void => {
            if (seen++ === i && !controller.signal.aborted)
              controller.abort(new Error(`crash at ${label(p)}`));
          };
          const where = `crash point ${i} (${label(e)})`;
          try {
            await cluster.runToEnd(() =>
              inputsFor(cluster!, reading, { signal: controller.signal, progress }),
            );
          } catch (err) {
            assert.ok(err instanceof ExecutionError && err.kind === "aborted", `${where}: ${String(err)}`);
          }
          const result = await cluster
            .runToEnd(() => inputsFor(cluster!, reading))
            .catch((err: unknown) => {
              throw new Error(`${where}: the rerun failed: ${String(err)}`);
            });
          assert.equal(result.complete, true, where);
          assertConverged(cluster, c, where);
          passed++;
          await cluster.stop();
          cluster = undefined;
        }
        // Reported in the test title's output for the note: points tried / passed / all points.
        console.log(
          `      crash matrix ${reading} / ${c.name}: ${passed}/${points.length} passed (${reference.length} points in all)`,
        );
        assert.equal(passed, points.length);
      });
    });
  });
}
