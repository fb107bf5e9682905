/**
 * `sps-upgrade render` on a preview captured from a real `pulumi preview --json` of the demo program
 * (test/fixtures/render/demo-preview.json; `__provider`, `__wiring` and the stack config dropped:
 * size and temporary paths): per cluster the hops, the wave table, the findings, the estimate
 * against the window (P13), and the Gantt chart's bars placed by the estimate.
 */
import { strict as assert } from "node:assert";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { rolloutGantt } from "../../../cli/gantt";
import { PreviewInputError, readPreview, type PreviewSummary } from "../../../cli/preview-json";
import { renderPreview } from "../../../cli/render";

const FIXTURE = join(__dirname, "..", "..", "fixtures", "render", "demo-preview.json");

function fixture(): Record<string, unknown> {
  return JSON.parse(readFileSync(FIXTURE, "utf8")) as Record<string, unknown>;
}

function section(md: string, cluster: string): string {
  const start = md.indexOf(`## Cluster \`${cluster}\``);
  assert.ok(start >= 0, `section of ${cluster}`);
  const next = md.indexOf("\n## ", start + 1);
  return md.slice(start, next < 0 ? undefined : next);
}

/** The fixture with the firmware inputs of `cluster` changed. */
function withInputs(cluster: string, change: (inputs: Record<string, unknown>) => void): unknown {
  const doc = fixture() as { steps: Array<{ newState?: { type: string; inputs: Record<string, unknown> } }> };
  for (const s of doc.steps) {
    const i = s.newState?.inputs;
    if (s.newState?.type.endsWith(":ClusterFirmware") && i?.["cluster"] === cluster) change(i);
  }
  return doc;
}

describe("sps-upgrade render (pulumi preview --json → markdown)", () => {
  let preview: PreviewSummary;
  let md: string;
  before(() => {
    preview = readPreview(fixture());
    md = renderPreview(preview);
  });

  it("reads both clusters of the demo with their hops, steps, findings and estimate", () => {
    assert.deepEqual(
      preview.clusters.map((c) => [c.name, c.canary, c.resolvedTarget, c.hops.length]),
      [
        ["branch", true, "6.3.0", 2],
        ["dc1", false, "6.3.0", 2],
      ],
    );
    for (const c of preview.clusters) {
      assert.ok(c.steps.length > 10 && c.findings.length > 0 && c.estimate && c.window);
      assert.equal(
        c.estimate.seconds,
        c.waves.reduce((t, w) => t + w.seconds, 0),
      );
    }
  });

  it("per cluster: hops, a table row per wave and node with its steps and estimate, findings", () => {
    const dc1 = section(md, "dc1");
    assert.match(dc1, /\*\*Hops:\*\* 5\.0\.0 → 6\.0\.12 → 6\.3\.0/);
    assert.match(dc1, /^\| wave \| hop \| node \| steps \| estimate \|$/m);
    const rows = dc1.split("\n").filter((l) => /^\| \d+ \|/.test(l));
    assert.equal(rows.length, 3);
    assert.match(
      rows[2] ?? "",
      /^\| 3 \| 2: → 6\.3\.0 \| sps-ha \| upload-firmware → .*→ reboot → .*→ verify-ha \| ~[\d.]+ h \|$/,
    );
    assert.match(dc1, /^- warning \*\*P14\*\* `sps-ha`: the first boot into 6\.3/m);
    assert.match(dc1, /metadb import after each reboot \(30 min – 40 min/);
  });

  it("P13: the estimate against the declared window, with the numbers", () => {
    assert.match(section(md, "branch"), /\*\*Maintenance window:\*\* 3 h — fits \([\d.]+ (min|h) to spare\)/);
    const tight = renderPreview(
      readPreview(withInputs("dc1", (i) => (i["maintenanceWindow"] = { seconds: 7200, text: "2 h" }))),
    );
    assert.match(
      section(tight, "dc1"),
      /\*\*Maintenance window:\*\* 2 h — \*\*does not fit\*\* \(over by 1\.4 h, rule P13\)/,
    );
    assert.match(tight, /^\| dc1 \| 6\.3\.0 \| ~3\.4 h \| 2 h — \*\*does not fit\*\*/m);
  });

  it("fleet: canary first, then the rest; the Gantt chart places each wave after the previous one", () => {
    const [branch, dc1] = preview.clusters;
    assert.ok(branch?.estimate && dc1?.estimate);
    const gantt = rolloutGantt(preview.clusters, "SPS rollout (estimated elapsed time)") ?? "";
    assert.ok(md.includes(`\`\`\`mermaid\n${gantt}\n\`\`\``));
    const bars = gantt
      .split("\n")
      .map((l) => /^ {2}(.+) :(?:crit, )?t\d+, (\S+ \S+), (\S+ \S+)$/.exec(l))
      .filter((m): m is RegExpExecArray => m !== null)
      .map((m) => ({ name: m[1], start: Date.parse(`${m[2]}Z`), end: Date.parse(`${m[3]}Z`) }));
    assert.equal(bars.length, branch.waves.length + dc1.waves.length);
    const t0 = bars[0]?.start ?? 0;
    // dc1 starts when the canary's last wave ends; its last bar ends at the fleet's estimate.
    const firstDc1 = bars.find((b) => b.name?.startsWith("sps-ha"));
    assert.equal(((firstDc1?.start ?? 0) - t0) / 1000, branch.estimate.seconds);
    assert.equal(
      ((bars[bars.length - 1]?.end ?? 0) - t0) / 1000,
      branch.estimate.seconds + dc1.estimate.seconds,
    );
    assert.match(md, /\*\*Fleet estimate:\*\* about 5\.3 h/);
    assert.match(gantt, /^ {2}section branch \(canary\)$/m);
    assert.match(gantt, /^ {2}sps-ha hop 2 to 6\.3\.0 :/m);
  });

  it("a failed preview shows its errors; a preview without SPS clusters says so", () => {
    const failed = renderPreview(
      readPreview({
        steps: [],
        diagnostics: [
          {
            severity: "error",
            message: "nodes[0].settings.diskFillupLimitPercent: rule P8 (sps-branch): …\n",
          },
        ],
      }),
    );
    assert.match(
      failed,
      /\*\*The preview failed:\*\*\n\n- nodes\[0\]\.settings\.diskFillupLimitPercent: rule P8/,
    );
    assert.match(failed, /No SPS cluster firmware in this preview\./);
  });

  it("bad input names the field: not a preview document, firmware inputs of the wrong shape", () => {
    assert.throws(
      () => readPreview({ steps: "x" }),
      (e: Error) => e instanceof PreviewInputError && /steps/.test(e.message),
    );
    assert.throws(
      () => readPreview(withInputs("dc1", (i) => (i["plannedActions"] = "wave 1"))),
      /ClusterFirmware::dc1-firmware: inputs\.plannedActions/,
    );
  });
});
