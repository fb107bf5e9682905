import { strict as assert } from "node:assert";
import {
  estimateFitsWindow,
  firmwareSha256,
  maxParallelWithinLimit,
  productionLts,
  tlsVerified,
} from "../../../policy/rules";
import { insecureTlsPaths } from "../../../policy/sps-resources";

const ctx = { stack: "prod-eu", resourceName: "dc1-firmware" };
const pin = { sha256Fingerprint: "AB".repeat(32) };
const nodes = (n: number) => Array.from({ length: n }, (_, i) => ({ name: `n${i}`, tls: pin }));

describe("policy pack rules (policy/rules.ts)", () => {
  describe("sps-production-lts (V1)", () => {
    const config = { productionStacks: ["^prod"] };
    it("refuses a feature release on a production stack, naming cluster, resource and fix", () => {
      const [message, ...more] = productionLts({ cluster: "dc1", target: "6.3" }, ctx, config);
      assert.equal(more.length, 0);
      assert.match(message ?? "", /^cluster "dc1" \(resource dc1-firmware\) targets 6\.3, a feature release/);
      assert.match(message ?? "", /e\.g\. 7\.0 \(6\.0 would be a downgrade, V3\)/);
    });
    it("accepts an LTS in every spelling, and anything on a stack that is not production", () => {
      for (const target of ["7.0", "7.0.3", "7 LTS", "8.0"]) {
        assert.deepEqual(productionLts({ cluster: "dc1", target }, ctx, config), [], target);
      }
      assert.deepEqual(productionLts({ target: "6.3" }, { ...ctx, stack: "staging" }, config), []);
      assert.equal(
        productionLts({ target: "5 F11" }, { ...ctx, stack: "live" }, { productionStacks: ["^live$"] })
          .length,
        1,
      );
    });
  });

  describe("sps-estimate-fits-window", () => {
    const estimate = { seconds: 8700, text: "about 2.4 h" };
    const window = { seconds: 10800, text: "3 h" };
    it("passes an estimate within the window, refuses it once the margin pushes it over", () => {
      const config = { marginPercent: 0, requireWindow: false };
      assert.deepEqual(estimateFitsWindow({ estimate, maintenanceWindow: window }, ctx, config), []);
      const [message] = estimateFitsWindow({ cluster: "dc1", estimate, maintenanceWindow: window }, ctx, {
        ...config,
        marginPercent: 50,
      });
      assert.match(
        message ?? "",
        /estimated at 2\.4 h plus the policy's 50% margin = 3\.6 h, over its maintenance window of 3 h/,
      );
    });
    it("requires a window only when configured, and not for a converged cluster", () => {
      const config = { marginPercent: 0, requireWindow: true };
      assert.match(estimateFitsWindow({ estimate }, ctx, config)[0] ?? "", /declares no maintenanceWindow/);
      assert.deepEqual(estimateFitsWindow({ estimate: { seconds: 0 } }, ctx, config), []);
      assert.deepEqual(estimateFitsWindow({ estimate }, ctx, { ...config, requireWindow: false }), []);
    });
    it("refuses a declared window it has no estimate for (it cannot be shown to fit)", () => {
      const config = { marginPercent: 0, requireWindow: false };
      assert.match(
        estimateFitsWindow({ maintenanceWindow: window }, ctx, config)[0] ?? "",
        /carries no estimate/,
      );
    });
  });

  describe("sps-max-parallel", () => {
    it("counts min(maxParallel, nodes): no maxParallel means the whole wave at once", () => {
      const config = { limit: 2 };
      assert.deepEqual(maxParallelWithinLimit({ maxParallel: 2, nodes: nodes(5) }, ctx, config), []);
      assert.deepEqual(maxParallelWithinLimit({ maxParallel: 8, nodes: nodes(2) }, ctx, config), []);
      assert.deepEqual(maxParallelWithinLimit({ nodes: nodes(1) }, ctx, config), []);
      assert.match(
        maxParallelWithinLimit({ maxParallel: 3, nodes: nodes(5) }, ctx, config)[0] ?? "",
        /declares maxParallel 3, over the policy's limit of 2/,
      );
      assert.match(
        maxParallelWithinLimit({ nodes: nodes(4) }, ctx, config)[0] ?? "",
        /declares no maxParallel, so a wave upgrades all of its 4 nodes at once/,
      );
    });
  });

  describe("sps-firmware-sha256 (S3, V7)", () => {
    it("names every image without a well-formed SHA-256", () => {
      const firmware = {
        "6.3.0": { path: "/a.iso", sha256: "a".repeat(64) },
        "7.0.3": { path: "/b.iso" },
        "7.5.0": { path: "/c.iso", sha256: "abc" },
      };
      const [message] = firmwareSha256({ cluster: "dc1", firmware }, ctx);
      assert.match(
        message ?? "",
        /firmware image 7\.0\.3 \(no sha256\), 7\.5\.0 \(sha256 "abc" is not 64 hex digits\)/,
      );
      assert.deepEqual(firmwareSha256({ firmware: { "6.3.0": firmware["6.3.0"] } }, ctx), []);
    });
  });

  describe("sps-tls-verified", () => {
    it("finds every way of turning verification off, by path", () => {
      assert.deepEqual(
        insecureTlsPaths({
          nodes: [{ tls: pin }, { tls: { insecure: true } }],
          spp: { tls: { mode: "insecure", acknowledgeInsecure: true } },
          agent: { rejectUnauthorized: false },
        }),
        ["nodes[1].tls", "spp.tls", "agent"],
      );
      assert.match(
        tlsVerified({ cluster: "dc1", nodes: [{ tls: { insecure: true } }] }, ctx)[0] ?? "",
        /nodes\[0\]\.tls\. Fix: trust/,
      );
      assert.deepEqual(tlsVerified({ nodes: nodes(3), tls: { system: true } }, ctx), []);
    });
  });
});
