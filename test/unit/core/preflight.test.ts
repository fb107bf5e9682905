import { strict as assert } from "node:assert";
import { FleetNode, nodeSchema } from "../../../core/fleet";
import type { PreflightFinding } from "../../../core/preflight";
import { preflightNode } from "../../../core/rules";
import { planNodePath } from "../../../core/upgrade-path";
import { parseRevision, parseVersionSpec } from "../../../core/version";
import { CLEAN_SETTINGS, exampleCatalog } from "../../support/domain-fixtures";

function check(node: Record<string, unknown>, target: string): PreflightFinding[] {
  const n: FleetNode = nodeSchema.parse({ name: "n", ...node });
  const path = planNodePath(
    { current: parseRevision(n.version), target: parseVersionSpec(target) },
    exampleCatalog(),
  );
  return preflightNode(n, path.hops);
}

function only(findings: PreflightFinding[], rule: string): PreflightFinding[] {
  return findings.filter((f) => f.rule === rule);
}

const clean = (extra: Record<string, unknown> = {}) => ({ ...CLEAN_SETTINGS, ...extra });

describe("preflight rules (P2–P14) from node facts", () => {
  it("a node with every fact declared and clean has no blocking finding and nothing 'not checked'", () => {
    const f = check({ version: "5.0.9", virtual: false, settings: clean() }, "6.3");
    assert.deepEqual(
      f.filter((x) => x.severity === "error" || x.status === "not-checked"),
      [],
    );
  });

  it("an absent fact is reported as not checked, never as passed", () => {
    const f = check({ version: "6.0.5" }, "6.3");
    for (const rule of ["P2", "P3", "P5", "P8", "P9", "P11"]) {
      const r = only(f, rule);
      assert.ok(r.length > 0, rule);
      assert.ok(
        r.every((x) => x.status === "not-checked" && x.severity === "warning"),
        rule,
      );
    }
  });

  it("P2: a System Monitor problem blocks", () => {
    assert.equal(
      only(check({ version: "6.0.5", settings: clean({ healthOk: false }) }, "6.3"), "P2")[0].severity,
      "error",
    );
  });

  it("P3: core dumps that the upgrade deletes are a warning", () => {
    const r = only(check({ version: "6.0.5", settings: clean({ coreDumps: 3 }) }, "6.3"), "P3");
    assert.equal(r[0].severity, "warning");
    assert.match(r[0].message, /3 core dump/);
  });

  it("P4: an HA pair needs the secondary's IPMI reachable and a non-degraded HA status", () => {
    const ipmi = only(
      check({ version: "6.0.5", ha: true, settings: clean({ ipmiReachable: false }) }, "6.3"),
      "P4",
    );
    assert.equal(ipmi[0].severity, "error");
    assert.match(ipmi[0].message, /IPMI/);
    const degraded = only(
      check({ version: "6.0.5", ha: true, settings: clean({ haStatus: "Degraded" }) }, "6.3"),
      "P4",
    );
    assert.match(degraded[0].message, /Degraded/);
    assert.deepEqual(
      only(check({ version: "6.0.5", ha: false, settings: clean({ ipmiReachable: false }) }, "6.3"), "P4"),
      [],
    );
  });

  it("P5, P15: snapshot or console redirection declared false on a virtual appliance is a finding the run stops at until confirmed; not declared is 'not checked'", () => {
    const r = check(
      { version: "6.0.5", virtual: true, settings: clean({ vmSnapshot: false, consoleRedirection: false }) },
      "6.3",
    );
    const [p5] = only(r, "P5");
    assert.equal(p5.severity, "warning");
    assert.equal(p5.status, undefined);
    assert.equal(p5.confirm, "vm-snapshot n");
    assert.match(p5.message, /settings\.vmSnapshot: false.*add "vm-snapshot n" to confirmed/);
    const [p15] = only(r, "P15");
    assert.equal(p15.confirm, "console-redirection n");
    assert.match(p15.message, /console redirection configured and enabled/);
    const done = check(
      { version: "6.0.5", virtual: true, settings: clean({ vmSnapshot: true, consoleRedirection: true }) },
      "6.3",
    );
    assert.deepEqual([...only(done, "P5"), ...only(done, "P15")], []);
    const open = check(
      { version: "6.0.5", virtual: true, settings: clean({ consoleRedirection: undefined }) },
      "6.3",
    );
    assert.equal(only(open, "P15")[0].status, "not-checked");
    assert.equal(only(open, "P15")[0].confirm, undefined);
    const physical = check({ version: "6.0.5", virtual: false, settings: clean() }, "6.3");
    assert.deepEqual(only(physical, "P15"), []);
  });

  it("P6: going to 6.0 needs the DEPRECATED build; from 6.1 on a DEPRECATED build is refused", () => {
    const to60 = check(
      {
        version: "5.11.2",
        plugins: [{ name: "p", version: "1.0", builds: { "6.0": "1.1.0" } }],
        settings: clean(),
      },
      "6.0",
    );
    assert.match(only(to60, "P6")[0].message, /DEPRECATED/);
    const to63 = check(
      {
        version: "6.0.7",
        plugins: [{ name: "p", version: "1.0", builds: { "6.3": "1.1.0-DEPRECATED" } }],
        settings: clean(),
      },
      "6.3",
    );
    assert.match(only(to63, "P6")[0].message, /new plugin implementation/);
    const missing = check(
      { version: "6.0.7", plugins: [{ name: "p", version: "1.0", builds: {} }], settings: clean() },
      "6.3",
    );
    assert.equal(only(missing, "P6")[0].severity, "error");
  });

  it("P7: Starling 2FA 2.2.0 or later is refused on a node that has not joined Starling", () => {
    const plugin = { name: "starling-2fa", version: "2.2.0", builds: { "6.3": "2.3.0" } };
    assert.equal(
      only(
        check({ version: "6.0.7", plugins: [plugin], settings: clean({ starlingJoined: false }) }, "6.3"),
        "P7",
      )[0].severity,
      "error",
    );
    assert.deepEqual(
      only(
        check({ version: "6.0.7", plugins: [plugin], settings: clean({ starlingJoined: true }) }, "6.3"),
        "P7",
      ),
      [],
    );
    const older = { ...plugin, version: "2.1.9", builds: { "6.3": "2.1.9" } };
    assert.deepEqual(
      only(
        check({ version: "6.0.7", plugins: [older], settings: clean({ starlingJoined: false }) }, "6.3"),
        "P7",
      ),
      [],
    );
  });

  it("P7: the plugin version the upgrade installs counts — 2.1.0 upgraded to a 2.2.1 build on a node not joined is refused", () => {
    const upgrade = { name: "Starling 2FA", version: "2.1.0", builds: { "6.3": "2.2.1" } };
    const refused = only(
      check({ version: "6.0.7", plugins: [upgrade], settings: clean({ starlingJoined: false }) }, "6.3"),
      "P7",
    );
    assert.equal(refused.length, 1);
    assert.equal(refused[0].severity, "error");
    assert.match(refused[0].message, /2\.2\.1 \(build for 6\.3\)/);
    assert.match(refused[0].message, /Joining to One Identity Starling/);
    const unknown = only(
      check({ version: "6.0.7", plugins: [upgrade], settings: clean({ starlingJoined: undefined }) }, "6.3"),
      "P7",
    );
    assert.equal(unknown[0].status, "not-checked");
    // The build the node will get is not declared: not checked unless the node has joined.
    const undeclared = { name: "Starling 2FA", version: "2.1.0" };
    const nc = only(
      check({ version: "6.0.7", plugins: [undeclared], settings: clean({ starlingJoined: false }) }, "6.3"),
      "P7",
    );
    assert.equal(nc.length, 1);
    assert.equal(nc[0].status, "not-checked");
    assert.deepEqual(
      only(
        check({ version: "6.0.7", plugins: [undeclared], settings: clean({ starlingJoined: true }) }, "6.3"),
        "P7",
      ),
      [],
    );
  });

  it("P8: from 6.0.4 the disk fill-up limit must be within 50–98", () => {
    for (const bad of [99, 49]) {
      const r = only(
        check({ version: "6.0.0", settings: clean({ diskFillupLimitPercent: bad }) }, "6.0.4"),
        "P8",
      );
      assert.equal(r[0].severity, "error", String(bad));
    }
    for (const ok of [50, 98])
      assert.deepEqual(
        only(check({ version: "6.0.0", settings: clean({ diskFillupLimitPercent: ok }) }, "6.0.4"), "P8"),
        [],
      );
    assert.deepEqual(
      only(check({ version: "5.11.0", settings: clean({ diskFillupLimitPercent: 99 }) }, "5.11"), "P8"),
      [],
    );
  });

  it("P9: LDAP/AD authentication needs a directory response timeout of at least 120 s", () => {
    const r = only(
      check({ version: "6.0.7", settings: clean({ ldapAuth: true, ldapTimeoutSeconds: 60 }) }, "6.3"),
      "P9",
    );
    assert.equal(r[0].severity, "error");
    assert.deepEqual(
      only(
        check({ version: "6.0.7", settings: clean({ ldapAuth: true, ldapTimeoutSeconds: 120 }) }, "6.3"),
        "P9",
      ),
      [],
    );
  });

  it("P10: features removed in 6.0 block a hop into 6.0; SHA-1 LDAP certificates block from 6.0.4", () => {
    const r = only(
      check(
        { version: "5.11.2", settings: clean({ removedFeaturesInUse: ["dsa-keys", "log-ingestion"] }) },
        "6.0",
      ),
      "P10",
    );
    assert.equal(r.length, 2);
    assert.ok(r.every((x) => x.severity === "error"));
    const sha1 = only(
      check({ version: "6.0.0", settings: clean({ sha1LdapCertificates: true }) }, "6.0.7"),
      "P10",
    );
    assert.match(sha1[0].message, /SHA-1.*6\.0\.4/);
    assert.deepEqual(
      only(
        check({ version: "6.0.5", settings: clean({ removedFeaturesInUse: ["dsa-keys"] }) }, "6.0.7"),
        "P10",
      ),
      [],
    );
  });

  it("P10: a hop into 5.11 with SSH keys under 1024 bits in use blocks (the 5.11 guide: support is lost)", () => {
    const r = only(
      check(
        { version: "5.10.0", settings: clean({ removedFeaturesInUse: ["ssh-keys-under-1024-bits"] }) },
        "5.11",
      ),
      "P10",
    );
    assert.equal(r.length, 1);
    assert.equal(r[0].severity, "error");
    assert.match(r[0].message, /shorter than 1024 bits, which 5\.11\.0 removes/);
    // Already past 5.11: nothing left to lose.
    assert.deepEqual(
      only(
        check(
          { version: "5.11.0", settings: clean({ removedFeaturesInUse: ["ssh-keys-under-1024-bits"] }) },
          "5.11",
        ),
        "P10",
      ),
      [],
    );
  });

  it("P10: DSA keys, X.509 host certificates and Lieberman ERPM are deprecated in 5.11 (warning) and removed in 6.0 (blocking)", () => {
    const features = ["dsa-keys", "x509-host-certificates", "lieberman-erpm"];
    const into511 = only(
      check({ version: "5.10.0", settings: clean({ removedFeaturesInUse: features }) }, "5.11"),
      "P10",
    );
    assert.equal(into511.length, 3);
    assert.ok(into511.every((f) => f.severity === "warning" && /deprecated from 5\.11\.0/.test(f.message)));
    const into60 = only(
      check({ version: "5.10.0", settings: clean({ removedFeaturesInUse: features }) }, "6.0"),
      "P10",
    );
    assert.equal(into60.length, 3);
    assert.ok(into60.every((f) => f.severity === "error" && /6\.0\.0 removes/.test(f.message)));
    // log ingestion has no 5.11 deprecation in the guides: no finding into 5.11.
    assert.deepEqual(
      only(
        check({ version: "5.10.0", settings: clean({ removedFeaturesInUse: ["log-ingestion"] }) }, "5.11"),
        "P10",
      ),
      [],
    );
  });

  it("P11: crossing 6.1.0 needs RFC 5890 in-band destination hostnames", () => {
    const r = only(
      check({ version: "6.0.7", settings: clean({ nonRfc5890Hostnames: ["bad_host..x"] }) }, "6.3"),
      "P11",
    );
    assert.match(r[0].message, /bad_host\.\.x/);
    assert.deepEqual(
      only(
        check({ version: "6.1.1", settings: clean({ nonRfc5890Hostnames: ["bad_host..x"] }) }, "6.3"),
        "P11",
      ),
      [],
    );
  });

  it("P14: crossing 6.3.0 says the first boot reorganises storage for 30 minutes or more", () => {
    const r = only(check({ version: "6.0.7", settings: clean() }, "6.3"), "P14");
    assert.match(r[0].message, /30 minutes or more/);
    assert.deepEqual(only(check({ version: "6.0.5", settings: clean() }, "6.0"), "P14"), []);
  });

  it("S14: a Windows domain member gets a check-membership note", () => {
    assert.equal(
      only(check({ version: "6.0.7", settings: clean({ windowsDomainMember: true }) }, "6.3"), "S14").length,
      1,
    );
  });

  it("a node with nothing to do gets no preflight findings at all", () => {
    assert.deepEqual(check({ version: "6.3.2", settings: { healthOk: false } }, "6.3"), []);
  });

  it("settings are strict: a misspelt fact is refused, naming it", () => {
    const r = nodeSchema.safeParse({ name: "n", version: "6.0.5", settings: { diskFillupLimit: 90 } });
    assert.equal(r.success, false);
    assert.match(JSON.stringify(r.error.issues), /diskFillupLimit/);
  });
});
