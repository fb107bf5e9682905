/**
 * The REST client against a hostile appliance (test/support/hostile-appliance.ts): a slow drip is
 * stopped by the request's overall deadline, an endless body by the byte cap — both naming the node
 * and the limit — through `SpsRestClient`, `RestJsonCalls` and `sps-upgrade doctor`; nothing is written.
 * Without the deadline the drip never ends (the test's own timeout fails it); without the cap the
 * endless body is read until memory runs out.
 */
import assert from "node:assert/strict";
import { readFileSync, writeFileSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { ApplianceApiError } from "../../../provider/clients/sps/api-error";
import { ANSWER_TOO_LARGE, JSON_ANSWER_MAX_BYTES } from "../../../provider/clients/sps/answer-limits";
import { RestCallError, RestJsonCalls } from "../../../provider/clients/sps/rest-json-calls";
import { SpsRestClient } from "../../../provider/clients/sps/sps-rest-client";
import { runCliCaptured } from "../../support/cli-run";
import {
  drip,
  endless,
  HOSTILE_SESSION_ID,
  HostileAppliance,
  json,
  reset,
  spsAnswers,
} from "../../support/hostile-appliance";

const LOGIN = { username: "admin", password: "Hostile-Passw0rd!" };

/** The hostile appliance of the running test and its temporary folder (both set up per test). */
let appliance: HostileAppliance;
let dir: string;

/** Gives each test of the calling describe a fresh folder; stops its appliance and removes the folder after it. */
function stopAfterEach(): void {
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), "hostile-test-"));
  });
  afterEach(async () => {
    await appliance?.stop();
    rmSync(dir, { recursive: true, force: true });
  });
}

/** The doctor's inventory (cluster dc, node h1 at the appliance, its CA trusted) and credentials files. */
function doctorFiles(): { inventory: string; credentials: string } {
  const inventory = join(dir, "inventory.json");
  writeFileSync(
    inventory,
    JSON.stringify({
      defaults: { target: "7.0", tls: { caFile: appliance.caCertPath } },
      clusters: [{ name: "dc", nodes: [{ name: "h1", version: "7.0.3", address: appliance.url }] }],
    }),
  );
  const credentials = join(dir, "credentials.json");
  writeFileSync(credentials, JSON.stringify({ appliance: LOGIN }));
  return { inventory, credentials };
}

async function rejection(p: Promise<unknown>): Promise<Error> {
  try {
    await p;
  } catch (e) {
    return e as Error;
  }
  assert.fail("expected the call to fail");
}

