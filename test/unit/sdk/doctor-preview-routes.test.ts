// One route decision for `sps-upgrade doctor` and for preview/up: for the same fleet, every route line the
// preview shows (provider/resources/firmware-provider.ts routeLines, what the run consults) is doctor's route of
// that action, word for word (provider/executor/step-routes.ts nodeRoutes, the router built by
// provider/resources/system-control-check.ts routedControl as cli/doctor.ts builds it). Before, doctor listed
// the HA activation as REST where up makes it a manual gate, and a wrapper route where up refuses.
import { strict as assert } from "node:assert";
import { nodeRoutes } from "../../../provider/executor/step-routes";
import { firmwareInputSchema } from "../../../sdk/inputs";
import { configure, credentials } from "../../../provider/resources/context";
import { routeLines } from "../../../provider/resources/firmware-provider";
import { planFirmware } from "../../../provider/resources/firmware-plan";
import { routedControl } from "../../../provider/resources/system-control-check";

const SHELL = { host: "127.0.0.1", port: 2222, hostKeySha256: `SHA256:${"A".repeat(43)}` };
const ROUTES = {
  rebootNode: { channel: "ssh" as const },
  shutdownSecondary: { channel: "ssh" as const },
  powerOnSecondary: { channel: "ipmi" as const },
  readHaState: { channel: "ssh" as const },
};

describe("doctor and preview: the same routes for the same fleet", function () {
  before(function () {
    configure({
      get: (k) =>
        k === "sps:credentials"
          ? JSON.stringify({
              appliance: { username: "admin", password: "route-test-pw-1" },
              coreShell: { username: "root", password: "route-test-pw-2" },
              ipmi: { username: "bmc", password: "route-test-pw-3" },
            })
          : undefined,
    });
  });
  after(function () {
    configure({ get: () => undefined });
  });

  for (const upgradeCall of [undefined, "selects"] as const)
    it(`an HA pair and a standalone node (upgradeCall ${upgradeCall ?? "undeclared"})`, function () {
      const nodes = [
        {
          name: "sps-ha",
          address: "https://sps-ha.invalid",
          tls: { system: true as const },
          ha: true,
          version: "6.0.12",
          coreShell: SHELL,
          bmc: { a: { host: "127.0.0.1", port: 6231 }, b: { host: "127.0.0.1", port: 6232 } },
        },
        {
          name: "sps-one",
          address: "https://sps-one.invalid",
          tls: { system: true as const },
          version: "6.0.12",
          coreShell: SHELL,
        },
      ];
      const f = firmwareInputSchema.parse({
        cluster: "c",
        target: "6.3.0",
        nodes,
        systemControl: ROUTES,
        ...(upgradeCall ? { upgradeCall } : {}),
        firmware: {
          "6.3.0": { path: "/isos/6.3.0.iso", sha256: "0".repeat(64) },
          "6.0.12": { path: "/isos/6.0.12.iso", sha256: "1".repeat(64) },
        },
      });
      const { plan } = planFirmware(f, {});
      assert.ok(plan, "a plan");
      // The preview wraps long lines for the diff (continuations indented): joined back here.
      const preview = routeLines(plan, f, {}).reduce<string[]>((out, l) => {
        if (/^\s/.test(l) && out.length > 0) out[out.length - 1] = `${out[out.length - 1]} ${l.trim()}`;
        else out.push(l);
        return out;
      }, []);
      assert.ok(preview.length > 5, preview.join("\n"));
      for (const n of f.nodes) {
        // As cli/doctor.ts builds them: the cluster's nodes, the same routes and credentials.
        const { control, failures } = routedControl(f.nodes, ROUTES, credentials());
        assert.deepEqual(failures, []);
        assert.ok(control);
        const rows = nodeRoutes({
          ha: n.ha,
          upgradeCall,
          channelOf: (op) => control.channelOf(op),
          declared: (op) => control.declares(op),
          capabilities: undefined,
          evidenceDir: undefined,
        });
        const mine = preview.filter((l) => l.startsWith(`route ${n.name} `));
        assert.ok(mine.length > 0, `preview routes of ${n.name}`);
        for (const line of mine) {
          const m = new RegExp(`^route ${n.name} (\\S+): (.*)$`).exec(line);
          assert.ok(m?.[1] && m[2] !== undefined, line);
          const row = rows.find((r) => r.action === m[1]);
          assert.ok(row, `doctor lists ${n.name} ${m[1]}`);
          assert.equal(row.detail.replace(/\s+/g, " "), m[2].replace(/\s+/g, " "), `${n.name} ${m[1]}`);
        }
        const activation = rows.find((r) => r.action === "activate-firmware")?.route;
        assert.equal(activation, n.ha && upgradeCall !== "selects" ? "manual gate" : "REST");
        assert.equal(rows.find((r) => r.action === "reboot")?.route, "wrapper");
      }
    });
});
