// `pulumi preview` and `pulumi up` through the real engine against a hostile appliance
// (test/support/hostile-appliance.ts): one stack of one standalone cluster whose node answers, in turn,
// with a slow drip, an endless body, wrong JSON shapes, terminal escapes in its version and in its error
// texts, the password and the session id echoed back, a redirect of the login to another host, and a
// connection reset in the middle of a body. For each, both runs end non-zero within the configured
// planning deadline (the error names the node and the limit), the server sent no more than the answer
// cap and socket buffers hold, nothing but the login was written, and nothing the engine printed or
// keeps (the state export, the backend's files) holds a control character or any spelling of a secret.
import { strict as assert } from "node:assert";
import * as fs from "node:fs";
import * as path from "node:path";
import { JSON_ANSWER_MAX_BYTES } from "../../provider/clients/sps/answer-limits";
import { createTestStack, type CliResult, type TestStack } from "../support/pulumi-engine";
import {
  drip,
  endless,
  HOSTILE_SESSION_ID,
  HostileAppliance,
  json,
  redirect,
  resetMidBody,
  spsAnswers,
  type Behaviour,
} from "../support/hostile-appliance";

const PROGRAM = path.join(__dirname, "programs", "shared-appliance");
const LOGIN = { username: "admin", password: "Hostile-Passw0rd!" };
/** deadlines.planReadMs of the program: how long check and diff wait for the node's facts. */
const PLAN_READ_MS = 1500;
/** What the server may have sent beyond what the client read: the socket and TLS buffers. */
const BUFFERS = 8 * 1024 * 1024;

/** Control characters (U+0000–U+001F, DEL, U+0080–U+009F) other than tab and line feed. */
const CONTROL = /[\u0000-\u0008\u000b-\u001f\u007f-\u009f]/;

const userPw = Buffer.from(`${LOGIN.username}:${LOGIN.password}`);
const pw = Buffer.from(LOGIN.password);
/** Every spelling of a secret the appliance echoes back and a leak could take. */
const SPELLINGS = [
  LOGIN.password,
  encodeURIComponent(LOGIN.password),
  pw.toString("base64").replace(/=+$/, ""),
  pw.toString("base64url"),
  pw.toString("hex"),
  userPw.toString("base64").replace(/=+$/, ""),
  HOSTILE_SESSION_ID,
];

interface Probe {
  name: string;
  answers: (other: HostileAppliance) => Record<string, Behaviour>;
  /** The path the hostile answer comes from (its bytes are counted). */
  path: string;
  /** What the run's error says: the node, the request and why. */
  says: RegExp;
}

/** How a run says the planning deadline ran out. */
const WAITED = `no usable answer within deadlines\\.planReadMs = ${PLAN_READ_MS} ms`;

const escaped = "7.0.3\u001b]0;pwned\u0007";

