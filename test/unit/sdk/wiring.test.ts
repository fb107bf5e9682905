// Wiring (sdk/wiring.ts): which declared inputs go under `__wiring` (never printed by the engine), the
// flat view the providers validate, which accepts state written before the split, and the digest.
import { strict as assert } from "node:assert";
import {
  DECLARED_DIGEST_KEY,
  declarationDigest,
  flatInputs,
  pickKeys,
  recordedInputs,
  recordedOutputs,
  splitWiring,
  WIRING_DIGEST_KEY,
  WIRING_KEY,
  wiringDigest,
} from "../../../sdk/wiring";
import { RESOURCES } from "../../../sdk/registry";
import { declaredKey } from "../../../provider/resources/firmware-provider";

const declared = {
  cluster: "branch",
  target: "6.3",
  canary: true,
  nodes: [{ name: "sps-branch", address: "https://sps-branch", tls: { sha256Fingerprint: "AB" } }],
  firmware: { "6.3.0": { path: "/iso/6.3.0.iso", sha256: "0".repeat(64) } },
  systemControl: { rebootNode: { channel: "command", argv: ["reboot", "{{node}}"] } },
  checkpointDir: "/var/lib/sps",
  checkpointKey: "p.s.branch",
  maxParallel: undefined,
};

describe("wiring", function () {
  it("keeps cluster, target and canary shown and moves nodes, images, channels and checkpoint out", function () {
    const { shown, wiring } = splitWiring(declared, RESOURCES.firmware.wiring);
    assert.deepEqual(Object.keys(shown), ["cluster", "target", "canary"]);
    assert.deepEqual(Object.keys(wiring).sort(), [
      "checkpointDir",
      "checkpointKey",
      "firmware",
      "nodes",
      "systemControl",
    ]);
  });

  it("gives the providers the same flat view for the split shape and for state written before it", function () {
    const { shown, wiring } = splitWiring(declared, RESOURCES.firmware.wiring);
    const split = {
      ...shown,
      [WIRING_KEY]: wiring,
      [WIRING_DIGEST_KEY]: wiringDigest(wiring),
      plannedActions: [],
    };
    const flat = flatInputs(split);
    assert.equal(WIRING_KEY in flat, false);
    assert.deepEqual(flat["nodes"], declared.nodes);
    assert.equal(flat["checkpointKey"], "p.s.branch");
    const old = { ...declared, plannedActions: [] };
    assert.deepEqual(flatInputs(old), old);
  });

  it("records the shown keys and the wiring, not outputs or __provider", function () {
    const { shown, wiring } = splitWiring(declared, RESOURCES.firmware.wiring);
    const news = {
      ...shown,
      [WIRING_KEY]: wiring,
      [WIRING_DIGEST_KEY]: "sha256:x",
      __provider: "code",
      drift: [],
    };
    assert.deepEqual(Object.keys(recordedInputs(news, ["cluster", "target", "canary", "nodes"])), [
      "cluster",
      "target",
      "canary",
      WIRING_KEY,
      WIRING_DIGEST_KEY,
    ]);
  });

  it("keeps in the outputs only the wiring that read needs, narrowed, and the declaration's digest", function () {
    const { shown, wiring } = splitWiring(
      {
        ...declared,
        systemControl: {
          rebootNode: { channel: "command", argv: ["reboot", "{{node}}"] },
          readHaState: { channel: "command", argv: ["ha", "{{node}}"] },
        },
      },
      RESOURCES.firmware.wiring,
    );
    const news = { ...shown, [WIRING_KEY]: wiring, [WIRING_DIGEST_KEY]: "sha256:x" };
    const outs = recordedOutputs(news, ["cluster", "target"], ["nodes", "systemControl"], "key", {
      systemControl: pickKeys(["readHaState", "readPowerState"]),
    });
    assert.deepEqual(outs[WIRING_KEY], {
      nodes: declared.nodes,
      systemControl: { readHaState: { channel: "command", argv: ["ha", "{{node}}"] } },
    });
    assert.equal(outs[DECLARED_DIGEST_KEY], declarationDigest("key"));
    assert.deepEqual(
      flatInputs(news)["systemControl"],
      wiring["systemControl"],
      "the recorded inputs keep every route",
    );
  });

  it("digests the wiring independently of key order and changes with any value", function () {
    const a = wiringDigest({ x: 1, y: { b: [1, 2], a: "s" } });
    assert.match(a, /^sha256:[0-9a-f]{16}$/);
    assert.equal(wiringDigest({ y: { a: "s", b: [1, 2] }, x: 1 }), a);
    assert.notEqual(wiringDigest({ x: 1, y: { b: [2, 1], a: "s" } }), a);
    assert.notEqual(wiringDigest({ x: 2, y: { b: [1, 2], a: "s" } }), a);
  });
});

describe("declaration digest of images fetched by URL (S3, secrets)", function () {
  const sha = "b".repeat(64);
  const props = (url: string, s = sha) => ({
    cluster: "c",
    target: "7.1",
    nodes: [],
    firmware: { "7.1.1": { url, sha256: s } },
  });
  const a = "https://robot:Pw-one@mirror.example.com/dl/TOKENAAAA1/sps.iso?X-Sig=aaaa&exp=1";
  const b = "https://other:x@mirror.example.com/dl/TOKENBBBB2/sps-7.1.1.iso?X-Sig=bbbb&exp=2";

  it("two URLs of the same image differing in credentials, path or query give the same digest; nothing of them is digested but the host", function () {
    assert.equal(declarationDigest(declaredKey(props(a))), declarationDigest(declaredKey(props(b))));
    const key = declaredKey(props(a));
    for (const part of ["robot", "Pw-one", "TOKENAAAA1", "X-Sig", "aaaa", "/dl/"])
      assert.ok(!key.includes(part), `${part} in the digested declaration: ${key}`);
    assert.ok(key.includes("mirror.example.com") && key.includes(sha));
  });

  it("another image (sha256) or another host is a change", function () {
    const base = declarationDigest(declaredKey(props(a)));
    assert.notEqual(declarationDigest(declaredKey(props(a, "c".repeat(64)))), base);
    assert.notEqual(declarationDigest(declaredKey(props(a.replace("mirror.", "mirror2.")))), base);
  });
});
