import assert from "node:assert/strict";
import { CappedOutput, COMMAND_OUTPUT_MAX_BYTES } from "../../../provider/clients/hosts/capped-output";

describe("CappedOutput: a command's output kept up to a byte cap", () => {
  it("keeps the first bytes up to the cap, drops the rest and says so", () => {
    const o = new CappedOutput(10);
    o.push(Buffer.from("12345678"));
    o.push("abcdef");
    o.push("more");
    assert.equal(o.text(), "12345678ab");
    assert.equal(o.bytes, 10);
    assert.equal(o.truncated, true);
    assert.match(o.describe(), /output cut at 10 bytes/);
  });

  it("an endless stream of 64 KiB chunks holds at most the default cap", () => {
    const o = new CappedOutput();
    const chunk = Buffer.alloc(64 * 1024, 0x61);
    for (let i = 0; i < 64; i++) o.push(chunk);
    assert.equal(o.bytes, COMMAND_OUTPUT_MAX_BYTES);
    assert.equal(o.truncated, true);
  });

  it("output under the cap is kept whole, with no note", () => {
    const o = new CappedOutput(10);
    o.push("ok\n");
    assert.equal(o.describe(), "ok\n");
    assert.equal(o.truncated, false);
  });
});
