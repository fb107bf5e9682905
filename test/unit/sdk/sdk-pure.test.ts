// Pure helpers of the Pulumi resources: plan lines (what preview --diff shows), drift classification,
// credentials parsing and redaction, which interrupted run to resume.
import { strict as assert } from "node:assert";
import { defaultCatalog } from "../../../core/default-catalog";
import { clusterSchema } from "../../../core/fleet";
import { planCluster } from "../../../core/fleet-plan";
import { parseCredentials, redact, secretValues } from "../../../sdk/credentials";
import { partialFailure } from "../../../provider/resources/context";
import { licenseInputSchema } from "../../../sdk/inputs";
import { fieldProblems } from "../../../core/validation";
import { firmwareDrift, indexerDrift, licenseDrift, nodeState, pluginDrift } from "../../../sdk/drift";
import {
  DIFF_LINE_LIMIT,
  estimateDetail,
  estimateProperty,
  findingLines,
  NOTHING_TO_DO,
  parseFindingLines,
  parseHopLine,
  parseStepLine,
  plannedActionLines,
  wrapForDiff,
} from "../../../sdk/plan-lines";
import { clusterWindow } from "../../../sdk/cluster";
import { runToResume, type RunRecord } from "../../../provider/resources/checkpoint-store";

function plan(versions: string[], target = "6.3") {
  const cluster = clusterSchema.parse({
    name: "c",
    target,
    nodes: versions.map((version, i) => ({
      name: `n${i}`,
      version,
      roles: i === 0 ? ["search-master"] : ["search-minion"],
    })),
  });
  return planCluster(cluster, defaultCatalog(), { asOf: "2026-01-01" });
}

