import assert from "node:assert/strict";
import { REDACTED, loginSecrets, redactText, redactValue, secretForms } from "../../../core/redaction";
import { applianceNodeInputSchema } from "../../../sdk/inputs";
import { fieldProblems } from "../../../core/validation";
import { inventorySchema } from "../../../core/inventory-schema";

const PASSWORD = 'pä ss/w+rd="1"';

describe("redaction: every spelling of every secret, one marker", () => {
  it("removes the secret as written, URL-encoded, base64, base64url, hex and JSON-escaped", () => {
    const b = Buffer.from(PASSWORD);
    const spellings = [
      PASSWORD,
      encodeURIComponent(PASSWORD),
      encodeURIComponent(PASSWORD).replace(/%20/g, "+"),
      b.toString("base64"),
      b.toString("base64url"),
      b.toString("hex"),
      JSON.stringify(PASSWORD).slice(1, -1),
    ];
    for (const s of spellings) {
      const out = redactText(`before ${s} after`, [PASSWORD]);
      assert.equal(out, `before ${REDACTED} after`, `spelling ${s}`);
    }
  });

  it("a Basic login: base64 of user:password is removed, and so is the session cookie", () => {
    const basic = Buffer.from(`admin:${PASSWORD}`).toString("base64");
    const out = redactText(
      `Authorization: Basic ${basic} / ${basic} / session_id=abcdef12`,
      loginSecrets("admin", PASSWORD),
    );
    assert.ok(!out.includes(basic));
    assert.ok(!out.includes("abcdef12"));
  });

  it("JSON values: secret-looking fields whole, secrets inside any string", () => {
    const v = redactValue(
      {
        note: `echo ${encodeURIComponent(PASSWORD)}`,
        api_token: "x",
        list: [Buffer.from(PASSWORD).toString("base64")],
      },
      [PASSWORD],
    );
    assert.deepEqual(v, { note: `echo ${REDACTED}`, api_token: REDACTED, list: [REDACTED] });
  });

  it("short secrets are not searched for (they would match ordinary text)", () => {
    assert.deepEqual(secretForms("abc"), []);
  });
});

describe("a node address never holds a login", () => {
  it("SpsCluster nodes[i].address: https://admin:pw@host is refused, naming the field and sps:credentials", () => {
    const r = applianceNodeInputSchema.safeParse({
      name: "n1",
      address: "https://admin:pw@sps1.example",
      tls: { system: true },
    });
    assert.equal(r.success, false);
    const p = r.success ? [] : fieldProblems(r.error);
    assert.equal(p[0]?.property, "address");
    assert.match(p[0]?.reason ?? "", /must not hold a user name or password.*sps:credentials/);
    assert.ok(!JSON.stringify(p).includes("pw@"), "the message does not repeat the password");
  });

  it("the inventory file's clusters[i].nodes[j].address likewise", () => {
    const r = inventorySchema.safeParse({
      clusters: [
        {
          name: "c",
          target: "7.0",
          nodes: [{ name: "n", version: "7.0.3", address: "https://u@h.example", tls: { system: true } }],
        },
      ],
    });
    assert.equal(r.success, false);
    const p = r.success ? [] : fieldProblems(r.error);
    assert.ok(
      p.some((x) => x.property === "clusters[0].nodes[0].address" && /sps:credentials/.test(x.reason)),
      JSON.stringify(p),
    );
  });
});
