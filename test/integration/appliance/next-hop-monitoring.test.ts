/**
 * HA next-hop monitoring (H4) against an emulated HA pair: the [inference] REST endpoint of the
 * emulator (emulator/sps/api-next-hop-routes.ts), the emulator's takeover rule
 * (emulator/next-hop/next-hop-emulator.ts), and the restart order through a SystemControl over the
 * emulator's node model (EmulatorSystemControl from the executor tests).
 */
import assert from "node:assert/strict";
import {
  applyNextHopMonitoring,
  NextHopError,
  NextHopManualStep,
  nextHopConfirmation,
  nextHopRouteOf,
  readNextHopMonitoring,
  type NextHopSpecInput,
} from "../../../provider/clients/next-hop/next-hop-monitoring";
import type { HaPair } from "../../../provider/clients/system-control/operations";
import type { RunningFleet } from "../../../emulator/lab/fleet";
import {
  nextHopStateOf,
  setNextHopReachability,
  configureNextHops,
} from "../../../emulator/next-hop/next-hop-emulator";
import { EmulatorSystemControl } from "../executor/emulated-cluster";
import { adminConnection, FleetHarness, waitFor } from "./emulated-fleet";

const TARGETS = [
  { interface: "external", thisNode: "192.0.2.1", otherNode: "192.0.2.2" },
  { interface: "management", thisNode: "198.51.100.1", otherNode: "198.51.100.2" },
];

/** Records what the pair looked like at each restart call (H4: only a healthy pair is restarted). */
class WatchedSystemControl extends EmulatorSystemControl {
  readonly seen: string[] = [];

  constructor(private readonly f: RunningFleet) {
    super(f);
  }

  private snapshot(): string {
    const ha = this.f.systemControl("sps1").haState();
    return `${ha.primary.phase}/${ha.secondary?.phase ?? "none"}/${ha.sync}`;
  }

  override async shutdownSecondary(pair: HaPair): Promise<void> {
    this.seen.push(`shutdownSecondary when ${this.snapshot()}`);
    return super.shutdownSecondary(pair);
  }

  override async rebootNode(node: string): Promise<void> {
    this.seen.push(`rebootNode when ${this.snapshot()}`);
    return super.rebootNode(node);
  }

  override async rebootCluster(pair: HaPair): Promise<void> {
    this.seen.push(`rebootCluster when ${this.snapshot()}`);
    return super.rebootCluster(pair);
  }
}

