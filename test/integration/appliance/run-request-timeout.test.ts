/**
 * The REST clients of a run (`up` past planning, refresh: provider/resources/context.ts runBindings) bound each
 * request by the program's `deadlines.restRequestMs`, not by a fixed 30 s: against a node that takes
 * the request and never answers, a read gives up at the configured time-out, named in its error, and
 * the run's waits poll again (a node "down").
 */
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { readLiveness } from "../../../provider/executor/node-state";
import { firmwareInputSchema } from "../../../sdk/inputs";
import { closeBindings, runBindings } from "../../../provider/resources/context";
import { HostileAppliance, silent } from "../../support/hostile-appliance";
import { useStackCredentials } from "../../support/stack-credentials";

describe("a run's REST requests are bounded by deadlines.restRequestMs", function () {
  this.timeout(20_000);
  let appliance: HostileAppliance | undefined;

  useStackCredentials({ appliance: { username: "admin", password: "Request-Timeout-Pw-1" } });
  afterEach(async () => {
    await appliance?.stop();
    appliance = undefined;
  });

  it("a node that never answers /api/info: the read ends at the configured 1500 ms, named in the error", async () => {
    appliance = await new HostileAppliance({ "/api/info": silent() }).start();
    const f = firmwareInputSchema.parse({
      cluster: "branch",
      target: "7.0",
      nodes: [
        { name: "h1", address: appliance.url, tls: { caPem: readFileSync(appliance.caCertPath, "utf8") } },
      ],
      firmware: {},
      deadlines: { restRequestMs: 1500 },
    });
    const bindings = runBindings(f);
    try {
      const l = await readLiveness(bindings["h1"].client);
      assert.equal(l.phase, "down");
      assert.match(l.phase === "down" ? l.error : "", /answer within 1500 ms/);
      // One attempt: a request that ran out of time is not repeated by the client; nothing written.
      assert.equal(appliance.requests.filter((r) => r === "GET /api/info").length, 1);
      assert.deepEqual(appliance.writes, []);
    } finally {
      closeBindings(bindings);
    }
  });
});
