// A standalone appliance through the real engine against the emulator: the plan in `preview --diff`
// and `preview --json`, a blocking finding as a check failure naming the field, `up` across two hops,
// a second `up` with no changes, out-of-band changes in `refresh` and `preview --refresh`.
import { strict as assert } from "node:assert";
import {
  drift,
  events,
  labStackPerSuite,
  refreshDiff,
  systemControlEvents,
  upThroughGates,
} from "./sps-helpers";
import { dayOffset } from "../../emulator/sps/license";
import { LAB_LICENSE_END } from "../support/sps-lab";

const FIRMWARE_TYPE = "pulumi-nodejs:dynamic/sps:ClusterFirmware";

/**
 * The property lines the engine prints under one resource of `preview --diff` (up to the next resource
 * or the stack outputs).
 */
function resourceBlock(text: string, header: RegExp): string {
  const lines = text.split("\n");
  const start = lines.findIndex((l) => header.test(l));
  assert.ok(start >= 0, `no ${String(header)} in:\n${text}`);
  const rest = lines.slice(start + 1);
  const end = rest.findIndex((l) => /^\s*[-+~]? ?\S+:\S+: \(|--outputs:--|^Resources:/.test(l));
  return (end < 0 ? rest : rest.slice(0, end)).join("\n");
}

interface PreviewJson {
  steps?: Array<{ op: string; urn: string; newState?: { type: string; inputs?: Record<string, unknown> } }>;
}

describe("a standalone SPS node as a Pulumi stack", function () {
  this.timeout(300_000);
  const ls = labStackPerSuite("standalone");

  it("fails preview on a blocking preflight finding, naming the field and the fix", async function () {
    await drift(ls.lab, "sps-branch", { diskFillupLimitPercent: 99 });
    await assert.rejects(
      () => ls.stack.preview(),
      (e: Error) => {
        assert.match(e.message, /nodes\[0\]\.settings\.diskFillupLimitPercent/);
        assert.match(e.message, /rule P8/);
        return true;
      },
    );
    await drift(ls.lab, "sps-branch", { diskFillupLimitPercent: 90 });
  });

  it("lists the hops and the ordered steps per wave in preview --diff", async function () {
    const preview = await ls.stack.preview();
    const text = preview.diffText.split("\nOutputs:")[0] ?? "";
    assert.match(text, /\+ pulumi-nodejs:dynamic\/sps:ClusterFirmware: \(create\)/);
    assert.match(text, /"hop 1: 5\.0\.0 -> 6\.0\.12"/);
    assert.match(text, /"hop 2: 6\.0\.12 -> 6\.3\.0"/);
    // The engine prints the firmware resource's inputs (and the stack outputs repeat them): one copy each.
    const lines = [
      ...new Set([...text.matchAll(/"(wave \d+(?: hop \d+)? #\d+ [^"]+)"/g)].map((m) => m[1] ?? "")),
    ];
    const seqs = lines.map((l) => Number(/#(\d+)/.exec(l)?.[1]));
    assert.deepEqual(
      seqs,
      [...seqs].sort((a, b) => a - b),
      "steps in seq order",
    );
    const reboot1 = lines.findIndex((l) => /hop 1 #\d+ sps-branch: reboot 6\.0\.12/.test(l));
    const license = lines.findIndex((l) => /upload-license 6\.0\.12/.test(l));
    const verify1 = lines.findIndex((l) => /verify-version 6\.0\.12/.test(l));
    const upload2 = lines.findIndex((l) => /upload-firmware 6\.3\.0/.test(l));
    assert.ok(reboot1 > 0 && license > reboot1 && verify1 > license && upload2 > verify1, lines.join("\n"));
    assert.match(text, /upload-license sps-6 to sps-branch: runs a license for major 5, declared 6/);
  });

  it("prints for the firmware create what a reviewer needs, and none of the wiring (sdk/wiring.ts)", async function () {
    const preview = await ls.stack.preview();
    const block = resourceBlock(
      preview.diffText,
      /\+ pulumi-nodejs:dynamic\/sps:ClusterFirmware: \(create\)/,
    );
    assert.match(block, /^\s+cluster\s+: "branch"$/m);
    assert.match(block, /^\s+target\s+: "6\.3"$/m);
    assert.match(block, /^\s+resolvedTarget: "6\.3\.0"$/m);
    assert.match(block, /^\s+plannedActions: \[$/m);
    assert.match(block, /"hop 2: 6\.0\.12 -> 6\.3\.0"/);
    assert.match(block, /"wave 3 hop 2 #\d+ sps-branch: reboot 6\.3\.0"/);
    assert.match(block, /^\s+planFindings\s+: \[$/m);
    assert.match(block, /"warning P13: the upgrade reboots 1 node\(s\) \(2 hop\(s\)\)/);
    assert.match(block, /^\s+wiringDigest\s+: "sha256:[0-9a-f]{16}"$/m);
    // The wiring: node bindings, firmware image map, system-control argv templates, deadlines, checkpoint.
    const wiring: Array<[string, RegExp]> = [
      ["nodes", /^\s+nodes\s*:/m],
      ["node address", /https:\/\/127\.0\.0\.1/],
      ["trusted CA", /caPem|BEGIN CERTIFICATE/],
      ["firmware image map", /^\s+firmware\s*:|\.iso"/m],
      ["hop licenses map", /^\s+licenses\s*:/m],
      ["systemControl", /systemControl|argv|\{\{node\}\}|channel\s*:/],
      ["deadlines", /deadlines|firstBootMs/],
      ["checkpointDir / checkpointKey", /checkpointDir|checkpointKey/],
      ["__wiring", /__wiring/],
    ];
    for (const [what, pattern] of wiring)
      assert.doesNotMatch(block, pattern, `${what} is not printed for the firmware create:\n${block}`);
    // Short apart from the findings (the guides' cautions and the not-checked rules are what a reviewer
    // reads; their number grows with the rules, the rest of the block must not).
    const withoutFindings = block.replace(
      /^(\s+)planFindings\s*: \[$[\s\S]*?^\1\]$/m,
      "$1planFindings: [...]",
    );
    assert.notEqual(withoutFindings, block, "the findings list is found in the block");
    assert.ok(withoutFindings.split("\n").length < 60, `a short block:\n${block}`);
  });

  it("shows the plan in preview --json", async function () {
    const result = await ls.stack.cli(["preview", "--json", "--stack", ls.stack.name]);
    assert.equal(result.code, 0, result.stderr);
    const doc = JSON.parse(result.stdout) as PreviewJson;
    const step = doc.steps?.find((s) => s.newState?.type === FIRMWARE_TYPE);
    const planned = step?.newState?.inputs?.["plannedActions"] as string[] | undefined;
    assert.ok(planned && planned.includes("hop 2: 6.0.12 -> 6.3.0"), JSON.stringify(step));
  });

  it("upgrades across both hops with no system-control channel: the S11 license is a manual gate, the next up resumes; one reboot per hop", async function () {
    const up = await upThroughGates(ls);
    const printed = [...up.failures, up.stdout + up.stderr].join("\n");
    // The example declares no system-control channel. The S11 upload after the reboot into 6
    // LTS stops at the manual gate (no REST call uploads a license [doc]); the operator uploads the
    // file in the web interface (the helper, as they would) and runs `up` again.
    assert.deepEqual(up.gates, ["sps-branch license sps-6"]);
    const gate = up.failures[0] ?? "";
    assert.match(gate, /step \d+ upload-license \(hop 1 → 6\.0\.12\): upload the 6 LTS license by hand/);
    assert.match(gate, /Open Basic Settings > System > License and upload sps-6\.lic/);
    assert.match(
      gate,
      /the license declared as "sps-6" \(its text is sps:credentials\.licenses\["sps-6"\], SHA-256 [0-9a-f]{64}\)/,
    );
    assert.match(gate, /restarting Traffic control drops every proxied connection/);
    assert.match(gate, /run the deployment again/);
    for (const text of Object.values(ls.lab.licenses))
      assert.ok(!gate.includes(text), "no license text in the gate");
    assert.match(printed, /upload-license 6\.0\.12 skipped: license already valid for 6 LTS/);
    // No system-control operation reached the node: reboots by the upgrade call, the license by the web interface.
    assert.deepEqual(await systemControlEvents(ls.lab, "sps-branch"), []);
    assert.deepEqual(
      (await events(ls.lab, { node: "sps-branch", name: "upload-license" })).map((e) => e.detail?.["via"]),
      ["web-interface"],
    );
    // The default ("reboots") reading: the upgrade call itself reboots the node, observed and said so;
    // the reboot step only waits — no system-control reboot (docs/appliance-facts.md §1).
    assert.match(
      printed,
      /\[sps\] firmware\/branch: \+[\d.]+s #\d+ hop 1 sps-branch activate-firmware 6\.0\.12 done: slot \d \(6\.0\.12\): the upgrade call rebooted the node/,
    );
    assert.match(
      printed,
      /#\d+ hop 1 sps-branch reboot 6\.0\.12 skipped: reboot for hop 1 already issued by the upgrade call/,
    );
    assert.match(printed, /\[sps\] firmware\/branch: done: sps-branch=6\.3\.0/);
    const nodes = up.outputs["nodes"] as Record<string, { version: string; state: string }>;
    assert.deepEqual(
      { version: nodes["sps-branch"]?.version, state: nodes["sps-branch"]?.state },
      { version: "6.3.0", state: "on-target" },
    );
    const reboots = await events(ls.lab, { node: "sps-branch", name: "reboot" });
    assert.deepEqual(
      reboots.map((e) => `${String(e.detail?.["afterReboot"])} via ${String(e.detail?.["via"])}`),
      ["6.0.12 via upgrade-call", "6.3.0 via upgrade-call"],
    );
  });

  it("reports no changes on a second preview and a second up", async function () {
    const preview = await ls.stack.preview();
    assert.deepEqual(preview.changeSummary, { same: 4 });
    assert.doesNotMatch(preview.diffText, /^\s*[-+~] /m, preview.diffText);
    assert.doesNotMatch(preview.diffText, /plannedActions|wiringDigest/, preview.diffText);
    const up = await ls.stack.up();
    assert.deepEqual(up.resourceChanges, { same: 4 });
    assert.equal((await events(ls.lab, { node: "sps-branch", name: "reboot" })).length, 2);
  });

  it("shows an out-of-band license change in refresh and preview --refresh", async function () {
    // A license ending in 20 days by the clock under test: inside the expiry warning, on any day it runs.
    const endsOn = dayOffset(20);
    await drift(ls.lab, "sps-branch", { license: { major: 6, validNotAfter: endsOn } });
    const refresh = await refreshDiff(ls);
    assert.match(refresh, /~ pulumi-nodejs:dynamic\/sps:License: \(update\)/);
    assert.ok(
      refresh.includes(`license-changed sps-branch: validNotAfter ${LAB_LICENSE_END} -> ${endsOn}`),
      refresh,
    );
    assert.match(refresh, new RegExp(`license-expiring sps-branch: ends on ${endsOn} \\(in (19|20) days\\)`));
    const preview = await ls.stack.preview({ refresh: true });
    assert.match(preview.diffText, /~ pulumi-nodejs:dynamic\/sps:License: \(update\)/);
    assert.ok(
      preview.diffText.includes(`upload-license sps-6 to sps-branch: license ends ${endsOn}`),
      preview.diffText,
    );
  });

  it("shows an out-of-band upgrade in refresh, and preview refuses to plan the downgrade (V3)", async function () {
    await drift(ls.lab, "sps-branch", { version: "6.5.0" });
    const refresh = await refreshDiff(ls);
    assert.match(refresh, /~ pulumi-nodejs:dynamic\/sps:ClusterFirmware: \(update\)/);
    assert.match(refresh, /version\s*: "6\.3\.0" => "6\.5\.0"/);
    assert.match(refresh, /upgraded-out-of-band sps-branch: runs 6\.5\.0, last recorded 6\.3\.0/);
    await assert.rejects(
      () => ls.stack.preview({ refresh: true }),
      (e: Error) => /target/.test(e.message) && /V3/.test(e.message),
    );
  });

  it("forgets on destroy and never downgrades (V3)", async function () {
    const before = (await events(ls.lab, { node: "sps-branch", kind: "action" })).length;
    const destroy = await ls.stack.destroy();
    assert.match(destroy.stdout + destroy.stderr, /forgotten: the appliances keep their firmware/);
    assert.equal(
      (await events(ls.lab, { node: "sps-branch", kind: "action" })).length,
      before,
      "no action on the appliance",
    );
    const state = JSON.parse(await ls.stack.exportState()) as { deployment?: { resources?: unknown[] } };
    assert.deepEqual(state.deployment?.resources ?? [], []);
  });

  it("never stores or prints a password or license text", async function () {
    const state = await ls.stack.exportState();
    const files = await ls.stack.stateText();
    const printed = ls.stack.transcript();
    const secrets = [ls.lab.password, ...Object.values(ls.lab.licenses)];
    for (const secret of secrets) {
      assert.equal(state.includes(secret), false, "exported state");
      assert.equal(files.includes(secret), false, "state files");
      assert.equal(printed.includes(secret), false, "printed output");
    }
    assert.match(files, /ciphertext/, "secret outputs are stored encrypted");
  });
});
