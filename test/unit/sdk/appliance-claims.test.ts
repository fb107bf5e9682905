// One declaration per appliance in a program (sdk/appliance-claims.ts): a second declaration of the
// same SPS — however its address is spelled — is refused naming both; distinct appliances pass.
import { strict as assert } from "node:assert";
import * as pulumi from "@pulumi/pulumi";
import { applianceKey } from "../../../core/appliance-address";
import {
  claimedFirmwareNodes,
  DuplicateApplianceError,
  newApplianceClaims,
} from "../../../sdk/appliance-claims";

describe("appliance address key", function () {
  it("ignores case, the https default port and trailing slashes", function () {
    const key = applianceKey("https://sps1.example.net");
    for (const spelled of [
      "https://SPS1.Example.NET",
      "https://sps1.example.net/",
      "https://sps1.example.net:443",
      "HTTPS://sps1.example.net:443//",
      " https://sps1.example.net ",
    ])
      assert.equal(applianceKey(spelled), key, spelled);
  });

  it("keeps what tells two appliances apart: host, another port, a path", function () {
    const keys = new Set(
      [
        "https://sps1.example.net",
        "https://sps2.example.net",
        "https://sps1.example.net:8443",
        "https://gw.example.net/sps1",
        "https://gw.example.net/sps2",
      ].map(applianceKey),
    );
    assert.equal(keys.size, 5);
  });
});

describe("appliance claims of a program", function () {
  it("refuses a node of a second cluster at an address already declared, naming both declarations", function () {
    const claims = newApplianceClaims();
    claims.claim('SpsCluster "dc1"', [{ address: "https://sps1.example.net" }]);
    assert.throws(
      () =>
        claims.claim('SpsCluster "dc2"', [
          { address: "https://sps9.example.net" },
          { address: "https://SPS1.example.net:443/" },
        ]),
      (e: unknown) => {
        assert.ok(e instanceof DuplicateApplianceError);
        assert.ok(pulumi.RunError.isInstance(e), "shown without a stack trace");
        assert.match(
          e.message,
          /^SpsCluster "dc1" nodes\[0\] and SpsCluster "dc2" nodes\[1\] both name https:\/\/sps1\.example\.net \(written https:\/\/SPS1\.example\.net:443\/\): two runs would upgrade one appliance at once\. Declare each appliance in one cluster only/,
        );
        return true;
      },
    );
  });

  it("refuses one cluster naming an appliance twice", function () {
    const claims = newApplianceClaims();
    assert.throws(
      () =>
        claims.claim('ClusterFirmware "fw"', [
          { address: "https://sps1.example.net" },
          { address: "https://sps1.example.net/" },
        ]),
      /^DuplicateApplianceError: ClusterFirmware "fw" nodes\[0\] and ClusterFirmware "fw" nodes\[1\] both name https:\/\/sps1\.example\.net/,
    );
  });

  it("accepts distinct appliances, and a refused declaration claims none of its nodes", function () {
    const claims = newApplianceClaims();
    claims.claim('SpsCluster "a"', [{ address: "https://a.example.net" }]);
    assert.throws(() =>
      claims.claim('SpsCluster "b"', [
        { address: "https://b.example.net" },
        { address: "https://a.example.net" },
      ]),
    );
    // b.example.net was not claimed by the refused declaration.
    claims.claim('SpsCluster "c"', [
      { address: "https://b.example.net" },
      { address: "https://c.example.net" },
    ]);
  });
});

describe("appliance claims of ClusterFirmware used directly", function () {
  // The Output's own promise (@pulumi/pulumi's OutputImpl.promise): it rejects when the apply throws.
  const value = (o: unknown): Promise<unknown> => (o as { promise(): Promise<unknown> }).promise();

  it("claims plain nodes at once, and nodes given as an Output when they resolve (the resource then fails)", async function () {
    // Addresses of their own: the program's registry is module-level.
    void claimedFirmwareNodes(
      'ClusterFirmware "direct-a"',
      [{ address: "https://direct-a.example.net" }],
      undefined,
    );
    assert.throws(
      () =>
        claimedFirmwareNodes(
          'ClusterFirmware "direct-b"',
          [{ address: "https://DIRECT-A.example.net" }],
          undefined,
        ),
      /ClusterFirmware "direct-a" nodes\[0\] and ClusterFirmware "direct-b" nodes\[0\] both name https:\/\/direct-a\.example\.net/,
    );
    const later = claimedFirmwareNodes(
      'ClusterFirmware "direct-c"',
      pulumi.output([{ address: "https://direct-a.example.net/" }]),
      undefined,
    );
    assert.ok(pulumi.Output.isInstance(later));
    await assert.rejects(
      value(later),
      /ClusterFirmware "direct-a" nodes\[0\] and ClusterFirmware "direct-c"/,
    );
  });
});
