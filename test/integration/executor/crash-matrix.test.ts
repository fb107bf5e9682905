/**
 * The crash matrix (docs/design-notes.md#the-crash-matrix): the executor is stopped (aborted) at every step boundary and inside
 * every wait — every progress event of a reference run is one crash point — of
 *   (a) a standalone node 5.0 → 6.0 → 6.3,
 *   (b) an HA pair, same hops,
 *   (c) a 5-node central-management cluster with an HA search master, 2 hops,
 * in both readings of `POST /api/firmware/upgrade` (emulator `upgradeCall` "reboots": the executor's
 * default, HA pairs through the manual activation gate, passed as an operator would; "selects": declared
 * `upgradeCall: "selects"`, HA pairs through the REST call), then run again to the end. Every point must
 * show what ./crash-invariants.ts checks from the emulator's event record (rules S9, S10, S13, H2).
 *
 * Each point starts from a fresh emulated fleet (certificates reused) in virtual time (./virtual-time.ts:
 * the emulator's clock jumps while the executor only waits).
 *
 *   CI (default):        about CRASH_POINTS points per case (default 4, spread evenly with an offset per
 *                        case and reading) plus the points at each HA manual gate and right after it;
 *   CRASH_MATRIX=all:    every point (`npm run test:crash`);
 *   CRASH_SHARD=k/n:     with CRASH_MATRIX=all, only the points i with i mod n = k-1 of every case (run
 *                        the n shards in parallel processes: `npm run test:crash:sharded`).
 *
 * A new case (e.g. firmware by URL) is one entry in CASES: its nodes, target and executor inputs.
 */
import assert from "node:assert/strict";
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { CertificateStore } from "../../../emulator/common/certificates";
import { ExecutionError, type ExecutionInputs, type ProgressEvent } from "../../../provider/executor";
import { assertConverged, h2Violations } from "./crash-invariants";
import { catalogTo7 } from "../../support/domain-fixtures";
import { EmulatedCluster, type ClusterOptions, type NodeDecl } from "./emulated-cluster";

type Reading = "reboots" | "selects";

interface CrashCase {
  name: string;
  target: string;
  nodes: NodeDecl[];
  /** Extra executor inputs of this case (e.g. firmware by URL). */
  inputs?: (cluster: EmulatedCluster) => Partial<ExecutionInputs>;
  /** Extra options of the emulated cluster (e.g. `firmwareByUrl`, a catalog). */
  options?: Partial<ClusterOptions>;
  /** Extra invariants of this case, checked with the common ones. */
  check?: (cluster: EmulatedCluster, where: string) => void;
}

const CASES: CrashCase[] = [
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
  {
    // Firmware by URL (S3): the node fetches its ISO from a loopback HTTPS source — one fetch and one GET
    // at the source per hop, also when the run stops inside the fetch wait.
    name: "standalone 7.0 → 7.1, firmware fetched by URL",
    target: "7.1",
    nodes: [{ name: "sps7", version: "7.0.3" }],
    options: { firmwareByUrl: true, catalog: catalogTo7() },
    // The download is the emulator's own I/O: virtual time holds the clock while a fetch is queued or in
    // progress (EmulatedCluster, holdWhile); the deadline of 30 emulated days is a second guard.
    inputs: () => ({ deadlines: { pollIntervalMs: POLL_INTERVAL_MS, firmwareFetchMs: 30 * 24 * 3_600_000 } }),
    check: (cl, where) => {
      const fetches = cl.events().filter((e) => e.name === "fetch-firmware-start");
      assert.equal(fetches.length, cl.plan.hops.length, `${where}: exactly one fetch per hop (S3)`);
      assert.equal(cl.isoSource?.gets.length, cl.plan.hops.length, `${where}: one GET at the source per hop`);
    },
  },
];

/**
 * Every wait polls once per emulated minute: in virtual time a wait costs its polls, not its length, and
 * the crash points (progress events) do not depend on how often a wait polls.
 */
const POLL_INTERVAL_MS = 60_000;

const ALL = process.env.CRASH_MATRIX === "all";
/** CI: about this many points per case, spread evenly (deterministic); CRASH_MATRIX=all: every point. */
const PER_CASE = Number(process.env.CRASH_POINTS ?? "4");
const SHARD = parseShard(process.env.CRASH_SHARD);

