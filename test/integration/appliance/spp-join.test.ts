/**
 * SPP join (J1–J6) against the emulated SPS fleet and a tiny emulated SPP (real HTTPS with its own
 * certificate; see emulator/spp/spp-emulator.ts, emulator/sps/api-spp-routes.ts).
 */
import assert from "node:assert/strict";
import { X509Certificate } from "node:crypto";
import { readFileSync } from "node:fs";
import {
  joinSpp,
  planSppJoin,
  preflightSppJoin,
  readSppJoin,
  SppJoinError,
  validateSppJoin,
  type SppJoinSpecInput,
} from "../../../provider/clients/spp/spp-join";
import type { RunningFleet } from "../../../emulator/lab/fleet";
import { EmulatedSpp, HALF_DONE_JOIN_MS, sppStateOf } from "../../../emulator/spp/spp-emulator";
import {
  adminConnection,
  ADMIN,
  FleetHarness,
  rawLogin,
  rawRequest,
  singleNodeFleet,
} from "./emulated-fleet";

const TOKEN = "spp-api-token-Secret-4711";
const SPP_NAME = "spp.lab.example";

describe("SPP join against the emulated SPS and an emulated SPP", function () {
  this.timeout(30_000);
  const harness = new FleetHarness();
  let spp: EmulatedSpp;
  let fleet: RunningFleet;

  before(async () => {
    spp = await EmulatedSpp.start({ certificateNames: [SPP_NAME], apiToken: TOKEN });
  });
  after(async () => {
    await harness.stopAll();
    await spp?.stop();
  });
  beforeEach(async () => {
    fleet = await harness.start(singleNodeFleet("7.0.3"));
    // Every emulated SPS listens on 127.0.0.1: a fresh SPP per test, or one test's join would read
    // as another's (a real SPP tells SPS nodes apart by their addresses and host names).
    spp.modules.clear();
  });

  function spec(
    extra: Partial<SppJoinSpecInput> = {},
    sppExtra: Record<string, unknown> = {},
  ): SppJoinSpecInput {
    return {
      sps: adminConnection(fleet, "sps1"),
      spp: {
        address: SPP_NAME,
        certificateCheckHost: "127.0.0.1",
        port: spp.httpsPort,
        apiToken: TOKEN,
        tls: { mode: "pin", sha256Fingerprint: new X509Certificate(spp.certPem).fingerprint256 },
        ...sppExtra,
      },
      firewall: { tcp8649BothWays: true, tcp443SpsToSpp: true },
      ...extra,
    };
  }

  const assertNoSecret = (e: unknown): void => {
    const text = `${(e as Error).message} ${JSON.stringify((e as SppJoinError).details ?? {})}`;
    assert.ok(!text.includes(TOKEN), "the SPP API token must never appear in messages");
    assert.ok(!text.includes(ADMIN.password), "the SPS password must never appear in messages");
  };

  it("J2: a standalone node is refused with a clear message unless promoteStandalone is set", async () => {
    await assert.rejects(joinSpp(spec()), (e: unknown) => {
      assert.ok(e instanceof SppJoinError);
      assert.equal(e.kind, "not-central-management");
      assert.match(e.message, /standalone.*promoteStandalone: true/s);
      assertNoSecret(e);
      return true;
    });
    assert.equal(spp.modules.size, 0, "nothing reached SPP");
  });

  it("J2/J3/J5: with promoteStandalone the node is promoted, config sync enabled and joined; SPP lists it; a second join changes nothing", async () => {
    const t0 = Date.now();
    const result = await joinSpp(spec({ promoteStandalone: true }));
    console.log(`      join (preflight + promote + join): ${Date.now() - t0} ms`);
    assert.equal(result.promoted, true);
    assert.equal(result.enabledConfigSync, true);
    assert.equal(result.joined, true);
    const node = fleet.node("sps1").node;
    assert.ok(node.roles.includes("central-management"));
    assert.ok(spp.modules.has(node.nodeId));
    // The cluster interface is bound to the NIC address SPS is reached on, looked up as [ps] does
    // (nic1 interface 2 in the emulator; interface 1 carries another address).
    assert.equal(sppStateOf(node).clusterInterface.listenAddress, "nic1.interfaces.2.addresses.1");
    assert.equal(sppStateOf(node).clusterInterface.enabled, true);
    // The join state is read on SPP's side (Cluster/SessionModules [ps]), pinned or freshly checked.
    assert.deepEqual(await readSppJoin(spec()), { joined: true, spp: SPP_NAME });
    assert.deepEqual(await readSppJoin(spec(), undefined, result.certificateSha256), {
      joined: true,
      spp: SPP_NAME,
    });
    assert.ok(spp.requests.some((r) => r.path.startsWith("/service/core/v4/Cluster/SessionModules?fields=")));
    const again = await joinSpp(spec({ promoteStandalone: true }));
    assert.equal(again.joined, false);
    assert.equal(spp.modules.size, 1);
  });

  it("J1: a join reversed on SPP (its session module deleted) reads as not joined", async () => {
    const result = await joinSpp(spec({ promoteStandalone: true }));
    spp.forget(fleet.node("sps1").node.nodeId);
    assert.deepEqual(await readSppJoin(spec(), undefined, result.certificateSha256), {
      joined: false,
      spp: undefined,
    });
  });

  it("reads the SPP join state only from an SPP whose certificate matches the recorded pin", async () => {
    await joinSpp(spec({ promoteStandalone: true }));
    const before = spp.requests.length;
    await assert.rejects(readSppJoin(spec(), undefined, "AA".repeat(32)), /does not match the pinned/);
    assert.equal(spp.requests.length, before, "no request (and no token) reached SPP");
  });

  it("J3: an SPP whose certificate is not verified never receives the token: preflight, join and read report 'not verifiable' naming spp.tls", async () => {
    const tokensSeen = (): number => spp.requests.length;
    const before = tokensSeen();
    const untrusted = [
      {}, // no spp.tls declared
      { tls: { mode: "pin", sha256Fingerprint: "AB".repeat(32) } }, // a pin of another certificate
      { tls: { mode: "ca", caPem: readFileSync(fleet.node("sps1").caCertPath, "utf8") } }, // another CA
    ];
    for (const extra of untrusted) {
      const s = spec({ promoteStandalone: true }, extra);
      if (!("tls" in extra)) delete (s.spp as { tls?: unknown }).tls;
      const pre = await preflightSppJoin(s);
      assert.ok(pre.joined.notVerifiable, `not verifiable for ${JSON.stringify(extra)}`);
      assert.ok(pre.findings.some((f) => f.property === "spp.tls" && f.blocking));
      await assert.rejects(joinSpp(s), (e: unknown) => {
        assert.ok(e instanceof SppJoinError);
        assert.equal(e.kind, "certificate-untrusted");
        assert.match(e.message, /spp\.tls/);
        assertNoSecret(e);
        return true;
      });
      const state = await readSppJoin(s);
      assert.equal(state.joined, false);
      assert.match(state.notVerifiable ?? "", /spp\.tls/);
    }
    assert.equal(tokensSeen(), before, "no HTTP request (and so no token) reached the untrusted SPP");
    assert.equal(fleet.node("sps1").node.roles.length, 0, "nothing changed on SPS either");
  });

  it("J3: SPP's certificate trusted through a CA bundle (spp.tls.caPem) lets the join and the read go ahead", async () => {
    const s = spec({ promoteStandalone: true }, { tls: { mode: "ca", caPem: spp.certPem } });
    assert.equal((await joinSpp(s)).joined, true);
    assert.deepEqual(await readSppJoin(s), { joined: true, spp: SPP_NAME });
  });

  it("J1/J4: after a join was reversed on SPP, a re-join is blocked by its own safeguard_default policies unless marked rejoin", async () => {
    assert.equal((await joinSpp(spec({ promoteStandalone: true }))).joined, true);
    const node = fleet.node("sps1").node;
    spp.forget(node.nodeId);
    await assert.rejects(
      joinSpp(spec()),
      (e: unknown) => (e as SppJoinError).kind === "policy-name-conflict",
    );
    const again = await joinSpp(spec({ rejoin: true }));
    assert.equal(again.joined, true);
    assert.ok(spp.modules.has(node.nodeId));
  });

  it("J3: a join by IPv4 while SPP's certificate carries only its DNS name is refused in preflight, naming spp.address", async () => {
    await assert.rejects(
      joinSpp(spec({ promoteStandalone: true }, { address: "127.0.0.1" })),
      (e: unknown) => {
        assert.ok(e instanceof SppJoinError);
        assert.equal(e.kind, "certificate-hostname");
        assert.match(e.message, /spp\.address.*not on SPP's certificate.*spp\.lab\.example/s);
        return true;
      },
    );
  });

  it("J6: SPS's own JoinFailed certificate error maps to 'use the name on SPP's certificate; wait about 5 minutes', and the half-done join blocks a retry", async () => {
    const node = fleet.node("sps1").node;
    node.roles = ["central-management"];
    sppStateOf(node).clusterInterface.enabled = true;
    // Bypass the client preflight: send the join with an address SPP's certificate does not carry.
    const cookie = await rawLogin(fleet, "sps1");
    const body = JSON.stringify({
      spp: "127.0.0.1",
      spp_api_token: TOKEN,
      spp_cert_chain: Buffer.from(spp.certPem).toString("base64"),
    });
    const raw = await rawRequest(fleet, "sps1", {
      method: "POST",
      path: "/api/cluster/spp",
      headers: { Cookie: cookie, "Content-Type": "application/json" },
      body,
    });
    assert.equal(raw.status, 400);
    const { mapJoinFailure } = await import("../../../provider/clients/spp/spp-join");
    const mapped = mapJoinFailure(raw.body, [TOKEN]);
    assert.equal(mapped.kind, "certificate-hostname");
    assert.match(mapped.message, /use the name on SPP's certificate/);
    assert.match(mapped.message, /wait about 5 minutes before retrying a half-done join/);
    assert.match(mapped.message, /hostname '127\.0\.0\.1' doesn't match 'spp\.lab\.example'/);
    // A correct join right away is refused until the half-done one has timed out (emulated 5 minutes).
    await assert.rejects(joinSpp(spec()), (e: unknown) => (e as SppJoinError).kind === "half-done-join");
    sppStateOf(node).pendingJoinUntil = node.clock.now() - 1;
    assert.ok(HALF_DONE_JOIN_MS === 300_000);
    assert.equal((await joinSpp(spec())).joined, true);
  });

  it("J6/J3: a token without the Appliance and Operations permissions → 60108/403 mapped to authorization, token redacted", async () => {
    await assert.rejects(
      joinSpp(spec({ promoteStandalone: true }, { apiToken: "wrong-token-Secret-0815" })),
      (e: unknown) => {
        assert.ok(e instanceof SppJoinError);
        assert.equal(e.kind, "authorization");
        assert.match(e.message, /60108 \/ HTTP 403/);
        assert.match(e.message, /Appliance and Operations permissions/);
        assert.ok(!e.message.includes("wrong-token-Secret-0815"));
        assertNoSecret(e);
        return true;
      },
    );
  });

  it("J6: SPP already holding this node's NodeId → 60657/400 mapped to already joined / invalid NodeId", async () => {
    const node = fleet.node("sps1").node;
    // Registered on SPP under another address and name: SPP still refuses the NodeId (60657).
    spp.modules.set(node.nodeId, {
      nodeId: node.nodeId,
      host: "192.0.2.99",
      joinedAt: new Date().toISOString(),
    });
    try {
      await assert.rejects(joinSpp(spec({ promoteStandalone: true })), (e: unknown) => {
        assert.ok(e instanceof SppJoinError);
        assert.equal(e.kind, "already-joined-or-node-id");
        assert.match(
          e.message,
          /60657 \/ HTTP 400.*already has this SPS node, or its NodeId is missing or invalid/s,
        );
        return true;
      });
    } finally {
      spp.forget(node.nodeId);
    }
  });

  it("J4: a policy whose name contains safeguard_default blocks the join in preflight", async () => {
    const node = fleet.node("sps1").node;
    sppStateOf(node).policies["/api/configuration/ssh/channel_policies"] = [
      "default",
      "my_safeguard_default_ssh",
    ];
    const pre = await preflightSppJoin(spec({ promoteStandalone: true }));
    assert.deepEqual(pre.conflictingPolicies, [
      "/api/configuration/ssh/channel_policies: my_safeguard_default_ssh",
    ]);
    await assert.rejects(
      joinSpp(spec({ promoteStandalone: true })),
      (e: unknown) =>
        (e as SppJoinError).kind === "policy-name-conflict" && /Rename them first/.test((e as Error).message),
    );
  });

  it("J2: configuration sync off on a CM node is refused with the fix (enable the cluster interface)", async () => {
    const node = fleet.node("sps1").node;
    node.roles = ["central-management"];
    await assert.rejects(
      joinSpp(spec()),
      (e: unknown) =>
        (e as SppJoinError).kind === "config-sync-off" && /Cluster interface/.test((e as Error).message),
    );
  });

  it("J2: a managed host (member of a cluster, not CM) is refused: point sps.endpoint at the CM node", async () => {
    fleet.node("sps1").node.roles = ["managed-host", "search-minion"];
    await assert.rejects(
      joinSpp(spec({ promoteStandalone: true })),
      (e: unknown) =>
        (e as SppJoinError).kind === "not-central-management" &&
        /central-management/.test((e as Error).message),
    );
  });
});

describe("SPP join spec and plan (J1, J3, J5)", () => {
  const base = {
    sps: { endpoint: "https://sps.example", credentials: { username: "admin", password: "pw" } },
    spp: { address: "spp.example", apiToken: "t" },
    firewall: { tcp8649BothWays: true, tcp443SpsToSpp: true },
  };

  it("J5: undeclared firewall openings are refused, naming the field and what to open", () => {
    const r = validateSppJoin({ ...base, firewall: { tcp8649BothWays: false, tcp443SpsToSpp: true } });
    assert.equal(r.ok, false);
    if (!r.ok) assert.match(r.problems[0]?.reason ?? "", /TCP 8649 both ways/);
    const missing = validateSppJoin({ sps: base.sps, spp: base.spp });
    assert.equal(missing.ok, false);
    if (!missing.ok) assert.ok(missing.problems.some((p) => p.property === "firewall"));
  });

  it("J3: SPP address must be IPv4 or a hostname (IPv6, URLs and ports refused)", () => {
    for (const bad of ["2001:db8::5", "https://spp.example", "spp.example:443", "300.1.1.1"]) {
      const r = validateSppJoin({ ...base, spp: { ...base.spp, address: bad } });
      assert.equal(r.ok, false, bad);
      if (!r.ok) assert.equal(r.problems[0]?.property, "spp.address");
    }
    assert.ok(validateSppJoin({ ...base, spp: { ...base.spp, address: "192.0.2.5" } }).ok);
  });

  it("J1: a changed primary IP of SPS or SPP plans a re-join; unchanged plans nothing", () => {
    const prev = { spp: "spp.example", spsPrimaryAddress: "192.0.2.10", sppPrimaryAddress: "192.0.2.20" };
    assert.equal(planSppJoin(undefined, prev).action, "join");
    assert.match(planSppJoin(undefined, prev).reason, /cannot be undone/);
    assert.equal(planSppJoin(prev, prev).action, "none");
    assert.equal(planSppJoin(prev, { ...prev, sppPrimaryAddress: "192.0.2.21" }).action, "rejoin");
    assert.equal(planSppJoin(prev, { ...prev, spsPrimaryAddress: "192.0.2.11" }).action, "rejoin");
  });
});

describe("emulated SPS: references and transactions of the cluster interface and promotion", function () {
  this.timeout(30_000);
  const harness = new FleetHarness();
  let fleet: RunningFleet;
  let cookie: string;
  beforeEach(async () => {
    fleet = await harness.start(singleNodeFleet("7.0.3"));
    cookie = await rawLogin(fleet, "sps1");
  });
  after(() => harness.stopAll());

  const call = (method: string, path: string, body?: unknown) =>
    rawRequest(fleet, "sps1", {
      method,
      path,
      headers: {
        Cookie: cookie,
        "Content-Type": "application/json",
        ...(body === undefined ? {} : { "Content-Length": String(Buffer.byteLength(JSON.stringify(body))) }),
      },
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
    });
  const CLUSTER = "/api/configuration/local_services/cluster";

  it("returns listen_address as a {key, meta} reference and refuses the object in a write (the key string is accepted)", async () => {
    const got = await call("GET", CLUSTER);
    const ref = (got.body as { body: { listen_address: { key: string; meta: { href: string } } } }).body
      .listen_address;
    assert.equal(typeof ref.key, "string");
    assert.match(ref.meta.href, /^\/api\/configuration\/network\/nics\/nic1#interfaces\//);
    const echoed = await call("PUT", CLUSTER, { enabled: true, listen_address: ref });
    assert.equal(echoed.status, 400);
    assert.match(JSON.stringify(echoed.body), /listen_address must be the key string/);
    const unknownKey = await call("PUT", CLUSTER, {
      enabled: true,
      listen_address: "nic9.interfaces.1.addresses.1",
    });
    assert.equal(unknownKey.status, 400);
    const ok = await call("PUT", CLUSTER, { enabled: true, listen_address: "nic1.interfaces.2.addresses.1" });
    assert.equal(ok.status, 200);
  });

  it("applies the cluster interface and the promotion only when the transaction is committed", async () => {
    const node = fleet.node("sps1").node;
    assert.equal((await call("POST", "/api/transaction", {})).status, 200);
    await call("PUT", CLUSTER, { enabled: true, listen_address: "nic1.interfaces.2.addresses.1" });
    assert.equal((await call("POST", "/api/cluster/promote", {})).status, 200);
    assert.equal(sppStateOf(node).clusterInterface.enabled, false, "not before the commit");
    assert.equal(node.roles.length, 0, "not promoted before the commit");
    const changes = (await call("GET", "/api/transaction/changes")).body as { changes: unknown[] };
    assert.equal(changes.changes.length, 2);
    // Cancelled: nothing applies.
    await call("DELETE", "/api/transaction");
    assert.equal(sppStateOf(node).clusterInterface.enabled, false);
    assert.equal(node.roles.length, 0);
    // Staged again and committed: both apply.
    await call("PUT", CLUSTER, { enabled: true, listen_address: "nic1.interfaces.2.addresses.1" });
    await call("POST", "/api/cluster/promote", {});
    assert.equal((await call("PUT", "/api/transaction", { status: "commit" })).status, 200);
    assert.equal(sppStateOf(node).clusterInterface.enabled, true);
    assert.equal(sppStateOf(node).clusterInterface.listenAddress, "nic1.interfaces.2.addresses.1");
    assert.ok(node.roles.includes("central-management"));
  });
});
