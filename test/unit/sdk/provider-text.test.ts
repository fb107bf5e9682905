// `__provider` names the runtime by package name, so the state holds no path of the machine that wrote it;
// state written by the version that recorded the runtime's absolute path (the fixture: a `pulumi stack
// export` of examples/standalone after its upgrade, written by that version from a checkout at
// /tmp/sps-old-checkout/pulumi-sps) is rewritten by `sps-upgrade migrate-state`.
import { strict as assert } from "node:assert";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { providerModuleText } from "../../../sdk/dynamic";
import { currentProviderText, migrateStackExport, stackExport } from "../../../sdk/provider-text";
import { runCliCaptured, type CliRun } from "../../support/cli-run";

const FIXTURE = path.join(__dirname, "..", "..", "fixtures", "legacy-provider-state", "stack-export.json");

function fixture(): unknown {
  return JSON.parse(fs.readFileSync(FIXTURE, "utf8"));
}

function providerTexts(doc: unknown): string[] {
  const texts: string[] = [];
  for (const r of stackExport.parse(doc).deployment.resources ?? [])
    for (const props of [r.inputs, r.outputs]) {
      const text = props?.["__provider"];
      if (typeof text === "string") texts.push(text);
    }
  return texts;
}

const cli = (args: string[]): Promise<CliRun> => runCliCaptured(args, new Date().toISOString().slice(0, 10));

describe("__provider without machine paths", function () {
  it("names the runtime by package name, never a path", function () {
    for (const [kind, entry] of [
      ["firmware", "core"],
      ["sppJoin", "integration"],
    ] as const) {
      const text = providerModuleText(kind, entry);
      assert.doesNotMatch(text, /require\("\//, text);
      assert.ok(!text.includes(process.cwd()), text);
      assert.match(text, entry === "core" ? /"pulumi-sps\/runtime"/ : /"pulumi-sps\/runtime\/integration"/);
      assert.match(text, new RegExp(`dynamicProvider\\("${kind}"\\)`));
    }
  });

  it("rewrites the fixture's path texts (inputs and outputs of both resources) and nothing else", function () {
    const before = fixture();
    const old = providerTexts(before);
    assert.equal(old.length, 4);
    for (const text of old)
      assert.match(text, /require\("\/tmp\/sps-old-checkout\/pulumi-sps\/dist\/sdk\/runtime\/index\.js"\)/);
    const { document, rewritten } = migrateStackExport(before);
    assert.deepEqual(rewritten.sort(), [
      "urn:pulumi:e2e::sps-standalone::sps:index:SpsCluster$pulumi-nodejs:dynamic/sps:ClusterFirmware::branch-firmware",
      "urn:pulumi:e2e::sps-standalone::sps:index:SpsCluster$pulumi-nodejs:dynamic/sps:License::branch-license",
    ]);
    assert.deepEqual(providerTexts(document).sort(), [
      providerModuleText("firmware"),
      providerModuleText("firmware"),
      providerModuleText("license"),
      providerModuleText("license"),
    ]);
    // Everything but the four texts is the same document.
    const strip = (doc: unknown): string =>
      JSON.stringify(doc).replace(/"__provider":"(?:[^"\\]|\\.)*"/g, "");
    assert.equal(strip(document), strip(before));
    // Idempotent.
    assert.deepEqual(migrateStackExport(document).rewritten, []);
  });

  it("maps the integration runtime to its entry and leaves texts that are not ours", function () {
    const integration = `exports.handler = () => require("/home/ci/pulumi-sps/dist/sdk/runtime/integration-providers.js").dynamicProvider("sppJoin");`;
    assert.equal(currentProviderText(integration), providerModuleText("sppJoin", "integration"));
    assert.equal(currentProviderText(providerModuleText("firmware")), undefined);
    assert.equal(
      currentProviderText(
        `exports.handler = () => require("/x/other/lib/index.js").dynamicProvider("firmware");`,
      ),
      undefined,
    );
  });

  it("sps-upgrade migrate-state: the export in, the rewritten export out, the count on stderr", async function () {
    const r = await cli(["migrate-state", "--state", FIXTURE]);
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stderr, /2 resource\(s\) rewritten/);
    assert.deepEqual(
      providerTexts(JSON.parse(r.stdout)).filter((t) => t.includes("/tmp/")),
      [],
    );
  });

  it("sps-upgrade migrate-state: a document that is not a stack export is refused (exit 2), naming what is wrong", async function () {
    const file = path.join(fs.mkdtempSync(path.join(os.tmpdir(), "sps-migrate-")), "x.json");
    try {
      fs.writeFileSync(file, JSON.stringify({ version: 3, deployment: { resources: [{ urn: 1 }] } }));
      const r = await cli(["migrate-state", "--state", file]);
      assert.equal(r.code, 2);
      assert.match(r.stderr, /deployment\.resources\.0\.urn: .*pulumi stack export/);
      assert.equal(r.stdout, "");
    } finally {
      fs.rmSync(path.dirname(file), { recursive: true, force: true });
    }
  });
});
