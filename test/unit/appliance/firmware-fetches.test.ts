// One parser for a firmware download entry (`GET /api/firmware/fetch` items and `GET …/fetch/<key>`,
// [doc] 7.0 LTS REST guide; body fields besides status [unknown]): rule S3 (the checksum the node reports
// is compared with the declared one, so it is lowercased; the slot comes from its href).
import { strict as assert } from "node:assert";
import { fetchEntryOf, listFirmwareFetches } from "../../../provider/clients/sps/firmware-fetches";

describe("firmware fetch entries: one parser for the list and the single status (S3)", function () {
  it("reads status, slot id, checksum (lowercased, either field) and error; a missing status is 'unknown'", function () {
    assert.deepEqual(
      fetchEntryOf({
        key: "7",
        body: { status: "failed", slot: "/api/firmware/slots/2", checksum: { sha256: "ABC" }, error: "boom" },
      }),
      { key: "7", status: "failed", sha256: "abc", slotId: 2, error: "boom" },
    );
    assert.deepEqual(fetchEntryOf({ key: "8", body: { sha256: "DEF", url: "https://h/x" } }), {
      key: "8",
      status: "unknown",
      url: "https://h/x",
      sha256: "def",
    });
    assert.deepEqual(fetchEntryOf({ key: "9" }), { key: "9", status: "unknown" });
  });

  it("the list uses the same parser; 404 is no downloads; another shape is an error naming the path", async function () {
    const items = [
      { key: "3", body: { status: "finished", slot: "/api/firmware/slots/1", checksum: { sha256: "AA" } } },
    ];
    assert.deepEqual(await listFirmwareFetches({ readTree: () => Promise.resolve({ items }) }), [
      { key: "3", status: "finished", sha256: "aa", slotId: 1 },
    ]);
    assert.deepEqual(await listFirmwareFetches({ readTree: () => Promise.resolve(null) }), []);
    await assert.rejects(
      listFirmwareFetches({ readTree: () => Promise.resolve({ entries: [] }) }),
      /\/api\/firmware\/fetch: unexpected answer at items/,
    );
  });
});
