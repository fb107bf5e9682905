// State without machine paths, through the real engine: `__provider` names the runtime by package name, so
// the state holds no path of the checkout that wrote it. A stack written by the version that recorded the
// runtime's absolute path (its texts taken verbatim from test/fixtures/legacy-provider-state, a
// `pulumi stack export` that version wrote from a checkout at /tmp/sps-old-checkout/pulumi-sps, gone since):
// from this checkout Pulumi's dynamic-provider host cannot load it; `sps-upgrade migrate-state` rewrites it
// for refresh and the drift job, and an `up` rewrites every resource's text (inputs and outputs).
import { strict as assert } from "node:assert";
import { spawnSync } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { providerModuleText } from "../../sdk/dynamic";
import { REPO_ROOT } from "../support/pulumi-engine";
import { driftJob, labStack, upThroughGates, type LabStack } from "./sps-helpers";

interface StateResource {
  urn: string;
  type: string;
  inputs?: Record<string, unknown>;
  outputs?: Record<string, unknown>;
}
interface StateDoc {
  deployment: { resources?: StateResource[] };
}

const SPS_TYPE = /^pulumi-nodejs:dynamic\/sps:/;
const FIXTURE = path.join(REPO_ROOT, "test", "fixtures", "legacy-provider-state", "stack-export.json");
const OLD_CHECKOUT = "/tmp/sps-old-checkout/pulumi-sps";

function kindOf(text: unknown): string {
  const kind = /dynamicProvider\("(\w+)"\)/.exec(String(text))?.[1];
  assert.ok(kind, `no kind in ${String(text)}`);
  return kind;
}

/** Kind → the `__provider` text the path-recording version wrote (from the fixture). */
function legacyTexts(): Map<string, string> {
  const doc = JSON.parse(fs.readFileSync(FIXTURE, "utf8")) as StateDoc;
  const texts = new Map<string, string>();
  for (const r of doc.deployment.resources ?? [])
    if (SPS_TYPE.test(r.type)) {
      const text = String(r.outputs?.["__provider"]);
      texts.set(kindOf(text), text);
    }
  return texts;
}

describe("state without machine paths (__provider by package name; older path-recording state rewritten)", function () {
  this.timeout(600_000);
  let ls: LabStack;
  let work: string;
  const legacy = legacyTexts();

  async function state(): Promise<StateDoc> {
    return JSON.parse(await ls.stack.exportState()) as StateDoc;
  }

  function ours(doc: StateDoc): StateResource[] {
    return (doc.deployment.resources ?? []).filter((r) => SPS_TYPE.test(r.type));
  }

  async function importState(doc: StateDoc | string, name: string): Promise<void> {
    const file = path.join(work, name);
    fs.writeFileSync(file, typeof doc === "string" ? doc : JSON.stringify(doc));
    const r = await ls.stack.cli(["stack", "import", "--file", file, "--stack", ls.stack.name]);
    assert.equal(r.code, 0, r.stderr);
  }

  /** The current state with every `__provider` (inputs and outputs) as the path-recording version wrote it. */
  async function importLegacyState(): Promise<void> {
    const doc = await state();
    for (const r of ours(doc))
      for (const props of [r.inputs, r.outputs]) {
        const text = legacy.get(kindOf(props?.["__provider"]));
        assert.ok(props && text, `${r.urn}: no fixture text`);
        props["__provider"] = text;
      }
    await importState(doc, "legacy.json");
  }

  function assertCurrentTexts(doc: StateDoc): void {
    const resources = ours(doc);
    assert.ok(resources.length >= 2);
    for (const r of resources) {
      const kind = kindOf(r.outputs?.["__provider"]);
      assert.equal(r.inputs?.["__provider"], providerModuleText(kind), `${r.urn} inputs`);
      assert.equal(r.outputs?.["__provider"], providerModuleText(kind), `${r.urn} outputs`);
    }
  }

  before(async function () {
    assert.deepEqual([...legacy.keys()].sort(), ["firmware", "license"]);
    assert.ok(!fs.existsSync(OLD_CHECKOUT), `${OLD_CHECKOUT} must not exist: it stands for another machine`);
    work = fs.mkdtempSync(path.join(os.tmpdir(), "sps-provider-path-"));
    ls = await labStack("standalone");
    await upThroughGates(ls);
  });

  after(async function () {
    await ls?.dispose();
    if (work) fs.rmSync(work, { recursive: true, force: true });
  });

  it("records __provider without a path of this machine", async function () {
    const doc = await state();
    assertCurrentTexts(doc);
    for (const r of ours(doc)) assert.ok(!String(r.outputs?.["__provider"]).includes(REPO_ROOT), r.urn);
  });

  it("a path-recording state: the host cannot load it here; migrate-state rewrites it, then refresh and the drift job pass", async function () {
    await importLegacyState();
    const failed = await ls.stack.cli(["refresh", "--yes", "--stack", ls.stack.name]);
    assert.notEqual(failed.code, 0);
    assert.match(`${failed.stdout}\n${failed.stderr}`, /Cannot find module '\/tmp\/sps-old-checkout\//);

    const migrated = spawnSync(
      process.execPath,
      [path.join(REPO_ROOT, "bin", "sps-upgrade.js"), "migrate-state"],
      { input: await ls.stack.exportState(), encoding: "utf8" },
    );
    assert.equal(migrated.status, 0, migrated.stderr);
    assert.match(migrated.stderr, /2 resource\(s\) rewritten/);
    await importState(migrated.stdout, "migrated.json");
    assertCurrentTexts(await state());

    const refresh = await ls.stack.refresh();
    assert.equal(refresh.resourceChanges["update"] ?? 0, 0, refresh.stdout);
    const job = await driftJob(ls);
    assert.deepEqual({ refresh: job.refresh, preview: job.preview }, { refresh: 0, preview: 0 }, job.text);
  });

  it("a path-recording state: an up rewrites every resource's __provider (inputs and outputs) and changes nothing else", async function () {
    await importLegacyState();
    const up = await ls.stack.up();
    assert.equal(up.resourceChanges["update"], 2, up.stdout);
    assert.equal(up.resourceChanges["create"] ?? 0, 0, up.stdout);
    assertCurrentTexts(await state());
    await ls.stack.refresh();
    const again = await ls.stack.up();
    assert.deepEqual(Object.keys(again.resourceChanges), ["same"], again.stdout);
  });
});