describe("HA next-hop monitoring against an emulated HA pair (H4)", function () {
  this.timeout(60_000);
  const harness = new FleetHarness();
  let fleet: RunningFleet;

  beforeEach(async () => {
    fleet = await harness.start(
      { clusters: [{ name: "ha", nodes: [{ name: "sps1", version: "7.0.3", ha: true }] }] },
      { timeScale: 600, timings: { downMs: 6_000, plainBootMs: 30_000, haRejoinSyncMs: 30_000 } },
    );
  });
  afterEach(async () => {
    await harness.stopAll();
  });

  function spec(targets = TARGETS): NextHopSpecInput {
    return {
      sps: adminConnection(fleet, "sps1"),
      pair: { primary: "sps1", secondary: "sps1" },
      targets,
      pollMs: 20,
      waitTimeoutMs: 20_000,
    };
  }

  it('H4: a change takes effect only after both nodes restart — one "Reboot Cluster" as the document says, no forced takeover; a second apply changes nothing', async () => {
    const control = new WatchedSystemControl(fleet);
    const t0 = Date.now();
    const result = await applyNextHopMonitoring(spec(), control);
    const ms = Date.now() - t0;
    console.log(`      apply + restart of the pair (time scale 600): ${ms} ms`);
    assert.equal(result.changed, true);
    assert.equal(result.restarted, true);
    // No path assumed: the one used is the one the node's REST tree shows.
    assert.deepEqual(result.route, {
      kind: "rest",
      path: "/api/configuration/high_availability/next_hop_monitoring",
      source: "rest-tree",
    });
    // [doc] "To restart both nodes, click Reboot Cluster." — one call, on a healthy pair.
    assert.deepEqual(control.calls, ["rebootCluster:sps1"]);
    assert.deepEqual(control.seen, ["rebootCluster when running/running/synced"]);
    const events = fleet.events.list({ node: "sps1" });
    assert.equal(events.filter((e) => e.name === "reboot-cluster").length, 1);
    assert.equal(events.filter((e) => e.name === "takeover").length, 0, "no takeover forced");
    assert.equal(fleet.systemControl("sps1").haState().primary.unit, "a", "the primary stays primary");
    assert.deepEqual(result.observed.effective, TARGETS);
    assert.equal(result.observed.restartRequired, false);
    const read = await readNextHopMonitoring(spec());
    assert.deepEqual(read.drift, []);

    const again = await applyNextHopMonitoring(spec(), control);
    assert.equal(again.changed, false);
    assert.equal(again.restarted, false);
    assert.equal(control.calls.length, 1, "no restart without a pending change");
  });

  it("H4: a configured but not yet restarted change is reported as drift, and not used by the takeover rule", async () => {
    const node = fleet.node("sps1").node;
    configureNextHops(node, TARGETS);
    const read = await readNextHopMonitoring(spec());
    assert.equal(read.restartRequired, true);
    assert.deepEqual(read.effective, []);
    assert.match(read.drift.join("\n"), /both nodes must restart/);
    const d = setNextHopReachability(node, "192.0.2.1", { fromPrimary: false });
    assert.equal(d.decision, "no-takeover", "nothing is monitored before the restart");
  });

  it("H4: the secondary reaching more monitored addresses than the primary forces a takeover", async () => {
    await applyNextHopMonitoring(spec(), new EmulatorSystemControl(fleet));
    const node = fleet.node("sps1").node;
    const primaryBefore = node.systemControl().haState().primary.unit;
    const d = setNextHopReachability(node, "192.0.2.1", { fromPrimary: false });
    assert.equal(d.decision, "takeover");
    assert.equal(d.primaryReachable, 1);
    assert.equal(d.secondaryReachable, 2);
    assert.notEqual(
      node.systemControl().haState().primary.unit,
      primaryBefore,
      "the secondary is now the primary",
    );
    const read = await readNextHopMonitoring(spec());
    assert.equal(read.lastDecision?.decision, "takeover");
  });

  it("H4: no takeover when the secondary is not fully synced, even if it reaches more addresses", async () => {
    await applyNextHopMonitoring(spec(), new EmulatorSystemControl(fleet));
    const node = fleet.node("sps1").node;
    node.faults = { ...node.faults, secondaryNeverSyncs: true };
    const control = node.systemControl();
    control.shutdownSecondary();
    control.powerOn("secondary");
    await waitFor(() => control.haState().secondary?.phase === "running", 10_000, "secondary running");
    assert.notEqual(control.haState().sync, "synced");
    const primaryBefore = control.haState().primary.unit;
    const d = setNextHopReachability(node, "198.51.100.1", { fromPrimary: false });
    assert.equal(d.decision, "refused-not-synced");
    assert.equal(control.haState().primary.unit, primaryBefore, "no takeover happened");
    // And the tool refuses to restart a pair whose secondary is not synced (both could be down).
    configureNextHops(node, [TARGETS[0]]);
    await assert.rejects(
      applyNextHopMonitoring(spec([TARGETS[0]]), new EmulatorSystemControl(fleet)),
      /H4: the pair is not healthy/,
    );
    assert.ok(nextHopStateOf(node).changedAtBoots !== undefined);
  });

  it("H4: targets off the interface's segment or not IPv4 are refused, naming the field and the fix", async () => {
    await assert.rejects(
      applyNextHopMonitoring(
        spec([{ interface: "external", thisNode: "203.0.113.1", otherNode: "192.0.2.2" }]),
        new EmulatorSystemControl(fleet),
      ),
      (e: unknown) => {
        assert.ok(e instanceof NextHopError);
        assert.equal(e.problems[0]?.property, "targets[0].thisNode");
        assert.match(e.message, /not on interface external's segment \(192\.0\.2\.5\/24\)/);
        return true;
      },
    );
    await assert.rejects(
      readNextHopMonitoring(
        spec([{ interface: "external", thisNode: "gw.example", otherNode: "192.0.2.2" }]),
      ),
      (e: unknown) =>
        e instanceof NextHopError && e.problems.some((p) => p.property === "targets[0].thisNode"),
    );
  });

  it("H4: a path the operator configures is used as given (a wrong one fails naming it, nothing restarted)", async () => {
    const control = new WatchedSystemControl(fleet);
    await assert.rejects(
      applyNextHopMonitoring({ ...spec(), path: "/api/configuration/ha/next_hops" }, control),
      (e: unknown) => e instanceof NextHopError && /\/api\/configuration\/ha\/next_hops/.test(e.message),
    );
    assert.equal(control.calls.length, 0);
    const ok = await applyNextHopMonitoring(
      { ...spec(), path: "/api/configuration/high_availability/next_hop_monitoring" },
      control,
    );
    assert.equal(ok.route.kind === "rest" && ok.route.source, "configured");
  });
});

describe("HA next-hop monitoring on a node whose REST tree shows no next-hop path (H4, manual route)", function () {
  this.timeout(60_000);
  const harness = new FleetHarness();
  let fleet: RunningFleet;
  beforeEach(async () => {
    fleet = await harness.start(
      {
        clusters: [
          {
            name: "ha",
            nodes: [{ name: "sps1", version: "7.0.3", ha: true, emulator: { nextHopRest: false } }],
          },
        ],
      },
      { timeScale: 600 },
    );
  });
  afterEach(() => harness.stopAll());

  const spec = (extra: Partial<NextHopSpecInput> = {}): NextHopSpecInput => {
    return {
      sps: adminConnection(fleet, "sps1"),
      pair: { primary: "sps1", secondary: "sps1" },
      targets: TARGETS,
      ...extra,
    };
  };

  it("stops with the guide's web-interface steps and the exact addresses; no REST write, no restart", async () => {
    const control = new WatchedSystemControl(fleet);
    assert.deepEqual(await nextHopRouteOf(spec()), { kind: "manual" });
    await assert.rejects(applyNextHopMonitoring(spec(), control), (e: unknown) => {
      assert.ok(e instanceof NextHopManualStep);
      assert.match(e.message, /Basic Settings > High Availability > Next hop monitoring/);
      assert.match(
        e.message,
        /interface external: enter 192\.0\.2\.1 into This node > Next hop IP, and 192\.0\.2\.2 into Other node > Next hop IP/,
      );
      assert.match(e.message, /interface management: enter 198\.51\.100\.1/);
      assert.match(e.message, /restart both nodes: .*click Reboot Cluster/);
      assert.match(e.message, new RegExp(`manualConfirmed: "${nextHopConfirmation(TARGETS)}"`));
      return true;
    });
    assert.equal(control.calls.length, 0, "nothing restarted");
    assert.deepEqual(nextHopStateOf(fleet.node("sps1").node).configured, [], "nothing written");
    const read = await readNextHopMonitoring(spec());
    assert.equal(read.verifiable, false);
    assert.match(read.drift.join("\n"), /manual step that is not confirmed/);
  });

  it("the operator's confirmation ends the manual step; a changed target asks again", async () => {
    const control = new WatchedSystemControl(fleet);
    const confirmed = await applyNextHopMonitoring(
      spec({ manualConfirmed: nextHopConfirmation(TARGETS) }),
      control,
    );
    assert.deepEqual(confirmed.route, { kind: "manual" });
    assert.equal(confirmed.restarted, false);
    assert.equal(control.calls.length, 0);
    assert.deepEqual(
      (await readNextHopMonitoring(spec({ manualConfirmed: nextHopConfirmation(TARGETS) }))).drift,
      [],
    );
    const changed = [{ ...TARGETS[0], otherNode: "192.0.2.3" }];
    await assert.rejects(
      applyNextHopMonitoring(
        spec({ targets: changed, manualConfirmed: nextHopConfirmation(TARGETS) }),
        control,
      ),
      NextHopManualStep,
    );
  });
});