const PROBES: Probe[] = [
  {
    name: "a slow drip (a byte every 20 ms, never ending)",
    answers: () => ({ "/api/info": drip(20) }),
    path: "/api/info",
    says: new RegExp(`"h1".*GET /api/info failed.*no complete answer within ${PLAN_READ_MS} ms.*; ${WAITED}`),
  },
  {
    name: "an endless body",
    answers: () => ({ "/api/info": endless() }),
    path: "/api/info",
    says: new RegExp(`"h1".*GET /api/info failed.*larger than ${JSON_ANSWER_MAX_BYTES} bytes`),
  },
  {
    name: "a wrong JSON shape (body a list, firmware_version a number)",
    answers: () => ({ "/api/info": json({ body: [{ firmware_version: 7 }], meta: 5 }) }),
    path: "/api/info",
    says: new RegExp(`"h1".*GET /api/info failed.*unexpected answer shape.*; ${WAITED}`),
  },
  {
    name: "ESC/OSC sequences in firmware_version",
    answers: () => ({ "/api/info": json({ body: { firmware_version: escaped, roles: [] }, meta: {} }) }),
    path: "/api/info",
    says: new RegExp(`"h1".*firmware_version: is not a firmware version X\\.Y\\.Z.*; ${WAITED}`),
  },
  {
    name: "ESC/CSI sequences in an error text",
    answers: () => ({
      "/api/info": json(
        { error: { type: "Bad\u001b[2J", details: { message: "boom\u001b[31m\u009b1;1H\u0007" } } },
        400,
      ),
    }),
    path: "/api/info",
    says: /"h1".*GET \/api\/info failed: HTTP 400 Bad\\x1b\[2J: boom\\x1b\[31m\\x9b1;1H\\x07/,
  },
  {
    name: "the password and the session id echoed in a body and in headers",
    answers: () => ({
      "/api/info": json(
        {
          error: {
            type: "Echo",
            details: { message: `seen ${SPELLINGS.join(" and ")} here`, password: LOGIN.password },
          },
        },
        400,
        { "X-Echo": SPELLINGS.join(" "), "Set-Cookie": `session_id=${HOSTILE_SESSION_ID}; Path=/api` },
      ),
    }),
    path: "/api/info",
    says: /"h1".*GET \/api\/info failed: HTTP 400 Echo: seen \[redacted\]/,
  },
  {
    name: "the login redirected to another host",
    answers: (other) => ({ "/api/authentication": redirect(`${other.url}/api/authentication`, 307) }),
    path: "/api/authentication",
    says: new RegExp(`"h1".*/api/authentication.*; ${WAITED}`),
  },
  {
    name: "a connection reset in the middle of a body",
    answers: () => ({ "/api/info": resetMidBody(4096, 100) }),
    path: "/api/info",
    says: new RegExp(`"h1".*GET /api/info failed.*; ${WAITED}`),
  },
];

describe("pulumi preview and up against a hostile appliance", function () {
  this.timeout(600_000);
  let appliance: HostileAppliance;
  let other: HostileAppliance;
  let stack: TestStack;

  before(async function () {
    appliance = await new HostileAppliance(spsAnswers("7.0.3")).start();
    other = await new HostileAppliance(spsAnswers("7.0.3")).start();
    stack = await createTestStack({
      programDir: PROGRAM,
      stackName: "hostile",
      config: {
        clusters: JSON.stringify([{ name: "dc", node: "h1" }]),
        "fleet:nodes": JSON.stringify({
          h1: { address: appliance.url, caPem: fs.readFileSync(appliance.caCertPath, "utf8") },
        }),
        "fleet:firmware": "{}",
        "fleet:target": "7.0",
        "fleet:deadlines": JSON.stringify({ planReadMs: PLAN_READ_MS }),
      },
      secrets: { "sps:credentials": JSON.stringify({ appliance: LOGIN }) },
    });
  });

  after(async function () {
    await stack?.dispose();
    await appliance?.stop();
    await other?.stop();
  });

  /** One engine run against the appliance answering `answers` over its SPS answers. */
  async function run(op: "preview" | "up", answers: Record<string, Behaviour>): Promise<CliResult> {
    appliance.answers = { ...spsAnswers("7.0.3"), ...answers };
    appliance.clearRecord();
    other.clearRecord();
    const args = op === "preview" ? ["preview"] : ["up", "--yes", "--skip-preview"];
    return stack.cli([...args, "--stack", stack.name]);
  }

  it("a well-behaved node: preview reads it and plans", async function () {
    const r = await run("preview", {});
    assert.equal(r.code, 0, r.stdout + r.stderr);
    assert.ok(appliance.requests.includes("GET /api/info"), appliance.requests.join(", "));
    assert.deepEqual(appliance.writes, []);
  });

  /**
   * What every run against the hostile node must hold: at most the cap and socket buffers sent per
   * request of `paths`, nothing but the login written, nothing sent to the other host, no control
   * character in the engine's output or the state, no spelling of a secret in either or in the backend.
   */
  async function harmless(r: CliResult, paths: readonly string[]): Promise<string> {
    const printed = `${r.stdout}\n${r.stderr}`;
    for (const p of paths) {
      const requests = appliance.requests.filter((q) => q === `GET ${p}`).length;
      const sent = appliance.sent(p);
      assert.ok(requests >= 1, `${p} was not asked: ${appliance.requests.join(", ")}`);
      assert.ok(
        sent <= requests * (JSON_ANSWER_MAX_BYTES + BUFFERS),
        `${sent} bytes in ${requests} answer(s)`,
      );
    }
    assert.deepEqual(appliance.writes, [], "nothing but the login was written");
    assert.deepEqual(other.requests, [], "nothing reached the other host");
    assert.doesNotMatch(printed, CONTROL, "no control character in the engine's output");
    const state = await stack.exportState();
    const backend = await stack.stateText();
    assert.doesNotMatch(state, CONTROL);
    for (const s of SPELLINGS)
      for (const [where, text] of [
        ["the engine's output", printed],
        ["the state export", state],
        ["the backend's files", backend],
      ])
        assert.ok(!text.includes(s), `${where} holds "${s}"`);
    return printed;
  }

  /** Numbers for the reader of the test log: how the run ended, bytes sent, requests. */
  function note(op: string, r: CliResult): string {
    const bytes = [...appliance.bytesSent].map(([p, n]) => `${p} ${n} B`).join(", ");
    return `${op} exit ${r.code}; sent: ${bytes}; requests: ${appliance.requests.join(", ")}`;
  }

  for (const probe of PROBES)
    for (const op of ["preview", "up"] as const)
      it(`${probe.name}: ${op} ends non-zero naming the node and why, bounded, nothing written, clean output, no secret`, async function () {
        const r = await run(op, probe.answers(other));
        console.log(`      ${note(op, r)}`);
        const printed = await harmless(r, [probe.path]);
        assert.notEqual(r.code, 0, printed);
        assert.match(printed.replace(/\n\s*/g, " "), probe.says, printed);
        // One answer over the cap is read once: no boot page is that large.
        assert.ok(appliance.sent(probe.path) <= JSON_ANSWER_MAX_BYTES + BUFFERS, note(op, r));
      });

  // Last: `up` creates the resource, so the state then holds what the run read from the node.
  for (const op of ["preview", "up"] as const)
    it(`side reads that answer badly (slots endless, health a drip, disk fill-up escapes, secrets echoed in a good answer): ${op} plans without them, bounded, nothing written, clean, no secret`, async function () {
      const r = await run(op, {
        "/api/info": json(
          {
            body: {
              firmware_version: "7.0.3",
              roles: [],
              hostname: `h1\u001b]0;pwned\u0007 ${LOGIN.password}`,
              nickname: HOSTILE_SESSION_ID,
              version: "7.0.3\u001b[2J",
            },
            meta: {},
          },
          200,
          { "X-Echo": SPELLINGS.join(" ") },
        ),
        "/api/firmware/slots": endless(),
        "/api/health_status": drip(20),
        "/api/configuration/management/disk_fillup_prevention": json({
          body: { enabled: "\u001b[31m", used_space_ratio_limit: "\u009b1;1H" },
        }),
      });
      console.log(`      ${note(op, r)}`);
      const printed = await harmless(r, ["/api/firmware/slots", "/api/health_status"]);
      assert.equal(r.code, 0, printed);
      if (op === "up") {
        assert.match(printed, /\[sps\] firmware\/dc: nothing to do: every node runs 7\.0\.3/);
        assert.match(
          await stack.exportState(),
          /firmware slots: SPS h1: GET \/api\/firmware\/slots failed: \(EANSWERTOOLARGE\)/,
        );
      }
    });
});
