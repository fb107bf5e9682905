/**
 * The preview's route lines (docs/design-notes.md): every routed step of a node, decided by what the run
 * consults — the SystemControl router (here the real one, built from a config), the declared
 * upgradeCall (H2), the node's REST tree and evidenceDir (S8).
 */
import { strict as assert } from "node:assert";
import { createSystemControl } from "../../../provider/clients/system-control/composite";
import type { RestCapabilities } from "../../../provider/clients/sps/rest-capabilities";
import { APPLIANCE_ACTIONS, type PlanStep } from "../../../core/plan";
import { routeLines, stepRoute, type RouteFacts } from "../../../provider/executor/step-routes";

const CAPS: RestCapabilities = {
  supportBundle: true,
  firmwareFetch: true,
  firmwareUpload: true,
  firmwareTest: true,
  firmwareUpgrade: true,
};

function facts(operations: Record<string, unknown>, over: Partial<RouteFacts> = {}): RouteFacts {
  const router = createSystemControl({
    nodes: {
      "sps-ha": { address: "192.0.2.10" },
      "sps-ha.b": {
        address: "192.0.2.11",
        ipmi: { host: "192.0.2.21", username: "ipmi", password: "not-used" },
      },
    },
    operations,
  });
  return {
    ha: true,
    upgradeCall: undefined,
    channelOf: (op) => router.channelOf(op),
    declared: (op) => router.declares(op),
    capabilities: CAPS,
    evidenceDir: "/var/lib/sps-evidence",
    ...over,
  };
}

/** An HA pair's hop with an uploaded image and a license: every appliance action but the plugin and fetch ones. */
const HA_HOP = APPLIANCE_ACTIONS.filter(
  (a) => !["upload-plugin", "fetch-firmware", "upgrade-plugin"].includes(a),
);

function steps(node: string, actions: string[], hops = 1): PlanStep[] {
  const out: PlanStep[] = [];
  let seq = 0;
  for (let hop = 1; hop <= hops; hop++)
    for (const action of actions)
      out.push({ seq: ++seq, node, action, hop, version: "8.0.0" } as unknown as PlanStep);
  return out;
}

describe("step routes in the preview", function () {
  it("H2: with nothing routed, every HA operation is a manual gate and says it was not declared", function () {
    const f = facts({});
    const lines = routeLines(steps("sps-ha", HA_HOP, 2), () => f);
    assert.deepEqual(lines, [
      "route sps-ha preflight: secondary's power read by hand: the run stops with the steps (no route declared for readPowerState)",
      "route sps-ha activate-firmware: by hand in the web interface (upgrade call reading unknown: it may reboot the primary while the secondary runs, H2)",
      "route sps-ha wait-secondary-sync: HA state read by hand: the run stops with the steps (no route declared for readHaState)",
      "route sps-ha shutdown-secondary: secondary shut down by hand: the run stops with the steps (no route declared for shutdownSecondary)",
      "route sps-ha support-bundle: REST support-bundle API into evidenceDir",
      "route sps-ha reboot: the primary only, by hand: the run stops with the steps (no route declared for rebootNode), once the secondary is off (H2)",
      "route sps-ha upload-license: license uploaded by hand: the run stops with the steps (no route declared for uploadLicense)",
      "route sps-ha power-on-secondary: secondary powered on by hand: the run stops with the steps (no route declared for powerOnSecondary)",
      "route sps-ha wait-secondary-rejoin: HA state read by hand: the run stops with the steps (no route declared for readHaState)",
      'route sps-ha activate-secondary: takeover ("Activate slave") by hand: the run stops with the steps (no route declared for activateSecondary)',
      "route sps-ha verify-ha: HA state read by hand: the run stops with the steps (no route declared for readHaState)",
    ]);
  });

  it("H2: declared channels are named as the router sends them (IPMI power, a command shuts down)", function () {
    const f = facts(
      {
        powerOnSecondary: { channel: "ipmi" },
        readPowerState: { channel: "ipmi" },
        shutdownSecondary: { channel: "command", argv: ["/bin/true"] },
      },
      { upgradeCall: "selects" },
    );
    assert.equal(
      stepRoute("power-on-secondary", f),
      "secondary powered on through IPMI (routed: powerOnSecondary → ipmi)",
    );
    assert.equal(
      stepRoute("shutdown-secondary", f),
      "secondary shut down through the configured command (routed: shutdownSecondary → command)",
    );
    assert.equal(
      stepRoute("activate-firmware", f),
      'REST upgrade call (declared upgradeCall "selects"), secondary shut down before the reboot (H2)',
    );
    assert.match(
      stepRoute("activate-firmware", { ...f, upgradeCall: "reboots" }) ?? "",
      /declared "reboots"/,
    );
  });

  it("S8: the support bundle follows the node's REST tree and evidenceDir", function () {
    const f = facts({}, { ha: false });
    assert.equal(
      stepRoute("support-bundle", f),
      "REST support-bundle API into evidenceDir, before the upgrade call (may be the reboot, S8)",
    );
    assert.match(
      stepRoute("support-bundle", { ...f, capabilities: { ...CAPS, supportBundle: false } }) ?? "",
      /^by hand in the web interface \(no support-bundle in the node's REST tree\)/,
    );
    assert.match(
      stepRoute("support-bundle", { ...f, evidenceDir: undefined }) ?? "",
      /^by hand in the web interface \(REST API offered, but no evidenceDir is set\)/,
    );
    assert.match(
      stepRoute("support-bundle", { ...f, capabilities: undefined }) ?? "",
      /^REST if the node's REST tree lists support-bundle when the step runs, else by hand/,
    );
  });

  it("a standalone node: no HA lines; the reboot by the upgrade call or the declared route", function () {
    const f = facts({ rebootNode: { channel: "command", argv: ["/bin/true"] } }, { ha: false });
    const lines = routeLines(
      steps("sps-branch", [
        "preflight",
        "upload-firmware",
        "activate-firmware",
        "support-bundle",
        "reboot",
        "verify-version",
      ]),
      () => f,
    );
    assert.deepEqual(
      lines.map((l) => l.split(":")[0]),
      ["route sps-branch activate-firmware", "route sps-branch support-bundle", "route sps-branch reboot"],
    );
    assert.equal(
      lines[2],
      "route sps-branch reboot: by the upgrade call if the node goes away; else through the configured command (routed: rebootNode → command)",
    );
    assert.deepEqual(
      routeLines(steps("other", ["reboot"]), () => undefined),
      [],
    );
  });
});

describe("route of fetch-firmware (S3): the node's REST tree decides", function () {
  it("offered, not offered, and not readable", function () {
    assert.match(stepRoute("fetch-firmware", facts({}))!, /^POST \/api\/firmware\/fetch: the node downloads/);
    assert.match(
      stepRoute("fetch-firmware", facts({}, { capabilities: { ...CAPS, firmwareFetch: false } }))!,
      /lists no \/api\/firmware\/fetch: the step will stop before any write — give the image's path/,
    );
    assert.match(
      stepRoute("fetch-firmware", facts({}, { capabilities: undefined }))!,
      /if the node's REST tree lists fetch when the step runs/,
    );
    assert.equal(stepRoute("upload-firmware", facts({})), undefined);
  });
});