function parseShard(v: string | undefined): { k: number; n: number } | undefined {
  if (v === undefined || v === "") return undefined;
  const m = /^(\d+)\/(\d+)$/.exec(v);
  const k = Number(m?.[1]);
  const n = Number(m?.[2]);
  if (!m || !(n >= 1) || !(k >= 1 && k <= n))
    throw new Error(`CRASH_SHARD=${v}: expected k/n with 1 ≤ k ≤ n, e.g. CRASH_SHARD=1/2`);
  if (!ALL) throw new Error("CRASH_SHARD needs CRASH_MATRIX=all (the CI subset is not sharded)");
  return { k, n };
}

function label(e: ProgressEvent): string {
  return `#${e.seq} ${e.node} ${e.action}${e.version ? ` ${e.version}` : ""} ${e.phase}`;
}

/** A manual gate of the reference run (it only fails where it stops at one: HA activation, S8, P1). */
function isGate(e: ProgressEvent): boolean {
  return e.phase === "failed";
}

/** The crash points to run: indexes into the reference run's progress events. */
function choosePoints(reference: readonly ProgressEvent[], caseIndex: number, reading: Reading): number[] {
  const all = reference.map((_, i) => i);
  if (ALL) return SHARD ? all.filter((i) => i % SHARD.n === SHARD.k - 1) : all;
  const stride = Math.max(1, Math.ceil(reference.length / PER_CASE));
  const offset = (caseIndex * 3 + (reading === "selects" ? 1 : 0)) % stride;
  // Around each HA gate: the run stopping at the gate, and the first event of the run after it.
  const gates = all.filter((i) => isGate(reference[i])).flatMap((i) => [i, i + 1]);
  return all.filter((i) => i % stride === offset || gates.includes(i));
}

