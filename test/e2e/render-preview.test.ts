/**
 * `sps-upgrade render` on a fresh, real `pulumi preview --json` of the demo program (root
 * Pulumi.yaml) against the emulated lab: the markdown carries both clusters with the estimate the
 * engine recorded, its Gantt chart draws in headless chromium, and a window the estimate does not
 * fit (P13) fails the preview — whose JSON, errors included, still renders.
 */
import { strict as assert } from "node:assert";
import { spawnSync } from "node:child_process";
import * as path from "node:path";
import { FIRMWARE_TYPE } from "../../cli/preview-json";
import { createTestStack, REPO_ROOT, type TestStack } from "../support/pulumi-engine";
import { drawMermaid, mermaidBlock } from "../support/mermaid-browser";
import { startLab, type Lab } from "../support/sps-lab";
import { demoFleet } from "./sps-helpers";

interface PreviewJson {
  steps?: Array<{ newState?: { type: string; inputs?: Record<string, unknown> } }>;
  diagnostics?: Array<{ severity: string; message: string }>;
}

function render(preview: string): { code: number | null; stdout: string; stderr: string } {
  const r = spawnSync(process.execPath, [path.join(REPO_ROOT, "bin", "sps-upgrade.js"), "render"], {
    input: preview,
    encoding: "utf8",
    cwd: REPO_ROOT,
    timeout: 60_000,
  });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

describe("sps-upgrade render on a real pulumi preview --json of the demo", function () {
  this.timeout(300_000);
  let lab: Lab;
  let stack: TestStack;

  before(async function () {
    const fleet = demoFleet();
    lab = await startLab(fleet);
    stack = await createTestStack({ programDir: REPO_ROOT, config: lab.config, secrets: lab.secrets });
  });

  after(async function () {
    await stack?.dispose();
    await lab?.stop();
  });

  it("renders both clusters with the engine's estimate and a Gantt chart that chromium draws", async function () {
    const preview = await stack.cli(["preview", "--json", "--stack", stack.name]);
    assert.equal(preview.code, 0, preview.stderr);
    const doc = JSON.parse(preview.stdout) as PreviewJson;
    const firmware = (doc.steps ?? []).filter((s) => s.newState?.type === FIRMWARE_TYPE);
    assert.equal(firmware.length, 2);
    const md = render(preview.stdout);
    assert.equal(md.code, 0, md.stderr);
    for (const f of firmware) {
      const inputs = f.newState?.inputs ?? {};
      const estimate = inputs["estimate"] as { seconds: number; text: string };
      const window = inputs["maintenanceWindow"] as { seconds: number; text: string };
      assert.ok(estimate.seconds > 0 && estimate.seconds <= window.seconds, JSON.stringify(inputs));
      const cluster = String(inputs["cluster"]);
      const section = md.stdout.slice(md.stdout.indexOf(`## Cluster \`${cluster}\``));
      assert.ok(section.includes(`**Estimate:** ${estimate.text}`), section);
      assert.match(section, new RegExp(`\\*\\*Maintenance window:\\*\\* ${window.text} — fits`));
      assert.match(section, /^\| 2 \| 1: → 8\.0\.0 \| sps-/m);
      // The preview says which route every routed step of each node takes, and why — as the
      // run decides it (the lab routes every system-control operation of the HA pair to its command; no upgradeCall
      // declared; the 7.0.3 nodes list the support-bundle API; evidenceDir is set); the canary has none.
      const routes = (inputs["plannedActions"] as string[]).filter((l) => l.startsWith("route "));
      const cmd = (op: string) => `through the configured command (routed: ${op} → command)`;
      if (cluster === "dc1")
        assert.deepEqual(routes, [
          `route sps-ha preflight: secondary's power read ${cmd("readPowerState")}`,
          "route sps-ha activate-firmware: by hand in the web interface (upgrade call reading unknown: it may reboot the primary while the secondary runs, H2)",
          `route sps-ha wait-secondary-sync: HA state read ${cmd("readHaState")}`,
          `route sps-ha shutdown-secondary: secondary shut down ${cmd("shutdownSecondary")}`,
          "route sps-ha support-bundle: REST support-bundle API into evidenceDir",
          `route sps-ha reboot: the primary only, ${cmd("rebootNode")}, once the secondary is off (H2)`,
          `route sps-ha upload-license: license uploaded ${cmd("uploadLicense")}`,
          `route sps-ha power-on-secondary: secondary powered on ${cmd("powerOnSecondary")}`,
          `route sps-ha wait-secondary-rejoin: HA state read ${cmd("readHaState")}`,
          `route sps-ha activate-secondary: takeover ("Activate slave") ${cmd("activateSecondary")}`,
          `route sps-ha verify-ha: HA state read ${cmd("readHaState")}`,
        ]);
      else
        assert.deepEqual(routes, [
          "route sps-branch activate-firmware: REST upgrade call, then observed: rebooted by the call, else by the reboot step's route",
          "route sps-branch support-bundle: REST support-bundle API into evidenceDir, before the upgrade call (may be the reboot, S8)",
          // The canary declares no system-control channel: a reboot the call does not make, and
          // the S11 license, are manual gates.
          "route sps-branch reboot: by the upgrade call if the node goes away; else by hand: the run stops with the steps (no route declared for rebootNode)",
          "route sps-branch upload-license: license uploaded by hand: the run stops with the steps (no route declared for uploadLicense)",
        ]);
      // Every step of the HA pair's plan has its route line, but the REST-only ones (the plan's own step list).
      const planned = new Set(
        (inputs["plannedActions"] as string[]).flatMap(
          (l) => /^wave \d+ .*#\d+ \S+: (\S+) /.exec(l)?.[1] ?? [],
        ),
      );
      if (cluster === "dc1") assert.equal(planned.size, 15, [...planned].join(", "));
      for (const action of cluster === "dc1" ? planned : [])
        if (!["upload-firmware", "test-firmware", "verify-version", "backup-config"].includes(action))
          assert.ok(
            routes.some((r) => r.split(":")[0]?.endsWith(` ${action}`)),
            `${cluster}: no route line for ${action}`,
          );
    }
    const drawn = drawMermaid(mermaidBlock(md.stdout));
    assert.equal(drawn.error, undefined);
    assert.match(drawn.dom, /data-rendered="yes"/);
    const bars = [...drawn.dom.matchAll(/<rect id="[^"]*-t\d+"[^>]*class="task[ "]/g)].length;
    assert.equal(bars, 4, "2 waves per cluster, one node each");
    assert.ok(drawn.dom.includes(">sps-ha hop 1 to 8.0.0"), "task names drawn");
  });

  it("P13: a window the estimate does not fit fails the preview; its JSON renders the error with the numbers", async function () {
    await stack.setConfig("maintenanceWindows", JSON.stringify({ branch: "30m" }));
    const preview = await stack.cli(["preview", "--json", "--stack", stack.name]);
    assert.notEqual(preview.code, 0);
    const doc = JSON.parse(preview.stdout) as PreviewJson;
    const errors = (doc.diagnostics ?? []).filter((d) => d.severity === "error").map((d) => d.message);
    assert.ok(
      errors.some((m) => /maintenanceWindow/.test(m) && /rule P13/.test(m)),
      JSON.stringify(doc.diagnostics),
    );
    const md = render(preview.stdout);
    assert.equal(md.code, 0, md.stderr);
    assert.match(
      md.stdout,
      /\*\*The preview failed:\*\*\n\n(- .*\n)*- .*maintenanceWindow.*rule P13.*does not fit the maintenance window of 30 min for cluster "branch" \(over by [\d.]+ min\)/,
    );
  });
});
