// Firmware by URL through the real engine (S3): examples/firmware-by-url declares the 7.1.1
// image as `{url, sha256}` for a standalone 7.0.3 node; the test serves the ISO from a loopback HTTPS
// mirror (certificate from the lab's CA, basic auth from the URL's userinfo, a token in the query). The
// preview shows `fetch-firmware 7.1.1 from <host>`; `up` makes the node fetch it (one POST
// /api/firmware/fetch, one GET at the mirror: the runner never reads the image), tests it (P12) and
// upgrades; no URL secret in the engine's output, the state or the lab's files (S3).
import { strict as assert } from "node:assert";
import * as fs from "node:fs";
import type { IncomingMessage, ServerResponse } from "node:http";
import { createServer, type Server } from "node:https";
import type { AddressInfo } from "node:net";
import * as path from "node:path";
import { issueServerCertificate } from "../../emulator/common/certificates";
import { sha256OfFile } from "../../emulator/sps/firmware-iso";
import { createTestStack, type TestStack } from "../support/pulumi-engine";
import { startLab, type Lab } from "../support/sps-lab";
import { EXAMPLES, events } from "./sps-helpers";

const USER = "mirror-robot";
const PASS = "Mirror-Pw-80443";
const TOKEN = "sig-7a7a7a7a7a7a";

function filesUnder(dir: string): string[] {
  return fs.readdirSync(dir, { withFileTypes: true }).flatMap((d) => {
    const p = path.join(dir, d.name);
    return d.isDirectory() ? filesUnder(p) : [p];
  });
}

function assertNoSecret(label: string, text: string): void {
  for (const s of [PASS, TOKEN]) {
    const at = text.indexOf(s);
    assert.ok(at < 0, `${label} shows a URL secret (${s}): …${text.slice(Math.max(0, at - 300), at + 100)}…`);
  }
}

describe("firmware fetched by URL through the real engine (examples/firmware-by-url; S3, P12)", function () {
  this.timeout(300_000);
  let lab: Lab;
  let stack: TestStack;
  let mirror: Server;
  const gets: string[] = [];
  let host = "";

  before(async function () {
    const programDir = path.join(EXAMPLES, "firmware-by-url");
    const fleet = JSON.parse(fs.readFileSync(path.join(programDir, "fleet.json"), "utf8")) as unknown;
    lab = await startLab(fleet);
    const iso = path.join(lab.dir, "firmware", "sps-7.1.1.iso");
    const cert = await issueServerCertificate(lab.fleet.ca, "iso-mirror");
    mirror = createServer({ cert: cert.certPem, key: cert.keyPem });
    mirror.on("request", (req: IncomingMessage, res: ServerResponse) => {
      const url = new URL(req.url ?? "/", "https://x");
      const auth = `Basic ${Buffer.from(`${USER}:${PASS}`).toString("base64")}`;
      if (req.headers.authorization !== auth || url.searchParams.get("sig") !== TOKEN)
        return void res.writeHead(403).end("forbidden");
      gets.push(url.pathname);
      fs.createReadStream(iso).pipe(res.writeHead(200, { "content-length": fs.statSync(iso).size }));
    });
    await new Promise<void>((r) => mirror.listen(0, "127.0.0.1", r));
    host = `127.0.0.1:${(mirror.address() as AddressInfo).port}`;
    stack = await createTestStack({
      programDir,
      config: { ...lab.config, "fleet:firmwareSha256": await sha256OfFile(iso) },
      // The URL carries credentials and a token: secret config, as the example's comment says.
      secrets: {
        ...lab.secrets,
        "fleet:firmwareUrl": `https://${USER}:${PASS}@${host}/sps/sps-7.1.1.iso?sig=${TOKEN}`,
      },
    });
  });

  after(async function () {
    await stack?.dispose();
    mirror?.closeAllConnections();
    await new Promise<void>((r) => (mirror ? mirror.close(() => r()) : r()));
    await lab?.stop();
  });

  it("preview --diff shows fetch-firmware from the mirror's host, never its credentials or token", async function () {
    const preview = await stack.preview();
    const text = preview.diffText;
    assert.match(text, new RegExp(`sps-edge: fetch-firmware 7\\.1\\.1 from ${host.replace(/\./g, "\\.")}`));
    assert.match(
      text,
      new RegExp(
        `fetch firmware 7\\.1\\.1 from ${host.replace(/\./g, "\\.")} \\(each node downloads it itself`,
      ),
    );
    // The route: the node's REST tree (read in check) lists fetch.
    assert.match(text, /route sps-edge fetch-firmware: POST \/api\/firmware\/fetch: the node downloads/);
    assert.doesNotMatch(text, /upload-firmware/);
    assertNoSecret("preview", text);
    assert.deepEqual(gets, [], "a preview fetches nothing");
  });

  it("up: the node fetches the ISO once (one GET at the mirror), tests and upgrades; nothing secret in output, state or files", async function () {
    const up = await stack.up();
    const nodes = up.outputs["nodes"] as Record<string, { version: string | null }>;
    assert.equal(nodes["sps-edge"]?.version, "7.1.1");
    assert.equal((await events(lab, { name: "fetch-firmware-start" })).length, 1);
    assert.deepEqual(gets, ["/sps/sps-7.1.1.iso"]);
    const installs = await events(lab, { name: "upload-firmware" });
    assert.deepEqual(
      installs.map((e) => e.detail?.via),
      ["fetch"],
    );
    assert.equal((await events(lab, { name: "reboot" })).length, 1);
    assertNoSecret("engine output", stack.transcript());
    assertNoSecret("state", await stack.stateText());
    assertNoSecret("exported state", await stack.exportState());
    for (const f of filesUnder(lab.dir).filter((p) => fs.statSync(p).size < 4 * 1024 * 1024))
      assertNoSecret(f, fs.readFileSync(f, "latin1"));
    // A second up changes nothing and fetches nothing.
    const again = await stack.up();
    assert.equal(again.resourceChanges["update"] ?? 0, 0);
    assert.equal((await events(lab, { name: "fetch-firmware-start" })).length, 1);
    assert.equal(gets.length, 1);
  });
});
