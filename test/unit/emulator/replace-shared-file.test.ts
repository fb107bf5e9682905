// The lab's machine-wide files (the RPM macros file naming the hosts' database, the sudoers drop-ins)
// are rewritten by every lab that starts, while other labs' rpm and sudo read them. A file truncated
// in place and then written is empty for a moment: an rpm that reads it then takes Debian's ~/.rpmdb,
// and an out-of-band `rpm -U` made by a test lands in a database the host never reads. Replaced whole,
// a reader that opened the file before the change still reads the old content, complete.
import { strict as assert } from "node:assert";
import {
  closeSync,
  mkdtempSync,
  openSync,
  readFileSync,
  readdirSync,
  readSync,
  rmSync,
  statSync,
  writeFileSync,
} from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { replaceSharedFile } from "../../../emulator/indexer-hosts/indexer-lab-host";

describe("replaceSharedFile: a machine-wide lab file is never seen empty or half written", function () {
  let dir: string;
  beforeEach(() => (dir = mkdtempSync(join(tmpdir(), "replace-shared-file-"))));
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  function readAll(fd: number): string {
    const buf = Buffer.alloc(4096);
    return buf.subarray(0, readSync(fd, buf, 0, buf.length, 0)).toString("utf8");
  }

  it("a reader holding the file keeps the old content whole; the path gives the new one", function () {
    const file = join(dir, "macros.lab");
    writeFileSync(file, "%_dbpath /var/lib/rpm\n");
    const reader = openSync(file, "r");
    try {
      replaceSharedFile(file, "# lab hosts\n%_dbpath /var/lib/rpm\n");
      assert.equal(readAll(reader), "%_dbpath /var/lib/rpm\n", "the file was rewritten in place");
    } finally {
      closeSync(reader);
    }
    assert.equal(readFileSync(file, "utf8"), "# lab hosts\n%_dbpath /var/lib/rpm\n");
    assert.deepEqual(readdirSync(dir), ["macros.lab"], "no temporary file is left");
  });

  it("the same content is left as it is (nothing to read mid-write)", function () {
    const file = join(dir, "macros.lab");
    writeFileSync(file, "%_dbpath /var/lib/rpm\n");
    const before = statSync(file).ino;
    replaceSharedFile(file, "%_dbpath /var/lib/rpm\n");
    assert.equal(statSync(file).ino, before);
  });

  it("a rejected check leaves the file as it was, and no temporary file", function () {
    const file = join(dir, "sudoers-lab");
    writeFileSync(file, "old\n", { mode: 0o440 });
    assert.throws(
      () =>
        replaceSharedFile(file, "new\n", {
          mode: 0o440,
          check: () => {
            throw new Error("visudo: syntax error");
          },
        }),
      /visudo: syntax error/,
    );
    assert.equal(readFileSync(file, "utf8"), "old\n");
    assert.deepEqual(readdirSync(dir), ["sudoers-lab"]);
  });

  it("a new file gets the mode asked for", function () {
    const file = join(dir, "sudoers-lab");
    replaceSharedFile(file, "x ALL=(root) NOPASSWD: ALL\n", { mode: 0o440 });
    assert.equal(statSync(file).mode & 0o777, 0o440);
  });
});