describe("REST client against a hostile appliance: bounded in time and bytes", function () {
  this.timeout(30_000);
  stopAfterEach();

  const client = (timeoutMs: number): SpsRestClient =>
    new SpsRestClient(
      {
        endpoint: appliance.url,
        credentials: LOGIN,
        tls: { mode: "ca", caPem: readFileSync(appliance.caCertPath, "utf8") },
        name: "hostile-node",
        timeoutMs,
        retry: { attempts: 1 },
      },
      { log: { warn: () => undefined } },
    );

  it("a slow drip (a byte every 20 ms, never ending) fails at the request's deadline, not at the inactivity timeout", async () => {
    appliance = await new HostileAppliance({ ...spsAnswers("7.0.3"), "/api/info": drip(20) }).start();
    const c = client(600);
    try {
      const e = await rejection(c.getInfo());
      assert.ok(e instanceof ApplianceApiError, String(e));
      assert.equal(e.causeCode, "ETIMEDOUT");
      assert.match(e.message, /SPS hostile-node: GET \/api\/info failed.*no complete answer within 600 ms/);
      assert.ok(appliance.sent("/api/info") > 14, "the drip was being read when the deadline came");
    } finally {
      c.close();
    }
  });

  it("an endless body is not read past the cap: the error names the node and the cap, the server sent little more", async () => {
    appliance = await new HostileAppliance({ ...spsAnswers("7.0.3"), "/api/info": endless() }).start();
    const c = client(20_000);
    try {
      const e = await rejection(c.getInfo());
      assert.ok(e instanceof ApplianceApiError, String(e));
      assert.equal(e.causeCode, ANSWER_TOO_LARGE);
      assert.equal(e.failure, "protocol");
      assert.match(
        e.message,
        new RegExp(`SPS hostile-node: GET /api/info .*larger than ${JSON_ANSWER_MAX_BYTES} bytes`),
      );
      // Socket and TLS buffers hold a few MiB at most beyond what the client read.
      assert.ok(
        appliance.sent("/api/info") < JSON_ANSWER_MAX_BYTES + 8 * 1024 * 1024,
        `the server sent ${appliance.sent("/api/info")} bytes`,
      );
    } finally {
      c.close();
    }
  });

  it("RestJsonCalls (SPP join, next-hop monitoring) has the same deadline and cap", async () => {
    appliance = await new HostileAppliance({ "/api/a": drip(20), "/api/b": endless() }).start();
    const api = new RestJsonCalls(
      {
        endpoint: appliance.url,
        credentials: LOGIN,
        tls: { mode: "ca", caPem: readFileSync(appliance.caCertPath, "utf8") },
      },
      600,
      [],
      { warn: () => undefined },
    );
    try {
      const slow = await rejection(api.call("GET", "/api/a"));
      assert.ok(slow instanceof RestCallError, String(slow));
      assert.match(slow.message, /no complete answer within 600 ms/);
      const big = await rejection(api.call("GET", "/api/b"));
      assert.ok(big instanceof RestCallError, String(big));
      assert.match(big.message, /larger than \d+ bytes/);
      assert.ok(appliance.sent("/api/b") < JSON_ANSWER_MAX_BYTES + 8 * 1024 * 1024);
    } finally {
      api.close();
    }
  });

  it("doctor against a drip, an endless body and a reset: every node NOT READY with the reason, exit 1, nothing written", async () => {
    appliance = await new HostileAppliance({
      ...spsAnswers("7.0.3"),
      "/api/info": drip(20),
      "/api/firmware/slots": endless(),
      "/api/health_status": reset(),
    }).start();
    const { inventory, credentials } = doctorFiles();
    const { code, stdout, stderr } = await runCliCaptured([
      "doctor",
      "--inventory",
      inventory,
      "--credentials",
      credentials,
      "--timeout-ms",
      "600",
      "--json",
    ]);
    assert.equal(code, 1, stdout + stderr);
    const node = (
      JSON.parse(stdout) as { nodes: Array<{ ready: boolean; unreadable: Record<string, string> }> }
    ).nodes[0];
    assert.equal(node.ready, false);
    assert.match(node.unreadable["info"] ?? "", /no complete answer within 600 ms/);
    assert.match(node.unreadable["slots"] ?? "", /larger than \d+ bytes/);
    assert.ok(appliance.sent("/api/firmware/slots") < JSON_ANSWER_MAX_BYTES + 8 * 1024 * 1024);
    assert.deepEqual(appliance.writes, [], "doctor wrote nothing");
  });
});

