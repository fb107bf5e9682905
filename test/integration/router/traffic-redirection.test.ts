/**
 * Traffic redirection on a Linux router, against real iptables / ip in network namespaces, driven
 * through a real sshd running in the router namespace (see test/support/router-netns.ts).
 */
import assert from "node:assert/strict";
import { SshHostSession } from "../../../provider/clients/hosts/ssh-host-session";
import {
  applyRedirection,
  readRedirection,
  removeRedirection,
  validateTrafficRedirection,
  type TrafficRedirectionSpecInput,
} from "../../../provider/clients/router";
import { NET, RouterLab } from "../../support/router-netns";

describe("Linux router traffic redirection to SPS (real iptables/ip in netns, over real sshd)", function () {
  this.timeout(60_000);
  let lab: RouterLab;
  let session: SshHostSession;
  let spec: TrafficRedirectionSpecInput;

  before(async () => {
    lab = await RouterLab.start();
    await lab.listen(lab.ns.server, 3389, "server");
    await lab.listen(lab.ns.server, 8080, "server-web");
    await lab.listen(lab.ns.sps, 3389, "sps");
    session = await SshHostSession.connect(lab.sshOptions(), "router");
    spec = {
      name: "lab",
      sps: { address: NET.sps, interface: lab.ifaces.sps },
      clientSide: [{ interface: lab.ifaces.client, destinationCidr: NET.serverNet, ports: [3389] }],
      rtTablesPath: lab.rtTablesPath,
    };
  });

  after(async () => {
    await session?.close();
    const names = lab ? Object.values(lab.ns) : [];
    await lab?.stop();
    if (lab) assert.deepEqual(lab.remainingNamespaces(), [], `namespaces left behind: ${names.join(", ")}`);
  });

  it("before any configuration the client reaches the server itself", () => {
    assert.equal(lab.connectFrom(lab.ns.client, NET.server, 3389), "server");
  });

  it("apply marks the client's connections to tcp/3389 and a TCP connection from the client reaches the SPS namespace instead", async () => {
    const t0 = Date.now();
    const result = await applyRedirection(session, spec);
    const ms = Date.now() - t0;
    console.log(`      apply over ssh: ${result.changes.length} changes in ${ms} ms`);
    assert.ok(
      result.changes.some((c) => c.includes("rt_tables")),
      result.changes.join("\n"),
    );
    assert.ok(result.changes.some((c) => c.includes("default route of table 103 via SPS")));
    assert.ok(result.changes.some((c) => c.includes("ip rule fwmark 0x1")));
    assert.equal(result.changes.filter((c) => c.startsWith("added iptables rule")).length, 2);
    assert.equal(lab.connectFrom(lab.ns.client, NET.server, 3389), "sps");
    // Only the selected port is redirected.
    assert.equal(lab.connectFrom(lab.ns.client, NET.server, 8080), "server-web");
    // The documented shape on the router: CONNMARK rule(s) first, then the MARK rule.
    const rules = lab.exec(lab.ns.router, ["iptables", "-t", "mangle", "-S", "PREROUTING"]);
    const connmark = rules.indexOf("CONNMARK --set-xmark 0x1");
    const mark = rules.indexOf("MARK --set-xmark 0x1");
    assert.ok(connmark > 0 && mark > connmark, rules);
    assert.match(lab.exec(lab.ns.router, ["ip", "rule", "show"]), /fwmark 0x1 lookup 103/);
    assert.match(
      lab.exec(lab.ns.router, ["ip", "route", "show", "table", "103"]),
      new RegExp(`default via ${NET.sps}`),
    );
    assert.match(lab.exec(lab.ns.router, ["cat", lab.rtTablesPath]), /^103 scb$/m);
  });

  it("a second apply changes nothing and read finds the router in sync", async () => {
    const again = await applyRedirection(session, spec);
    assert.deepEqual(again.changes, []);
    const read = await readRedirection(session, spec);
    assert.deepEqual(read.drift, []);
    assert.equal(read.inSync, true);
    assert.equal(read.observed.ipRule.present, true);
    assert.equal(read.observed.route.via, NET.sps);
    assert.equal(read.observed.rtTablesEntry, true);
    assert.equal(read.observed.ipForward, 1);
    assert.deepEqual(
      read.observed.mangleRules.map((r) => [r.kind, r.present]),
      [
        ["client-mark", true],
        ["restore-mark", true],
      ],
    );
  });

  it("read reports an out-of-band deleted CONNMARK rule and ip rule as drift; apply repairs them", async () => {
    lab.exec(lab.ns.router, ["iptables", "-t", "mangle", "-D", "PREROUTING", "1"]);
    lab.exec(lab.ns.router, ["ip", "rule", "del", "fwmark", "1", "table", "103"]);
    assert.equal(lab.connectFrom(lab.ns.client, NET.server, 3389), "server");
    const read = await readRedirection(session, spec);
    assert.equal(read.inSync, false);
    assert.deepEqual(
      read.drift.map((d) => [d.item, d.kind]),
      [
        ["iptables", "missing"],
        ["ip-rule", "missing"],
      ],
    );
    assert.match(read.drift[0]?.detail ?? "", /rule missing: mark connections entering .* tcp\/3389/);
    const repaired = await applyRedirection(session, spec);
    assert.equal(repaired.changes.length, 2, repaired.changes.join("\n"));
    assert.equal(lab.connectFrom(lab.ns.client, NET.server, 3389), "sps");
  });

  it("read reports a MARK rule moved before the CONNMARK rule as out of order; apply moves it back", async () => {
    const listing = lab.exec(lab.ns.router, ["iptables", "-t", "mangle", "-S", "PREROUTING"]);
    const markLine = listing.split("\n").find((l) => l.includes("-j MARK")) as string;
    lab.exec(lab.ns.router, [
      "sh",
      "-c",
      `iptables -t mangle ${markLine.replace(/^-A/, "-D")} && iptables -t mangle ${markLine.replace(/^-A PREROUTING/, "-I PREROUTING 1")}`,
    ]);
    const read = await readRedirection(session, spec);
    assert.deepEqual(
      read.drift.map((d) => d.kind),
      ["order"],
    );
    const fixed = await applyRedirection(session, spec);
    assert.equal(fixed.changes.length, 1);
    assert.match(fixed.changes[0] ?? "", /moved the MARK rule/);
    assert.equal((await readRedirection(session, spec)).inSync, true);
  });

  it("a port removed from the spec: its tagged rule is reported as unexpected and removed by apply", async () => {
    const wider = {
      ...spec,
      clientSide: [{ interface: lab.ifaces.client, destinationCidr: NET.serverNet, ports: [3389, 8080] }],
    };
    await applyRedirection(session, wider);
    assert.equal(lab.connectFrom(lab.ns.client, NET.server, 8080), "(no answer: timeout)");
    const read = await readRedirection(session, spec);
    assert.deepEqual(
      read.drift.map((d) => [d.item, d.kind]),
      [["iptables", "unexpected"]],
    );
    const narrowed = await applyRedirection(session, spec);
    assert.equal(narrowed.changes.length, 1);
    assert.equal(lab.connectFrom(lab.ns.client, NET.server, 8080), "server-web");
  });

  it("IP spoofing: server answers are marked to SPS and rp_filter is turned off (restored on delete)", async () => {
    for (const k of ["all", lab.ifaces.sps])
      lab.exec(lab.ns.router, ["sysctl", "-q", "-w", `net.ipv4.conf.${k}.rp_filter=1`]);
    // With strict rp_filter the router drops what SPS sends with the client's address.
    assert.match(lab.connectFrom(lab.ns.sps, NET.server, 3389, NET.client), /no answer/);
    const spoofing = {
      ...spec,
      ipSpoofing: {
        serverSide: [{ interface: lab.ifaces.server, sourceCidr: NET.serverNet, ports: [3389] }],
      },
    };
    const applied = await applyRedirection(session, spoofing);
    assert.deepEqual(applied.previousRpFilter, { [lab.ifaces.sps]: 1, all: 1 });
    const before = lab.packetsMatching("CONNMARK");
    // SPS opens the server-side connection with the client's address; the server's answers go back to SPS.
    assert.equal(lab.connectFrom(lab.ns.sps, NET.server, 3389, NET.client), "server");
    assert.ok(lab.packetsMatching("CONNMARK") > before, "the server-side CONNMARK rule counted the answers");
    // And the client's own connection still ends at SPS.
    assert.equal(lab.connectFrom(lab.ns.client, NET.server, 3389), "sps");
    const read = await readRedirection(session, spoofing);
    assert.deepEqual(read.drift, []);
    assert.deepEqual(read.observed.rpFilter, { [lab.ifaces.sps]: 0, all: 0 });
    assert.deepEqual((await applyRedirection(session, spoofing)).changes, []);

    const removed = await removeRedirection(session, spoofing, { restoreRpFilter: applied.previousRpFilter });
    assert.ok(removed.removed.some((r) => r.startsWith(`rp_filter of ${lab.ifaces.sps} back to 1`)));
    assert.equal(lab.exec(lab.ns.router, ["cat", "/proc/sys/net/ipv4/conf/all/rp_filter"]).trim(), "1");
    await applyRedirection(session, spec);
  });

  it("delete removes every rule, the ip rule, the route and the rt_tables line; the client reaches the server again", async () => {
    const before = lab.exec(lab.ns.router, ["cat", lab.rtTablesPath]).replace(/^103 scb\n/m, "");
    const result = await removeRedirection(session, spec);
    assert.ok(result.removed.length >= 5, result.removed.join("\n"));
    assert.doesNotMatch(
      lab.exec(lab.ns.router, ["iptables", "-t", "mangle", "-S", "PREROUTING"]),
      /pulumi-sps|MARK/,
    );
    assert.doesNotMatch(lab.exec(lab.ns.router, ["ip", "rule", "show"]), /fwmark/);
    assert.equal(lab.exec(lab.ns.router, ["ip", "route", "show", "table", "103"]).trim(), "");
    assert.equal(
      lab.exec(lab.ns.router, ["cat", lab.rtTablesPath]),
      before,
      "other rt_tables lines kept as they were",
    );
    assert.equal(lab.connectFrom(lab.ns.client, NET.server, 3389), "server");
    const read = await readRedirection(session, spec);
    assert.equal(read.drift.filter((d) => d.kind === "missing").length, 5);
    assert.deepEqual(
      (await removeRedirection(session, spec)).removed,
      [],
      "a second delete finds nothing to remove",
    );
  });

  it("apply refuses a table id already named otherwise in rt_tables, naming table.id and the fix", async () => {
    await assert.rejects(applyRedirection(session, { ...spec, table: { id: 254 } }), (err: Error) => {
      assert.match(err.message, /table\.id|254/);
      return true;
    });
    await assert.rejects(
      applyRedirection(session, { ...spec, table: { id: 120, name: "main" } }),
      /table\.name/,
    );
  });
});

