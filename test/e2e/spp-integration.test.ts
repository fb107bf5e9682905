// SppJoin (J1–J6) and TrafficRedirection through the real Pulumi engine: the example program
// examples/spp-integration against an emulated SPS + emulated SPP and a real Linux router in network
// namespaces (real iptables/ip, reached over a real sshd; test/support/router-netns.ts).
import { strict as assert } from "node:assert";
import * as fs from "node:fs";
import * as path from "node:path";
import type { RunningFleet } from "../../emulator/lab/fleet";
import { EmulatedSpp, sppStateOf } from "../../emulator/spp/spp-emulator";
import { ADMIN, FleetHarness } from "../integration/appliance/emulated-fleet";
import { createTestStack, REPO_ROOT, type TestStack } from "../support/pulumi-engine";
import { NET, RouterLab } from "../support/router-netns";

const TOKEN = "spp-e2e-token-Secret-9931";
const SPP_NAME = "spp.lab.example";
const COMPILED = path.join(REPO_ROOT, "dist", "provider", "resources", "integration-providers.js");

describe("SppJoin and TrafficRedirection as a Pulumi stack (J1–J6)", function () {
  this.timeout(300_000);
  const harness = new FleetHarness();
  let spp: EmulatedSpp;
  let fleet: RunningFleet;
  let lab: RouterLab;
  let stack: TestStack;

  before(async function () {
    if (!fs.existsSync(COMPILED)) throw new Error(`${COMPILED} is missing: run \`npm run build\` first`);
    spp = await EmulatedSpp.start({ certificateNames: [SPP_NAME], apiToken: TOKEN });
    fleet = await harness.start({
      clusters: [{ name: "solo", nodes: [{ name: "sps1", version: "7.0.3" }] }],
    });
    lab = await RouterLab.start();
    await lab.listen(lab.ns.server, 3389, "server");
    await lab.listen(lab.ns.sps, 3389, "sps");
    const node = fleet.node("sps1");
    const ssh = lab.sshOptions();
    stack = await createTestStack({
      programDir: path.join(REPO_ROOT, "examples", "spp-integration"),
      config: {
        node: "sps1",
        address: node.url,
        caPem: fs.readFileSync(node.caCertPath, "utf8"),
        sppAddress: SPP_NAME,
        sppPort: String(spp.httpsPort),
        sppCheckHost: "127.0.0.1",
        sppCaPem: spp.certPem,
        router: JSON.stringify({ host: ssh.host, port: ssh.port, username: "root", hostKey: ssh.hostKey }),
        redirection: JSON.stringify({
          name: "e2e",
          sps: { address: NET.sps, interface: lab.ifaces.sps },
          clientSide: [{ interface: lab.ifaces.client, destinationCidr: NET.serverNet, ports: [3389] }],
          rtTablesPath: lab.rtTablesPath,
        }),
      },
      secrets: {
        "sps:credentials": JSON.stringify({
          appliance: { username: ADMIN.username, password: ADMIN.password },
        }),
        "sps:sppApiToken": TOKEN,
        "sps:routerSsh": JSON.stringify({
          privateKey: fs.readFileSync((ssh.auth as { privateKeyPath: string }).privateKeyPath, "utf8"),
        }),
      },
    });
  });

  after(async function () {
    await stack?.dispose();
    await lab?.stop();
    await harness.stopAll();
    await spp?.stop();
  });

  it("J1: preview says in plain words that joining SPP cannot be undone", async function () {
    const preview = await stack.preview();
    assert.match(preview.diffText, /\+ pulumi-nodejs:dynamic\/sps:SppJoin: \(create\)/);
    assert.match(preview.diffText, /\+ pulumi-nodejs:dynamic\/sps:TrafficRedirection: \(create\)/);
    assert.match(
      preview.diffText,
      /join sps1 to SPP spp\.lab\.example: this cannot be undone — unjoining is done on SPP, not by this stack \(J1\)/,
    );
    assert.equal(spp.modules.size, 0, "preview changes nothing");
  });

  it("J2/J3/J5: up promotes the standalone node, joins SPP and redirects the router's RDP traffic to SPS", async function () {
    const t0 = Date.now();
    const up = await stack.up();
    console.log(`      up (join + router): ${Date.now() - t0} ms`);
    assert.equal(up.outputs["joined"], true);
    assert.ok(fleet.node("sps1").node.roles.includes("central-management"));
    assert.equal(spp.modules.size, 1);
    assert.match(
      up.stdout + up.stderr + stack.transcript(),
      /\[sps\] sppJoin\/sps1: joined SPP spp\.lab\.example/,
    );
    assert.equal(lab.connectFrom(lab.ns.client, NET.server, 3389), "sps");
    assert.ok(up.secretOutputs.includes("tokenFingerprint"), "tokenFingerprint is a secret output");
  });

  it("J6: the SPP token and the SPS password appear nowhere in the state or the transcript", async function () {
    const state = await stack.stateText();
    for (const secret of [TOKEN, ADMIN.password]) {
      assert.ok(!state.includes(secret), "secret in the state files");
      assert.ok(!stack.transcript().includes(secret), "secret in the transcript");
    }
  });

  it("J1: a second up changes nothing", async function () {
    const up = await stack.up();
    assert.deepEqual(
      Object.keys(up.resourceChanges).filter((k) => k !== "same"),
      [],
    );
    assert.equal(spp.modules.size, 1);
  });

  it("J1: refresh after an out-of-band unjoin and a deleted router rule shows the drift; up repairs both", async function () {
    const node = fleet.node("sps1").node;
    sppStateOf(node).join = undefined;
    spp.forget(node.nodeId);
    lab.exec(lab.ns.router, ["iptables", "-t", "mangle", "-D", "PREROUTING", "1"]);
    const refresh = await stack.refresh();
    assert.ok((refresh.resourceChanges["update"] ?? 0) >= 2, JSON.stringify(refresh.resourceChanges));
    const preview = await stack.preview();
    assert.match(preview.diffText, /~ pulumi-nodejs:dynamic\/sps:SppJoin: \(update\)/);
    assert.match(preview.diffText, /~ pulumi-nodejs:dynamic\/sps:TrafficRedirection: \(update\)/);
    const up = await stack.up();
    assert.equal(up.outputs["joined"], true);
    assert.deepEqual(up.outputs["redirectionDrift"], []);
    assert.equal(spp.modules.size, 1);
    assert.equal(lab.connectFrom(lab.ns.client, NET.server, 3389), "sps");
  });

  it("J1: destroy forgets the join with a warning (SPS stays joined) and removes the router configuration", async function () {
    const destroyed = await stack.destroy();
    const printed = destroyed.stdout + destroyed.stderr;
    assert.match(printed, /SPS stays joined to SPP: a join cannot be undone from SPS \(J1\)/);
    assert.ok(sppStateOf(fleet.node("sps1").node).join !== undefined, "still joined on the appliance");
    assert.equal(lab.connectFrom(lab.ns.client, NET.server, 3389), "server");
    assert.doesNotMatch(
      lab.exec(lab.ns.router, ["iptables", "-t", "mangle", "-S", "PREROUTING"]),
      /pulumi-sps/,
    );
  });
});
