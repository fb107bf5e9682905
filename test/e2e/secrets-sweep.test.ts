// Secrets sweep: an HA pair upgraded through the real engine with every secret the lab has (the REST login,
// the core shell's login, each BMC's own login, the license texts), the engine logging at -v=9 to stderr.
// Afterwards everything the run wrote — the state and its backups and history, PULUMI_HOME, the checkpoints
// and the engine's printed output and logs — is searched for each secret in every encoding a leak could take.
import { strict as assert } from "node:assert";
import * as fs from "node:fs";
import * as path from "node:path";
import {
  addConfirmations,
  confirmGatesIn,
  gateIn,
  labStack,
  licenseGateIn,
  passGate,
  passLicenseGate,
  type LabStack,
} from "./sps-helpers";

/** Every string leaf of the secret credentials document that is a secret (passwords, license texts). */
function secretsOf(credentials: unknown): string[] {
  const out: string[] = [];
  const walk = (v: unknown, key: string): void => {
    if (typeof v === "string") {
      if (/password|licenses|privateKey|key$/i.test(key) && v.length >= 6) out.push(v);
    } else if (v && typeof v === "object") {
      for (const [k, child] of Object.entries(v as Record<string, unknown>))
        walk(child, /licenses/i.test(key) ? key : k);
    }
  };
  walk(credentials, "");
  return out;
}

/** The spellings a leaked secret could take in a file or a log line. */
function encodings(secret: string): Record<string, string> {
  const bytes = Buffer.from(secret, "utf8");
  return {
    plain: secret,
    base64: bytes.toString("base64").replace(/=+$/, ""),
    base64url: bytes.toString("base64url"),
    "url-encoded": encodeURIComponent(secret),
    hex: bytes.toString("hex"),
    "json-escaped": JSON.stringify(secret).slice(1, -1),
  };
}

function filesUnder(dir: string): string[] {
  if (!fs.existsSync(dir)) return [];
  const out: string[] = [];
  for (const entry of fs.readdirSync(dir, { withFileTypes: true })) {
    const full = path.join(dir, entry.name);
    if (entry.isSymbolicLink()) continue; // PULUMI_HOME/plugins links to the built engine's plugins
    if (entry.isDirectory()) out.push(...filesUnder(full));
    else if (entry.isFile()) out.push(full);
  }
  return out;
}

describe("secrets sweep: nothing a run writes holds a secret, in any encoding", function () {
  this.timeout(900_000);
  let ls: LabStack;
  const printed: string[] = [];

  before(async function () {
    ls = await labStack("ha-pair", { channels: "native" });
  });

  after(async function () {
    await ls?.dispose();
  });

  it("upgrades the HA pair at -v=9 through every gate", async function () {
    for (let run = 0; run < 16; run++) {
      const r = await ls.stack.cli(["up", "--yes", "--skip-preview", "-v=9", "--logtostderr", "--logflow"]);
      const text = `${r.stdout}\n${r.stderr}`;
      printed.push(text);
      if (r.code === 0) break;
      const activation = gateIn(text);
      const license = activation ? undefined : licenseGateIn(text);
      const confirms = activation || license ? [] : confirmGatesIn(text);
      if (activation) await passGate(ls.lab, activation);
      else if (license) await passLicenseGate(ls.lab, license);
      else if (confirms.length > 0) await addConfirmations(ls.stack, confirms);
      else assert.fail(`up stopped at no gate:\n${text.slice(-4000)}`);
      assert.ok(run < 15, "up did not converge through its gates");
    }
    printed.push((await ls.stack.cli(["stack", "export", "--show-secrets=false"])).stdout);
    assert.ok(printed.join("\n").includes("sps-ha"), "the run printed nothing about its node");
  });

  it("finds no secret in the state, backups, history, PULUMI_HOME, checkpoints or the engine's logs", function () {
    const credentials = JSON.parse(ls.lab.secrets["sps:credentials"] ?? "{}") as unknown;
    const secrets = [
      ...new Set([...secretsOf(credentials), ls.lab.password, ...Object.values(ls.lab.licenses)]),
    ];
    assert.ok(secrets.length >= 4, `too few secrets to sweep for: ${secrets.length}`);
    const files = [
      ...filesUnder(ls.stack.workDir),
      ...filesUnder(path.join(ls.lab.dir, "checkpoints")),
      ...filesUnder(path.join(ls.lab.dir, "evidence")),
    ];
    assert.ok(
      files.some((f) => f.includes(`${path.sep}history${path.sep}`)),
      "no history file was written",
    );
    assert.ok(
      files.some((f) => f.includes(`${path.sep}backups${path.sep}`)),
      "no state backup was written",
    );
    const haystacks: Array<[string, string]> = [
      ...files.map((f): [string, string] => [f, fs.readFileSync(f).toString("latin1")]),
      ["engine output at -v=9", printed.join("\n")],
    ];
    const leaks: string[] = [];
    for (const secret of secrets)
      for (const [encoding, spelled] of Object.entries(encodings(secret)))
        for (const [where, text] of haystacks)
          if (text.includes(spelled))
            leaks.push(`${encoding} of a ${secret.length}-character secret in ${where}`);
    assert.deepEqual(leaks, []);
  });
});