describe("plan lines", function () {
  it("list the hops, then one line per step in seq order with wave, hop and node", function () {
    const lines = plannedActionLines(plan(["5.0.0", "5.0.0"]));
    assert.deepEqual(lines.slice(0, 2), ["hop 1: 5.0.0 -> 6.0.12", "hop 2: 6.0.12 -> 6.3.0"]);
    const steps = lines.slice(2).filter((l) => l.startsWith("wave "));
    assert.equal(steps.length, plan(["5.0.0", "5.0.0"]).steps.length);
    const seqs = steps.map((l) => Number(/#(\d+) /.exec(l)?.[1]));
    assert.deepEqual(
      seqs,
      seqs.map((_, i) => i + 1),
    );
    assert.ok(lines.some((l) => /^wave \d+ hop 1 #\d+ n1: reboot 6\.0\.12$/.test(l)));
  });

  it("end with the estimate: one line per wave, the total, the window (P13) and what is not waited for (S10)", function () {
    const cluster = clusterSchema.parse({
      name: "c",
      target: "6.3",
      maintenanceWindow: "1h",
      nodes: [{ name: "a", version: "6.0.5" }],
    });
    const p = planCluster(cluster, defaultCatalog(), { asOf: "2026-01-01" });
    const lines = plannedActionLines(p);
    const est = lines.filter((l) => l.startsWith("estimate"));
    assert.equal(est.length, p.estimate!.waves.length + 1);
    assert.equal(
      lines[lines.indexOf(est[est.length - 1]) + 1],
      "maintenance window: 1 h (does not fit: P13)",
    );
    assert.ok(lines.includes(`estimate: ${p.estimate!.text}`));
    assert.ok(lines.some((l) => /^not waited for \(in service, S10\): metadb import/.test(l)));
    for (const l of lines) assert.ok(l.length <= DIFF_LINE_LIMIT, l);
    assert.deepEqual(Object.keys(estimateProperty(p)).sort(), [
      "deadlineSeconds",
      "lowSeconds",
      "seconds",
      "text",
    ]);
    assert.equal(estimateProperty(p).seconds, p.estimate!.seconds);
    assert.deepEqual(estimateDetail(p).waves, p.estimate!.waves);
    assert.deepEqual(estimateProperty(plan(["6.3.0", "6.3.0"])), NOTHING_TO_DO);
  });

  it("SpsCluster maintenanceWindow: a duration or { seconds } becomes { seconds, text }; a bad one names the field", function () {
    assert.deepEqual(clusterWindow("x", "2h30m"), { seconds: 9000, text: "2.5 h" });
    assert.deepEqual(clusterWindow("x", { seconds: 600 }), { seconds: 600, text: "10 min" });
    assert.equal(clusterWindow("x", undefined), undefined);
    assert.throws(
      () => clusterWindow("prod", "all night"),
      /^Error: prod: maintenanceWindow: "all night" is not a duration/,
    );
  });

  it("read back (sps-upgrade render): step, hop and wrapped finding lines give the plan's data again", function () {
    const p = plan(["5.0.0", "5.0.0"]);
    const lines = plannedActionLines(p);
    const steps = lines.flatMap((l) => parseStepLine(l) ?? []);
    assert.deepEqual(
      steps.map((s) => [s.seq, s.wave, s.hop, s.node]),
      p.steps.map((s) => [s.seq, s.wave, s.hop, s.node]),
    );
    assert.deepEqual(
      lines.flatMap((l) => parseHopLine(l) ?? []).map((h) => ({ from: h.from, to: h.to })),
      p.hops,
    );
    assert.ok(lines.filter((l) => l.startsWith("estimate")).every((l) => parseStepLine(l) === undefined));
    assert.deepEqual(
      parseFindingLines(findingLines(p)),
      p.findings.map((f) => ({
        rule: f.rule,
        severity: f.severity,
        message: f.message,
        ...(f.node ? { node: f.node } : {}),
      })),
    );
  });

  it("are empty for a converged cluster, so a second up shows no change", function () {
    assert.deepEqual(plannedActionLines(plan(["6.3.0", "6.3.0"])), []);
  });

  it("wrap findings where the engine would shorten them, so the fix text stays visible (P11, P14)", function () {
    const lines = findingLines(plan(["6.0.5", "6.0.5"]));
    assert.ok(lines.length > 0);
    for (const l of lines) assert.ok(l.length <= DIFF_LINE_LIMIT, `${l.length}: ${l}`);
    const joined = lines.join("\n").replace(/\n {4}/g, " ");
    assert.match(
      joined,
      /P11 n0: not checked: .*declare settings\.nonRfc5890Hostnames for this node to check it/,
    );
    assert.ok(
      lines.some((l) => l.startsWith("    ")),
      "a long finding continues on an indented line",
    );
  });

  it("wrapForDiff cuts at spaces, keeps every word, and cuts a word longer than a line", function () {
    const text = Array.from({ length: 60 }, (_, i) => `word${i}`).join(" ");
    const lines = wrapForDiff(text, 50);
    assert.ok(lines.every((l) => l.length <= 50));
    assert.equal(lines.map((l) => l.trim()).join(" "), text);
    assert.deepEqual(wrapForDiff("short"), ["short"]);
    assert.deepEqual(wrapForDiff("x".repeat(120), 50), [
      "x".repeat(50),
      `    ${"x".repeat(46)}`,
      `    ${"x".repeat(24)}`,
    ]);
  });
});

describe("drift classification", function () {
  const up = { reachable: true, booting: false, afterReboot: null };
  it("tells an out-of-band upgrade from a rollback", function () {
    assert.deepEqual(firmwareDrift("sm", "6.3.0", { ...up, version: "6.5.0" }), [
      "upgraded-out-of-band sm: runs 6.5.0, last recorded 6.3.0",
    ]);
    assert.deepEqual(firmwareDrift("sm", "6.3.0", { ...up, version: "6.0.12" }), [
      "rolled-back sm: runs 6.0.12, last recorded 6.3.0",
    ]);
    assert.deepEqual(firmwareDrift("sm", "6.3.0", { ...up, version: "6.3.0" }), []);
  });

  it("reports a node stuck mid-hop: firmware activated but not booted, or an HA unit off", function () {
    const activated = { ...up, version: "6.0.12", afterReboot: "6.3.0" };
    assert.equal(nodeState(activated, "6.3.0"), "stuck-mid-hop");
    assert.match(
      firmwareDrift("sm", "6.0.12", activated)[0] ?? "",
      /^stuck-mid-hop sm: firmware 6\.3\.0 is activated/,
    );
    const unitOff = { ...up, version: "6.3.0", unitPower: { a: "on", b: "off" } };
    assert.match(
      firmwareDrift("sm", "6.3.0", unitOff)[0] ?? "",
      /^stuck-mid-hop sm: HA unit b is powered off/,
    );
  });

  it("reports a changed or expiring license", function () {
    const now = new Date("2026-11-20T00:00:00Z");
    const lines = licenseDrift(
      "sm",
      { serial: "A", major: 6, validNotAfter: "2031-12-31" },
      { serial: "B", major: 6, validNotAfter: "2026-12-01" },
      now,
      30,
    );
    assert.deepEqual(lines, [
      "license-changed sm: serial A -> B, validNotAfter 2031-12-31 -> 2026-12-01",
      "license-expiring sm: ends on 2026-12-01 (in 11 days)",
    ]);
  });

  it("reports plugin and indexer changes", function () {
    assert.deepEqual(pluginDrift("sm", "mfa", "2.1.0", "1.9.0"), [
      "plugin-version-changed sm: plugin mfa is 1.9.0, declared 2.1.0",
    ]);
    assert.deepEqual(pluginDrift("sm", "mfa", "2.1.0", undefined), [
      "plugin-missing sm: plugin mfa is not installed",
    ]);
    assert.deepEqual(
      indexerDrift(
        "idx",
        { version: "6.3.0", service: "running" },
        { version: "6.3.0", service: "stopped" },
        "6.3.0",
      ),
      ["indexer-service-changed idx: service is stopped, expected running"],
    );
  });
});

describe("credentials from stack config", function () {
  it("name the config key and field, never the value, when invalid", function () {
    assert.throws(
      () => parseCredentials(JSON.stringify({ appliance: { username: "admin", password: "" } })),
      (e: Error) => /sps:credentials\.appliance\.password/.test(e.message) && !e.message.includes("admin"),
    );
  });

  it("redact every password, key and license line from messages", function () {
    const c = parseCredentials(
      JSON.stringify({
        appliance: { username: "admin", password: "S3cret-pass" },
        licenses: { l6: '{"serial":"EMU-6-123"}' },
      }),
    );
    const text = redact('login with S3cret-pass failed; license {"serial":"EMU-6-123"}', secretValues(c));
    assert.equal(text, "login with [redacted] failed; license [redacted]");
  });
});

describe("resuming an interrupted run", function () {
  const record = (target: string, updatedAt: string): RunRecord => ({
    plan: { name: "c", target, hops: [], steps: [], findings: [] },
    checkpoint: {
      schemaVersion: 1,
      cluster: "c",
      target,
      finished: [],
      reboots: [],
      secondaryDown: {},
      rolledBack: {},
      updatedAt,
    },
  });

  it("takes the newer of the outputs and the local file, for the same target only", function () {
    const older = record("6.3.0", "2026-01-01T00:00:00Z");
    const newer = record("6.3.0", "2026-01-02T00:00:00Z");
    assert.equal(runToResume(older, newer, "6.3.0"), newer);
    assert.equal(runToResume(newer, older, "6.3.0"), newer);
    assert.equal(runToResume(record("6.0.12", "2026-01-03T00:00:00Z"), undefined, "6.3.0"), undefined);
  });
});

describe("partial-state failures", function () {
  it("carry JSON-only properties: an unreadable (undefined) field must not break the dynamic provider's protobuf Struct", function () {
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    const { Struct } = require("google-protobuf/google/protobuf/struct_pb") as {
      Struct: { fromJavaScript(v: Record<string, unknown>): unknown };
    };
    const e = partialFailure(
      "license/branch: stopped",
      "sps-license:branch",
      { installed: { "sps-branch": { serial: "S-1", major: undefined } }, drift: [] },
      "urn:provider",
    ) as Error & { properties: Record<string, unknown> };
    assert.deepEqual(e.properties, {
      installed: { "sps-branch": { serial: "S-1" } },
      drift: [],
      __provider: "urn:provider",
    });
    assert.doesNotThrow(() => Struct.fromJavaScript(e.properties));
  });
});

describe("licenseConfirmed input (S11)", function () {
  const base = {
    cluster: "branch",
    nodes: [{ name: "sps-branch", address: "https://127.0.0.1:1", tls: { system: true } }],
    license: "sps-6",
    major: 6,
  };
  it("takes the value the gate names and refuses anything else, naming the field and the fix", function () {
    const ok = `sha256:${"ab".repeat(32)}`;
    assert.equal(licenseInputSchema.parse({ ...base, licenseConfirmed: ok }).licenseConfirmed, ok);
    const bad = licenseInputSchema.safeParse({ ...base, licenseConfirmed: "yes" });
    assert.equal(bad.success, false);
    const problems = bad.success ? [] : fieldProblems(bad.error);
    assert.deepEqual(
      problems.map((p) => p.property),
      ["licenseConfirmed"],
    );
    assert.match(problems[0]?.reason ?? "", /sha256:<64 lowercase hex digits>.*the license gate names/);
  });
});