describe("traffic redirection spec validation names the field and the fix", () => {
  const base = {
    sps: { address: "192.0.2.10", interface: "eth2" },
    clientSide: [{ interface: "eth0", ports: [3389] }],
  };

  it("accepts the documented example with defaults (mark 1, table 103 scb, /etc/iproute2/rt_tables)", () => {
    const r = validateTrafficRedirection(base);
    assert.ok(r.ok);
    if (r.ok) {
      assert.equal(r.spec.mark, 1);
      assert.deepEqual(r.spec.table, { id: 103, name: "scb" });
      assert.equal(r.spec.rtTablesPath, "/etc/iproute2/rt_tables");
    }
  });

  const cases: [string, unknown, string, RegExp][] = [
    [
      "SPS address not IPv4",
      { ...base, sps: { address: "sps.example", interface: "eth2" } },
      "sps.address",
      /IPv4/,
    ],
    [
      "no ports",
      { ...base, clientSide: [{ interface: "eth0", ports: [] }] },
      "clientSide[0].ports",
      /at least one port/,
    ],
    [
      "port out of range",
      { ...base, clientSide: [{ interface: "eth0", ports: [70000] }] },
      "clientSide[0].ports[0]",
      /port/,
    ],
    [
      "bad range",
      { ...base, clientSide: [{ interface: "eth0", ports: ["10-5"] }] },
      "clientSide[0].ports[0]",
      /from < to/,
    ],
    [
      "client interface is the SPS interface",
      { ...base, clientSide: [{ interface: "eth2", ports: [22] }] },
      "clientSide[0].interface",
      /facing the clients/,
    ],
    [
      "servers' network holds SPS",
      { ...base, clientSide: [{ interface: "eth0", destinationCidr: "192.0.2.0/24", ports: [22] }] },
      "clientSide[0].destinationCidr",
      /SPS's own address/,
    ],
    ["reserved table id", { ...base, table: { id: 254 } }, "table.id", /reserved/],
    [
      "bad interface name",
      { ...base, sps: { address: "192.0.2.10", interface: "eth 2" } },
      "sps.interface",
      /interface name/,
    ],
    [
      "bad CIDR",
      { ...base, clientSide: [{ interface: "eth0", sourceCidr: "192.0.2.0/40", ports: [22] }] },
      "clientSide[0].sourceCidr",
      /CIDR/,
    ],
    ["unknown field", { ...base, marc: 2 }, "marc", /unknown field/],
    ["mark 0", { ...base, mark: 0 }, "mark", /unmarked/],
  ];
  for (const [what, input, property, reason] of cases) {
    it(`refuses ${what} (${property})`, () => {
      const r = validateTrafficRedirection(input);
      assert.equal(r.ok, false);
      if (!r.ok) {
        const p = r.problems.find((x) => x.property === property);
        assert.ok(p, `expected a problem at ${property}, got ${JSON.stringify(r.problems)}`);
        assert.match(p.reason, reason);
      }
    });
  }
});
