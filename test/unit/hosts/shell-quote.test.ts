import { strict as assert } from "node:assert";
import { execFileSync } from "node:child_process";
import fc from "fast-check";
import { shellJoin, shellQuote } from "../../../provider/clients/hosts/shell-quote";

describe("shell quoting of remote command arguments", () => {
  it("leaves safe words (paths, versions, options) as they are", () => {
    assert.equal(shellQuote("/var/tmp/external-indexer-6.3.0.rpm"), "/var/tmp/external-indexer-6.3.0.rpm");
    assert.equal(shellQuote("--installroot=/srv/root"), "--installroot=/srv/root");
  });

  it("single-quotes everything else and escapes embedded single quotes", () => {
    assert.equal(shellQuote(""), "''");
    assert.equal(shellQuote("a b"), "'a b'");
    assert.equal(shellQuote("it's"), "'it'\\''s'");
    assert.equal(shellQuote("$(reboot)"), "'$(reboot)'");
    assert.equal(shellQuote("%{VERSION}"), "'%{VERSION}'");
  });

  it("refuses a NUL byte, which no shell argument can hold", () => {
    assert.throws(() => shellQuote("a\0b"), /NUL/);
  });

  it("any strings survive a round trip through /bin/sh unchanged (property)", () => {
    const arg = fc.string({ unit: "grapheme" }).filter((s) => !s.includes("\0"));
    fc.assert(
      fc.property(fc.array(arg, { minLength: 1, maxLength: 4 }), (args) => {
        const out = execFileSync("/bin/sh", ["-c", `printf '%s\\0' ${shellJoin(args)}`]);
        assert.deepEqual(out.toString("utf8").split("\0").slice(0, -1), args);
      }),
      { numRuns: 40 },
    );
  });
});
