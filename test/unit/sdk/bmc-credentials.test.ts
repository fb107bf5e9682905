// Per-unit BMC logins (sdk/credentials.ts `bmc`): each BMC of an HA pair may have its own; `ipmi` stays
// the default for every unit without one (earlier configs unchanged). The router the providers build
// (provider/resources/context.ts systemControlFor) gives each unit's IPMI target its own login.
import { strict as assert } from "node:assert";
import { bmcLogin, parseCredentials, secretValues } from "../../../sdk/credentials";
import { configure, systemControlFor } from "../../../provider/resources/context";
import { applianceNodeInputSchema } from "../../../sdk/inputs";

const A = { username: "bmc-a", password: "bmc-a-password" };
const B = { username: "bmc-b", password: "bmc-b-password" };
const DEFAULT = { username: "ipmi", password: "default-ipmi-password" };

describe("per-unit BMC credentials", function () {
  after(function () {
    configure({ get: () => undefined });
  });

  it("takes a unit's own login, else the ipmi default", function () {
    const c = parseCredentials(JSON.stringify({ ipmi: DEFAULT, bmc: { "sps-ha": { b: B } } }));
    assert.deepEqual(bmcLogin(c, "sps-ha", "b"), B);
    assert.deepEqual(bmcLogin(c, "sps-ha", "a"), DEFAULT);
    assert.deepEqual(bmcLogin(c, "other", "b"), DEFAULT);
    assert.ok(secretValues(c).includes(B.password), "redacted like every secret");
  });

  it("accepts earlier configs (ipmi alone) and names a bad unit key", function () {
    assert.deepEqual(bmcLogin(parseCredentials(JSON.stringify({ ipmi: DEFAULT })), "x", "a"), DEFAULT);
    assert.throws(
      () => parseCredentials(JSON.stringify({ bmc: { "sps-ha": { "a-1": A } } })),
      /sps:credentials\.bmc\.sps-ha\.a-1: must be an HA unit name/,
    );
  });

  it("gives each unit's IPMI target its own login in the router the run builds", function () {
    configure({
      get: (k) =>
        k === "sps:credentials" ? JSON.stringify({ bmc: { "sps-ha": { a: A, b: B } } }) : undefined,
    });
    const node = applianceNodeInputSchema.parse({
      name: "sps-ha",
      address: "https://sps-ha.invalid",
      tls: { system: true },
      ha: true,
      bmc: { a: { host: "127.0.0.1", port: 6231 }, b: { host: "127.0.0.1", port: 6232 } },
    });
    const targets = systemControlFor([node], { powerOnSecondary: { channel: "ipmi" } }).config.nodes;
    assert.equal(targets["sps-ha.a"]?.ipmi?.username, A.username);
    assert.equal(targets["sps-ha.a"]?.ipmi?.password, A.password);
    assert.equal(targets["sps-ha.b"]?.ipmi?.username, B.username);
    assert.equal(targets["sps-ha.b"]?.ipmi?.port, 6232);
  });
});
