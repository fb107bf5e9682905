// P7 in the Pulumi path: the builds the run installs (`pluginBuilds`) and the versions the cluster's
// Plugin resources install (`pluginVersions`) are what the planner judges, not only the node's own
// `plugins[].builds`. A 2.1.0 → 2.2.1 Starling upgrade on an SPS not joined to Starling fails the
// check (preview) and the plan an `up` makes before its first write (both use planFirmware).
import assert from "node:assert/strict";
import { firmwareInputSchema } from "../../../sdk/inputs";
import { planFirmware, withDeclaredBuilds } from "../../../provider/resources/firmware-plan";

const STARLING = "Starling 2FA";

function inputs(extra: Record<string, unknown>, joined: boolean | "undeclared" = false) {
  return firmwareInputSchema.parse({
    cluster: "branch",
    target: "6.3",
    nodes: [
      {
        name: "sps-a",
        address: "https://sps-a.invalid",
        tls: { system: true },
        plugins: [{ name: STARLING, version: "2.1.0" }],
        settings: joined === "undeclared" ? {} : { starlingJoined: joined },
      },
    ],
    ...extra,
  });
}

const p7 = (f: ReturnType<typeof inputs>) => {
  const outcome = planFirmware(f, { "sps-a": { version: "6.0.7" } });
  return {
    findings: (outcome.plan?.findings ?? []).filter((x) => x.rule === "P7"),
    failures: outcome.failures.filter((x) => /rule P7/.test(x.reason)),
  };
};

describe("P7 with the cluster's declared plugin builds (SpsCluster path)", () => {
  const builds = {
    pluginBuilds: { [STARLING]: { "6.3": { version: "2.2.1", path: "/x/starling-2.2.1.zip" } } },
  };

  it("a 2.2.1 build in pluginBuilds on a node not joined to Starling is a blocking finding naming the build", () => {
    const { findings, failures } = p7(inputs(builds));
    assert.equal(findings.length, 1, JSON.stringify(findings));
    assert.equal(findings[0].severity, "error");
    assert.match(findings[0].message, /2\.2\.1 \(build for 6\.3\)/);
    assert.match(findings[0].message, /Joining to One Identity Starling/);
    assert.equal(failures.length, 1);
    assert.match(failures[0].property, /^nodes\[0\]\.plugins$/);
  });

  it("joined to Starling: no P7 finding; a build below 2.2.0: none either", () => {
    assert.deepEqual(p7(inputs(builds, true)).findings, []);
    const older = { pluginBuilds: { [STARLING]: { "6.3.2": { version: "2.1.9", path: "/x/s.zip" } } } };
    assert.deepEqual(p7(inputs(older)).findings, []);
  });

  it("a build keyed by a revision counts for its release and wins over the release's key", () => {
    const plugins = withDeclaredBuilds([{ name: STARLING, version: "2.1.0", builds: { "6.3": "2.1.5" } }], {
      [STARLING]: {
        "6.3.2": { version: "2.2.1", path: "/a.zip" },
        "6.3": { version: "2.1.9", path: "/b.zip" },
      },
    });
    assert.deepEqual(plugins[0].builds, { "6.3": "2.2.1" });
  });

  it("a Plugin resource installing 2.2.1 on a node not joined is a blocking finding on `plugins`", () => {
    const { findings, failures } = p7(
      inputs({ pluginVersions: [{ node: "sps-a", name: "starling-two-factor", version: "2.2.1" }] }),
    );
    const resource = findings.filter((x) => /Plugin resource/.test(x.message));
    assert.equal(resource.length, 1, JSON.stringify(findings));
    assert.equal(resource[0].severity, "error");
    assert.ok(
      failures.some((x) => x.property === "plugins"),
      JSON.stringify(failures),
    );
    // Not declared whether the node joined: not checked, not passed.
    const unknown = p7(
      inputs(
        { pluginVersions: [{ node: "sps-a", name: "starling-two-factor", version: "2.2.1" }] },
        "undeclared",
      ),
    ).findings.filter((x) => /Plugin resource/.test(x.message));
    assert.equal(unknown[0].status, "not-checked");
  });
});
