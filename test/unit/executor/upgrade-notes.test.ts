import assert from "node:assert/strict";
import { NOTES_SHOWN, shownUpgradeNotes } from "../../../provider/executor/upgrade-notes";

describe("Upgrade Notes as the run shows them (G53)", () => {
  it("escapes the control characters of the appliance's text, keeps line feeds, indents each line", () => {
    const text = shownUpgradeNotes("6.3.2", "Line one\x1b]0;owned\x07\r\nLine two\u202e");
    assert.match(
      text,
      /^\nUpgrade Notes of the uploaded firmware 6\.3\.2 \(read them before the upgrade\):\n/,
    );
    assert.ok(!/[\x1b\x07\r\u202e]/.test(text), JSON.stringify(text));
    assert.match(text, /\n {4}Line one\\x1b\]0;owned\\x07\\x0d\n {4}Line two\\u\{202e\}$/);
  });

  it("shows at most NOTES_SHOWN characters and says how many more there are", () => {
    const text = shownUpgradeNotes("6.3.2", "x".repeat(NOTES_SHOWN + 500));
    assert.equal((text.match(/x/g) ?? []).length, NOTES_SHOWN);
    assert.match(text, /… 500 more characters: read them whole/);
  });

  it("no notes (absent, empty or blank): nothing shown", () => {
    for (const n of [undefined, "", "  \n "]) assert.equal(shownUpgradeNotes("6.3.2", n), "");
  });
});
