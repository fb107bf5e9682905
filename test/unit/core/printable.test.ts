import assert from "node:assert/strict";
import { printable, printableLines, printableValue } from "../../../core/printable";

describe("printable: appliance text never reaches a terminal raw", () => {
  it("escapes ASCII and Latin-1 controls, DEL and bidi controls; keeps ordinary text", () => {
    assert.equal(printable("7.0.3\u001b]0;pwned\u0007"), "7.0.3\\x1b]0;pwned\\x07");
    assert.equal(printable("a\u009b31mb\u007f"), "a\\x9b31mb\\x7f");
    assert.equal(printable("x\u202ey\r\nz"), "x\\u{202e}y\\x0d\\x0az");
    assert.equal(printable("Grüße 7.0.3 — ok"), "Grüße 7.0.3 — ok");
  });

  it("printableLines keeps our own line breaks", () => {
    assert.equal(printableLines("a\u001b[2J\nb"), "a\\x1b[2J\nb");
    // An upgrade test's summary is kept verbatim where it is safe: tabs and line feeds stay, CR does not.
    assert.equal(printableLines("a\tb\r\nc"), "a\tb\\x0d\nc");
  });

  it("printableValue escapes every string and key of a JSON value", () => {
    assert.deepEqual(printableValue({ "k\u001b": ["v\u0007", 3, true, null] }), {
      "k\\x1b": ["v\\x07", 3, true, null],
    });
  });
});
