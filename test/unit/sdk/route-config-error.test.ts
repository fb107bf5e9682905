// The preview's route lines (provider/resources/firmware-provider.ts routeLines) when the system-control
// configuration is one the run would refuse: a route line names the field and the fix (redacted),
// instead of the lines silently missing.
import { strict as assert } from "node:assert";
import type { ClusterPlan, PlanStep } from "../../../core/plan";
import { firmwareInputSchema } from "../../../sdk/inputs";
import { configure } from "../../../provider/resources/context";
import { routeLines } from "../../../provider/resources/firmware-provider";

const SECRET = "route-test-password-9f3c";

function plan(node: string): ClusterPlan {
  const steps = ["preflight", "reboot", "verify-version"].map(
    (action, i) => ({ seq: i + 1, node, action, hop: 1, version: "6.3.0" }) as unknown as PlanStep,
  );
  return { steps } as unknown as ClusterPlan;
}

describe("route lines with a system-control configuration the run refuses", function () {
  before(function () {
    configure({
      get: (key) =>
        key === "sps:credentials"
          ? JSON.stringify({ appliance: { username: "admin", password: SECRET } })
          : undefined,
    });
  });
  after(function () {
    configure({ get: () => undefined });
  });

  it("names the field and the fix (rebootNode over ssh, the node without coreShell)", function () {
    const f = firmwareInputSchema.parse({
      cluster: "branch",
      target: "6.3",
      nodes: [{ name: "sps-a", address: "https://sps-a.invalid", tls: { system: true } }],
      systemControl: { rebootNode: { channel: "ssh" } },
    });
    const text = routeLines(plan("sps-a"), f, {}).join(" ").replace(/\s+/g, " ");
    assert.match(text, /routes not shown: the system-control configuration is refused/);
    assert.match(
      text,
      /nodes\["sps-a"\]\.coreShell \(and sps:credentials\.coreShell\): missing: operations\.rebootNode uses the ssh channel/,
    );
    assert.match(text, /fix systemControl or the nodes' coreShell \/ bmc settings/);
    assert.ok(!text.includes(SECRET));
  });

  it("shows the routes when the configuration is usable", function () {
    const f = firmwareInputSchema.parse({
      cluster: "branch",
      target: "6.3",
      nodes: [{ name: "sps-a", address: "https://sps-a.invalid", tls: { system: true } }],
    });
    const lines = routeLines(plan("sps-a"), f, {});
    assert.ok(
      lines.some((l) => l.startsWith("route sps-a reboot:")),
      lines.join("\n"),
    );
    assert.ok(!lines.some((l) => /routes not shown/.test(l)));
  });
});
