import { strict as assert } from "node:assert";
import { inSubnet, NEXT_HOP_RESTART, takeoverDecision, validateNextHops } from "../../../core/next-hop";

describe("HA next-hop monitoring (rule H4)", () => {
  const ifaces = [{ interface: "external", cidr: "10.0.1.5/24" }];

  it("H4: accepts one IPv4 address per interface and node, on the interface's own segment", () => {
    assert.deepEqual(
      validateNextHops([{ interface: "external", thisNode: "10.0.1.1", otherNode: "10.0.1.2" }], ifaces),
      [],
    );
  });

  it("H4: refuses a non-IPv4 address, naming the field", () => {
    const p = validateNextHops(
      [{ interface: "external", thisNode: "fe80::1", otherNode: "10.0.1.2" }],
      ifaces,
    );
    assert.equal(p[0].property, "targets[0].thisNode");
    assert.match(p[0].reason, /not an IPv4 address/);
  });

  it("H4: refuses an address outside the interface's subnet", () => {
    const p = validateNextHops(
      [{ interface: "external", thisNode: "10.0.1.1", otherNode: "10.0.2.1" }],
      ifaces,
    );
    assert.equal(p[0].property, "targets[0].otherNode");
    assert.match(p[0].reason, /10\.0\.1\.5\/24/);
  });

  it("H4: refuses two entries for one interface", () => {
    const t = { interface: "external", thisNode: "10.0.1.1", otherNode: "10.0.1.2" };
    assert.match(validateNextHops([t, t], ifaces)[0].reason, /one address per interface/);
  });

  it("H4: subnet arithmetic handles /32, /0 and odd prefixes", () => {
    assert.equal(inSubnet("192.168.7.9", "192.168.7.9/32"), true);
    assert.equal(inSubnet("192.168.7.8", "192.168.7.9/32"), false);
    assert.equal(inSubnet("8.8.8.8", "0.0.0.0/0"), true);
    assert.equal(inSubnet("10.0.0.130", "10.0.0.129/25"), true);
    assert.equal(inSubnet("10.0.0.127", "10.0.0.129/25"), false);
  });

  it("H4: the secondary reaching more targets forces a takeover, unless it is not fully synced", () => {
    assert.equal(
      takeoverDecision({ primaryReachable: 1, secondaryReachable: 2, secondarySynced: true }),
      "takeover",
    );
    assert.equal(
      takeoverDecision({ primaryReachable: 1, secondaryReachable: 2, secondarySynced: false }),
      "refused-not-synced",
    );
    assert.equal(
      takeoverDecision({ primaryReachable: 2, secondaryReachable: 2, secondarySynced: true }),
      "no-takeover",
    );
  });

  it('H4: a change applies after both nodes restart through "Reboot Cluster", as the document says', () => {
    assert.deepEqual(NEXT_HOP_RESTART, {
      operation: "rebootCluster",
      webInterface: "Basic Settings > High Availability: Reboot Cluster",
    });
  });
});
