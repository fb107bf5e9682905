// The input reader of render / migrate-state: stdin as a stream, whole; more than the cap refused naming it.
import { strict as assert } from "node:assert";
import { Readable } from "node:stream";
import { InputReadError, MAX_INPUT_BYTES, readInput, readStream } from "../../../cli/read-input";

describe("cli/read-input: stdin read as a bounded stream", () => {
  it("joins the chunks as they arrive", async () => {
    assert.equal(await readStream(Readable.from([Buffer.from('{"a":'), Buffer.from("1}")])), '{"a":1}');
  });

  it("refuses more than the cap, naming it", async () => {
    await assert.rejects(
      readStream(
        Readable.from([Buffer.alloc(3 * 1024 * 1024), Buffer.alloc(2 * 1024 * 1024)]),
        4 * 1024 * 1024,
      ),
      (e: unknown) => e instanceof InputReadError && /more than 4 MiB \(4194304 bytes\)/.test(e.message),
    );
    assert.equal(MAX_INPUT_BYTES, 64 * 1024 * 1024);
  });

  it("reads stdin for `-`, and names the errno of a missing file", async () => {
    assert.equal(await readInput("-", Readable.from(["x", "y"])), "xy");
    await assert.rejects(readInput("/nonexistent/preview.json"), /^InputReadError: ENOENT$|ENOENT/);
  });
});