for (const reading of ["reboots", "selects"] as const) {
  const scope = ALL
    ? `every point${SHARD ? `, shard ${SHARD.k}/${SHARD.n}` : ""}`
    : `about ${PER_CASE} points per case`;
  describe(`crash matrix, upgrade call "${reading}" (${scope}) (rules S9, S10, S13, H2)`, function () {
    this.timeout(ALL ? 4 * 3_600_000 : 600_000);
    let cluster: EmulatedCluster | undefined;
    let certificates: CertificateStore;
    before(() => {
      certificates = new CertificateStore(mkdtempSync(join(tmpdir(), "sps-crash-matrix-")));
    });
    after(() => certificates.dispose());
    afterEach(async () => {
      await cluster?.stop();
      cluster = undefined;
    });

    const start = (c: CrashCase): Promise<EmulatedCluster> =>
      EmulatedCluster.start({
        target: c.target,
        nodes: c.nodes.map((n) => ({ ...n, emulator: { ...(n.emulator ?? {}), upgradeCall: reading } })),
        virtualTime: true,
        certificates,
        // The confirmation gates (S8 bundle by hand, P1 backup) are passed at the gate, as an operator would.
        operator: "at-gate",
        ...(c.options ?? {}),
      });
    const inputsFor = (c: CrashCase, cl: EmulatedCluster, extra: Partial<ExecutionInputs> = {}) =>
      cl.inputs({
        deadlines: { pollIntervalMs: POLL_INTERVAL_MS },
        ...(reading === "selects" ? { upgradeCall: "selects" as const } : {}),
        ...(c.inputs?.(cl) ?? {}),
        ...extra,
      });
    const expectation = (where: string) => ({ where, reading, haGate: reading === "reboots" });
    const noWaitLeft = (cl: EmulatedCluster, where: string): void =>
      assert.equal(cl.virtualTime?.pendingSleeps, 0, `${where}: no wait of the stopped run is left running`);

    CASES.forEach((c, caseIndex) => {
      it(`${c.name}: every chosen crash point converges on the rerun`, async () => {
        const began = Date.now();
        // Reference run: its progress events are the crash points.
        cluster = await start(c);
        const reference: ProgressEvent[] = [];
        const ref = cluster;
        await ref.runToEnd(() => inputsFor(c, ref, { progress: (e) => reference.push(e) }));
        assertConverged(ref, c.nodes, expectation("reference run"));
        c.check?.(ref, "reference run");
        await ref.stop();
        cluster = undefined;
        const points = choosePoints(reference, caseIndex, reading);
        const failures: string[] = [];
        /** Points after which the run had nothing left to stop (the last progress events). */
        const finishedAnyway: number[] = [];
        for (const i of points) {
          const cl = (cluster = await start(c));
          const where = `crash point ${i} (${label(reference[i])})`;
          try {
            const controller = new AbortController();
            let seen = 0;
            const progress = (p: ProgressEvent): void => {
              if (seen++ === i && !controller.signal.aborted)
                controller.abort(new Error(`crash at ${label(p)}`));
            };
            try {
              await cl.runToEnd(() => inputsFor(c, cl, { signal: controller.signal, progress }));
              finishedAnyway.push(i);
            } catch (err) {
              assert.ok(err instanceof ExecutionError && err.kind === "aborted", `${where}: ${String(err)}`);
            }
            noWaitLeft(cl, where);
            const result = await cl
              .runToEnd(() => inputsFor(c, cl))
              .catch((err: unknown) => {
                throw new Error(`${where}: the rerun failed: ${String(err)}`);
              });
            assert.equal(result.complete, true, `${where}: the rerun completes`);
            noWaitLeft(cl, where);
            assertConverged(cl, c.nodes, expectation(where));
            c.check?.(cl, where);
          } catch (err) {
            failures.push(err instanceof Error ? err.message : String(err));
          }
          await cl.stop();
          cluster = undefined;
        }
        // Only the events of the last step may come after the run's last abort check.
        const lastStep = reference.at(-1)?.seq;
        for (const i of finishedAnyway)
          if (reference[i].seq !== lastStep)
            failures.push(
              `crash point ${i} (${label(reference[i])}): the run ignored the stop and ran to the end`,
            );
        // For the note: points run / passed / points in all, and the time it took.
        console.log(
          `      crash matrix ${reading} / ${c.name}: ${points.length - failures.length}/${points.length} passed (${reference.length} points in all${SHARD ? `, shard ${SHARD.k}/${SHARD.n}` : ""}; ${points.length - finishedAnyway.length} stopped by the crash, ${finishedAnyway.length} ended before it was seen: ${finishedAnyway.join(", ") || "none"}) in ${((Date.now() - began) / 1000).toFixed(0)} s`,
        );
        assert.deepEqual(failures, [], `${failures.length} of ${points.length} crash points failed`);
      });
    });
  });
}

describe("crash matrix invariants: they fail where they must (S9, H2)", function () {
  this.timeout(120_000);
  let cluster: EmulatedCluster | undefined;
  afterEach(async () => {
    await cluster?.stop();
    cluster = undefined;
  });

  it("a second reboot of a hop, and a reboot of the primary while its secondary runs, are caught", async () => {
    const [standalone, pair] = CASES;
    const x = { where: "check", reading: "reboots" as const, haGate: true };
    cluster = await EmulatedCluster.start({
      target: standalone.target,
      nodes: standalone.nodes,
      virtualTime: true,
      operator: "at-gate",
    });
    const one = cluster;
    await one.runToEnd(() => one.inputs({ deadlines: { pollIntervalMs: POLL_INTERVAL_MS } }));
    assertConverged(one, standalone.nodes, x);
    one.fleet.systemControl("sps1").rebootThisNode();
    assert.throws(() => assertConverged(one, standalone.nodes, x), /sps1: exactly one reboot per hop/);
    await one.stop();

    cluster = await EmulatedCluster.start({
      target: pair.target,
      nodes: pair.nodes,
      virtualTime: true,
      operator: "at-gate",
    });
    const two = cluster;
    await two.runToEnd(() => two.inputs({ deadlines: { pollIntervalMs: POLL_INTERVAL_MS } }));
    assertConverged(two, pair.nodes, x);
    two.fleet.systemControl("pair").rebootThisNode();
    const units = two.fleet
      .node("pair")
      .node.haState()
      .nodes.map((u) => u.unit);
    assert.equal(h2Violations(two.events(), "pair", units).length, 1, "the replay sees the H2 violation");
    assert.throws(() => assertConverged(two, pair.nodes, x), /no takeover/);
  });
});
