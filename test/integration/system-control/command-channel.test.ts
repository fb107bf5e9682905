import { strict as assert } from "node:assert";
import { existsSync } from "node:fs";
import { mkdtemp, readFile, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import {
  createSystemControl,
  SystemControlError,
  type SystemControlConfigInput,
} from "../../../provider/clients/system-control";
import { FakePair } from "./pair-fixture";

const NODE = process.execPath;
const PAIR = { primary: "sps-a", secondary: "sps-b" };
/** Writes its argv (after the script), SPS_* env and, if given, a file's base64 content to $OUT. */
const RECORD =
  "const fs=require('fs');const a=process.argv.slice(1);" +
  "const f=a.find(x=>x.startsWith('file='));" +
  "fs.writeFileSync(process.env.OUT,JSON.stringify({argv:a,op:process.env.SPS_OPERATION,node:process.env.SPS_NODE," +
  "file:f&&fs.existsSync(f.slice(5))?fs.readFileSync(f.slice(5)).toString('base64'):null}))";

describe("command channel: templated user command, no shell, exit code decides", function () {
  this.timeout(20_000);
  let dir: string;
  let out: string;

  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), "cmd-channel-"));
    out = join(dir, "out.json");
  });
  afterEach(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  function cfg(operations: SystemControlConfigInput["operations"]): SystemControlConfigInput {
    return {
      nodes: {
        "sps-a": { address: "10.0.0.1" },
        "sps-b": {
          address: "10.0.0.2",
          ipmi: { host: "127.0.0.1", port: 6230, username: "admin", password: "ipmi-Secret-3" },
        },
      },
      operations,
    };
  }
  const recorded = async (): Promise<{ argv: string[]; op: string; node: string; file: string | null }> =>
    JSON.parse(await readFile(out, "utf8")) as {
      argv: string[];
      op: string;
      node: string;
      file: string | null;
    };

  it("H2: expands {{node}}, {{address}}, {{operation}}, {{secondary}}, {{bmcHost}}, {{bmcPort}} per argv element", async () => {
    const control = createSystemControl(
      cfg({
        powerOnSecondary: {
          channel: "command",
          argv: [
            NODE,
            "-e",
            RECORD,
            "{{node}}",
            "{{address}}",
            "op={{operation}}",
            "{{secondary}}",
            "{{bmcHost}}:{{bmcPort}}",
          ],
          env: { OUT: out },
        },
      }),
    );
    await control.powerOnSecondary(PAIR);
    const r = await recorded();
    assert.deepEqual(r.argv, ["sps-b", "10.0.0.2", "op=powerOnSecondary", "sps-b", "127.0.0.1:6230"]);
    assert.equal(r.op, "powerOnSecondary");
    assert.equal(r.node, "sps-b");
  });

  it("S11: uploadLicense hands the license over in a private temp file ({{licenseFile}}), removed afterwards; values with shell metacharacters stay one literal argument", async () => {
    const content = Buffer.from("LICENSE-BYTES\x00\x01");
    const pwned = join(dir, "pwned");
    const control = createSystemControl(
      cfg({
        uploadLicense: {
          channel: "command",
          argv: [NODE, "-e", RECORD, "file={{licenseFile}}", "{{licenseName}}"],
          env: { OUT: out },
        },
      }),
    );
    const name = `new license; touch ${pwned} $(touch ${pwned})`;
    await control.uploadLicense("sps-a", { fileName: name, content });
    const r = await recorded();
    assert.equal(r.file, content.toString("base64"));
    assert.equal(r.argv[1], name);
    assert.equal(r.argv.length, 2);
    assert.ok(!existsSync(pwned), "no shell ran the value");
    assert.ok(!existsSync(r.argv[0].slice(5)), "temp license file removed");
  });

  it("readHaState parses the same JSON as the core shell; readPowerState reads on/off", async () => {
    const state = new FakePair().haState();
    const control = createSystemControl(
      cfg({
        readHaState: {
          channel: "command",
          argv: [NODE, "-e", `process.stdout.write(${JSON.stringify(JSON.stringify(state))})`],
        },
        readPowerState: { channel: "command", argv: [NODE, "-e", "console.log('off')"] },
      }),
    );
    assert.deepEqual(await control.readHaState("sps-a"), state);
    assert.equal(await control.readPowerState("sps-b"), "off");
  });

  it("a non-zero exit fails with exit code and stderr tail, and secrets are redacted", async () => {
    const control = createSystemControl(
      cfg({
        rebootNode: {
          channel: "command",
          argv: [NODE, "-e", "console.error('cannot reach ipmi-Secret-3 host');process.exit(3)", "{{node}}"],
        },
      }),
    );
    await assert.rejects(control.rebootNode("sps-a"), (e: unknown) => {
      assert.ok(e instanceof SystemControlError);
      assert.equal(e.channel, "command");
      assert.equal(e.node, "sps-a");
      assert.equal(e.operation, "rebootNode");
      assert.equal(e.failure, "exit-code");
      assert.equal(e.exitCode, 3);
      assert.match(e.stderrTail, /cannot reach \[redacted\] host/);
      assert.ok(!e.message.includes("ipmi-Secret-3"));
      return true;
    });
  });

  it("stderr alone is not a failure: exit code 0 succeeds", async () => {
    const control = createSystemControl(
      cfg({
        activateSecondary: { channel: "command", argv: [NODE, "-e", "console.error('warning: slow')"] },
      }),
    );
    await control.activateSecondary(PAIR);
  });

  it("a command that outlives its operation's deadline is killed and reported", async () => {
    const control = createSystemControl(
      cfg({
        shutdownSecondary: {
          channel: "command",
          argv: [NODE, "-e", "setTimeout(()=>0,60000)"],
          deadlineMs: 800,
        },
      }),
    );
    const t0 = Date.now();
    await assert.rejects(control.shutdownSecondary(PAIR), (e: unknown) => {
      assert.ok(e instanceof SystemControlError);
      assert.equal(e.failure, "deadline");
      assert.match(e.message, /deadline of 800 ms and was killed/);
      return true;
    });
    assert.ok(Date.now() - t0 < 2500);
  });

  it("a missing program is a spawn failure naming the argv field", async () => {
    const control = createSystemControl(
      cfg({ rebootNode: { channel: "command", argv: ["/nonexistent/power-tool"] } }),
    );
    await assert.rejects(control.rebootNode("sps-a"), /operations\.rebootNode\.argv\[0\]/);
  });
});