describe("doctor against a hostile appliance: appliance text is escaped, a version that is not one is unreadable", function () {
  this.timeout(30_000);
  stopAfterEach();

  it("firmware_version 7.0.3<ESC>]0;… and an error message with escapes: NOT READY, nothing raw on the terminal or in --write-facts", async () => {
    appliance = await new HostileAppliance({
      ...spsAnswers("7.0.3"),
      "/api/info": json({ body: { firmware_version: "7.0.3\u001b]0;pwned\u0007", roles: [] }, meta: {} }),
      "/api/health_status": json(
        { error: { type: "Bad\u001b[2J", details: { message: "boom\u001b[31m\u009b1;1H" } } },
        500,
      ),
    }).start();
    const { inventory, credentials } = doctorFiles();
    const facts = join(dir, "facts.json");
    for (const json of [false, true]) {
      const args = ["doctor", "--inventory", inventory, "--credentials", credentials, "--write-facts", facts];
      const { code, stdout, stderr } = await runCliCaptured(json ? [...args, "--json"] : args);
      assert.equal(code, 1, stdout + stderr);

      const raw = /[\u0000-\u0009\u000b-\u001f\u007f-\u009f]/;
      assert.doesNotMatch(stdout + stderr, raw);
      assert.doesNotMatch(readFileSync(facts, "utf8"), raw);
      assert.doesNotMatch(readFileSync(facts, "utf8"), /pwned/);
      if (!json) {
        assert.match(stdout, /1 of 1 node\(s\) not ready/);
        // The table says why each fact could not be read (escaped).
        assert.match(stdout, /^h1: info not read: .*firmware_version: is not a firmware version X\.Y\.Z/m);
        assert.match(stdout, /^h1: health not read: .*boom\\x1b\[31m/m);
      } else {
        const node = (JSON.parse(stdout) as { nodes: Array<{ ready: boolean; version: string | null }> })
          .nodes[0];
        assert.equal(node.ready, false);
        assert.equal(node.version, null);
        assert.doesNotMatch(JSON.stringify(JSON.parse(stdout)), /\\u001b|\\u0007/);
      }
    }
    assert.deepEqual(appliance.writes, []);
  });
});

describe("doctor --record against an appliance that echoes secrets", function () {
  this.timeout(30_000);
  stopAfterEach();

  it("the recording and the output keep no spelling of the password, of user:password, nor the session id", async () => {
    const pw = LOGIN.password;
    const b = Buffer.from(pw);
    const userPw = Buffer.from(`${LOGIN.username}:${pw}`);
    const spellings = [
      pw,
      encodeURIComponent(pw),
      b.toString("base64"),
      b.toString("base64url"),
      b.toString("hex"),
      userPw.toString("base64"),
      HOSTILE_SESSION_ID,
    ];
    const echo = json({
      body: { firmware_version: "7.0.3", roles: [], echoed: spellings.map((s) => `seen ${s} here`) },
      meta: { href: "/api/info" },
    });
    appliance = await new HostileAppliance({
      ...spsAnswers("7.0.3"),
      "/api/info": echo,
      "/api/health_status": json({ error: { type: "Boom", details: { message: spellings.join(" ") } } }, 500),
    }).start();
    const { inventory, credentials } = doctorFiles();
    const record = join(dir, "rec");
    const run = await runCliCaptured([
      "doctor",
      "--inventory",
      inventory,
      "--credentials",
      credentials,
      "--record",
      record,
      "--json",
    ]);
    const out = run.stdout + run.stderr;
    const recorded = readFileSync(join(record, "dc__h1.json"), "utf8");
    assert.match(recorded, /seen \[redacted\] here/, "the echo was recorded, redacted");
    for (const s of spellings) {
      assert.ok(!recorded.includes(s), `the recording holds ${s}`);
      assert.ok(!out.includes(s), `the output holds ${s}`);
    }
  });
});

describe("a node in its first boot", function () {
  this.timeout(30_000);
  afterEach(async () => {
    await appliance?.stop();
  });

  const login = async (): Promise<Error> => {
    const c = new SpsRestClient(
      {
        endpoint: appliance.url,
        credentials: LOGIN,
        tls: { mode: "ca", caPem: readFileSync(appliance.caCertPath, "utf8") },
        name: "booting-node",
        retry: { attempts: 1 },
      },
      { log: { warn: () => undefined } },
    );
    try {
      return await rejection(c.login());
    } finally {
      c.close();
    }
  };

  it("a progress page instead of the REST API is reported as a node not ready, not as a missing cookie", async () => {
    appliance = await new HostileAppliance({}, (_req, res) => {
      res.writeHead(200, { "Content-Type": "text/html" });
      res.end("<html><body>Upgrading the firmware, please wait…</body></html>");
    }).start();
    const e = await login();
    assert.match(e.message, /SPS booting-node: .*the node is not ready.*first boot/);
    assert.doesNotMatch(e.message, /session_id cookie/);
  });

  it("HTTP 503 to the login likewise", async () => {
    appliance = await new HostileAppliance(
      {},
      json({ error: { type: "ServiceUnavailable", details: { message: "Service Unavailable" } } }, 503),
    ).start();
    const e = await login();
    assert.match(
      e.message,
      /HTTP 503.*the node is not ready \(service unavailable\): it is in its first boot/,
    );
  });
});
