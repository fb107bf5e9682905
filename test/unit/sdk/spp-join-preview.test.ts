// J1 / AG SPP join: "If the join is successful … SPP automatically closes any open access requests."
// The preview's line for a join, and for a re-join after a changed primary address, says so.
import { strict as assert } from "node:assert";
import { useStackCredentials } from "../../support/stack-credentials";
import { sppJoin } from "../../../provider/resources/spp-join-provider";

describe("SppJoin preview (J1)", () => {
  useStackCredentials({ appliance: { username: "admin", password: "spp-preview-test-password" } });

  const news = {
    node: "sps1",
    address: "https://sps1.invalid",
    tls: { system: true },
    spp: { address: "spp.lab.example" },
    firewall: { tcp8649BothWays: true, tcp443SpsToSpp: true },
    spsPrimaryAddress: "192.0.2.10",
    sppPrimaryAddress: "192.0.2.20",
  };

  const lines = async (olds: Record<string, unknown>, next: Record<string, unknown>) =>
    ((await sppJoin.check(olds, next)).inputs as { plannedActions: string[] }).plannedActions.join("\n");

  it("a first join says it cannot be undone and that SPP closes every open access request", async () => {
    const text = await lines({}, news);
    assert.match(text, /cannot be undone/);
    assert.match(text, /SPP close every open access request/);
  });

  it("a join names the optional configuration backups of SPS and SPP (no gate: optional)", async () => {
    assert.match(
      await lines({}, news),
      /optional before the join: a configuration backup of SPS .* and one of SPP/,
    );
  });

  it("J2: promoteStandalone says to build the cluster of other standalone SPS before the join; without it, nothing", async () => {
    const promoted = await lines({}, { ...news, promoteStandalone: true });
    assert.match(promoted, /promote sps1 if it is standalone \(J2\): .*build that cluster before this join/);
    assert.doesNotMatch(await lines({}, news), /build that cluster/);
  });

  it("a re-join after SPP's primary address changed says it too; an unchanged join plans nothing", async () => {
    const text = await lines(news, { ...news, sppPrimaryAddress: "192.0.2.21" });
    assert.match(text, /join must be repeated/);
    assert.match(text, /SPP close every open access request/);
    assert.equal(await lines(news, news), "");
  });
});
