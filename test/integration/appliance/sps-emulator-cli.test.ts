import assert from "node:assert/strict";
import { spawn, type ChildProcess } from "node:child_process";
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { SpsRestClient } from "../../../provider/clients/sps/sps-rest-client";
import type { FleetDescription } from "../../../emulator/lab/fleet";
import { buildLicenseFile, dayOffset, defaultLicenseTerm } from "../../../emulator/sps/license";

const ROOT = resolve(__dirname, "../../..");

function runCli(args: string[]): ChildProcess {
  return spawn(
    process.execPath,
    ["-r", "ts-node/register/transpile-only", join(ROOT, "emulator/lab/cli.ts"), ...args],
    {
      cwd: ROOT,
      stdio: ["ignore", "pipe", "pipe"],
    },
  );
}

async function firstJson(child: ChildProcess): Promise<FleetDescription> {
  let out = "";
  return new Promise((resolvePromise, reject) => {
    child.stdout!.on("data", (c: Buffer) => {
      out += c.toString();
      try {
        resolvePromise(JSON.parse(out) as FleetDescription);
      } catch {
        // not complete yet
      }
    });
    child.once("exit", (code) =>
      reject(new Error(`sps-emulator exited with ${code} before printing the fleet`)),
    );
  });
}

async function exitCode(child: ChildProcess): Promise<number | null> {
  if (child.exitCode !== null) return child.exitCode;
  return new Promise((r) => child.once("exit", (code) => r(code)));
}

async function control(
  url: string,
  method: string,
  body?: unknown,
): Promise<{ status: number; json: unknown }> {
  const res = await fetch(url, {
    method,
    headers: body === undefined ? {} : { "Content-Type": "application/json" },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  return { status: res.status, json: await res.json() };
}

describe("sps-emulator command and its /_emulator control surface", function () {
  this.timeout(30_000);
  let dir: string;
  let child: ChildProcess | undefined;

  before(function () {
    dir = mkdtempSync(join(tmpdir(), "sps-cli-"));
  });

  // A fleet left running is stopped as its operator would stop it (SIGTERM: the emulator stops its
  // BMCs — ipmi_sim processes — and removes its files); SIGKILL only if it has not exited 20 s later,
  // because a killed emulator cannot stop the ipmi_sim processes it started.
  afterEach(async function () {
    if (child && child.exitCode === null) {
      const running = child;
      running.kill("SIGTERM");
      const timer = setTimeout(() => running.kill("SIGKILL"), 20_000);
      await exitCode(running);
      clearTimeout(timer);
    }
    child = undefined;
  });

  after(function () {
    rmSync(dir, { recursive: true, force: true });
  });

  it("starts a fleet on loopback (HTTPS API, SSH core shell, IPMI BMCs), prints URLs, CA and credentials as JSON, is driven through /_emulator, and stops on SIGTERM", async function () {
    const fleetFile = join(dir, "fleet.json");
    writeFileSync(
      fleetFile,
      JSON.stringify({
        clusters: [
          {
            name: "prod-eu",
            target: "6.3",
            nodes: [
              { name: "sm", version: "6.0.5", roles: ["central-management", "search-master"], ha: true },
              {
                name: "mh1",
                version: "6.0.5",
                roles: ["managed-host"],
                settings: { diskFillupLimitPercent: 99 },
              },
            ],
            indexers: [{ name: "idx1", os: "rhel7", version: "6.0.5" }],
          },
        ],
        emulator: { credentials: [{ username: "admin", password: "Cli-Passw0rd" }] },
      }),
    );
    child = runCli(["--fleet", fleetFile, "--time-scale", "60"]);
    const fleet = await firstJson(child);
    assert.equal(fleet.nodes.length, 2);
    assert.match(fleet.control ?? "", /^http:\/\/127\.0\.0\.1:\d+\/_emulator$/);
    const sm = fleet.nodes.find((n) => n.name === "sm")!;
    assert.match(sm.url, /^https:\/\/127\.0\.0\.1:\d+$/);
    assert.deepEqual(sm.units, ["a", "b"]);
    assert.equal(sm.credentials[0].password, "Cli-Passw0rd");
    assert.ok(existsSync(fleet.caPath));
    const channels = sm.channels as {
      ssh?: { port: number; hostKeySha256: string };
      ipmi?: Record<string, { port: number }>;
    };
    assert.ok(
      channels.ssh && channels.ssh.port > 0 && channels.ssh.hostKeySha256.startsWith("SHA256:"),
      "an SSH core shell per node",
    );
    assert.deepEqual(Object.keys(channels.ipmi ?? {}), ["a", "b"], "one IPMI BMC per unit");

    const mh1 = fleet.nodes.find((n) => n.name === "mh1")!;
    const client = new SpsRestClient({
      endpoint: mh1.url,
      credentials: mh1.credentials[0],
      tls: { mode: "ca", caPem: readFileSync(fleet.caPath, "utf8") },
    });
    try {
      assert.equal((await client.getDiskFillupPrevention()).usedSpaceRatioLimit, 99);
      // Drift: someone upgraded mh1 out of band.
      assert.equal(
        (await control(`${fleet.control}/nodes/mh1/drift`, "POST", { version: "6.0.7" })).status,
        200,
      );
      assert.equal(await client.getFirmwareVersion(), "6.0.7");
      // Faults through the control surface.
      const faults = await control(`${fleet.control}/nodes/mh1/faults`, "PUT", {
        testFailureText: "Upgrade is not allowed;\nno",
      });
      assert.deepEqual(faults.json, { testFailureText: "Upgrade is not allowed;\nno" });
      assert.equal((await control(`${fleet.control}/nodes/mh1/faults`, "PUT", { nonsense: 1 })).status, 400);
      assert.equal((await client.testFirmware(1)).summary, "Upgrade is not allowed;\nno");
      // Time and inspection.
      const t0 = (await control(`${fleet.control}/time`, "GET")).json as { now: number };
      const t1 = (await control(`${fleet.control}/time/advance`, "POST", { seconds: 3600 })).json as {
        now: number;
      };
      assert.ok(t1.now - t0.now >= 3600_000);
      const state = (await control(`${fleet.control}/nodes/sm`, "GET")).json as { ha: { status: string } };
      assert.equal(state.ha.status, "HA");
      // System control through the control surface (what the manual channel's operator would do).
      const off = (await control(`${fleet.control}/nodes/sm/system/shutdown-secondary`, "POST", {})).json as {
        status: string;
      };
      assert.equal(off.status, "Degraded");
      assert.equal(
        (await control(`${fleet.control}/nodes/sm/system/activate-secondary`, "POST", {})).status,
        409,
      );
      const events = (await control(`${fleet.control}/events?node=mh1&kind=http`, "GET")).json as Array<{
        name: string;
      }>;
      assert.ok(events.some((e) => e.name === "POST /api/firmware/test"));
      assert.equal((await control(`${fleet.control}/nodes/mh1/sessions/expire`, "POST")).status, 200);
      assert.equal(await client.getFirmwareVersion(), "6.0.7");
    } finally {
      client.close();
    }

    child.kill("SIGTERM");
    assert.equal(await exitCode(child), 0);
    assert.ok(!existsSync(fleet.caPath), "temporary CA files are removed");
  });

  it("serves a license GET without product_version on request, and takes the operator's license upload in the web interface (S11)", async function () {
    const fleetFile = join(dir, "license-fleet.json");
    writeFileSync(
      fleetFile,
      JSON.stringify({
        clusters: [
          {
            name: "branch",
            nodes: [
              { name: "opaque", version: "6.0.5", emulator: { licenseProductVersion: false } },
              { name: "plain", version: "6.0.5" },
            ],
          },
        ],
        emulator: { credentials: [{ username: "admin", password: "Cli-Passw0rd" }] },
      }),
    );
    child = runCli(["--fleet", fleetFile, "--time-scale", "60"]);
    const fleet = await firstJson(child);
    const license = async (name: string): Promise<Record<string, unknown>> => {
      const n = fleet.nodes.find((x) => x.name === name)!;
      const client = new SpsRestClient({
        endpoint: n.url,
        credentials: n.credentials[0],
        tls: { mode: "ca", caPem: readFileSync(fleet.caPath, "utf8") },
      });
      try {
        await client.login();
        return (await client.getLicense()).raw;
      } finally {
        client.close();
      }
    };
    assert.equal((await license("plain"))["product_version"], "6.0");
    const opaque = await license("opaque");
    assert.equal(opaque["product_version"], undefined, JSON.stringify(opaque));
    assert.equal(opaque["valid_not_after"], defaultLicenseTerm().validNotAfter);
    // The operator's upload in Basic Settings > System > License: recorded as the web interface's, not system control's.
    const renewedUntil = dayOffset(6 * 365);
    const text = buildLicenseFile(7, renewedUntil);
    const up = await control(`${fleet.control}/nodes/opaque/webui/upload-license`, "POST", { license: text });
    assert.equal(up.status, 200);
    assert.deepEqual((up.json as { license: unknown }).license, {
      serial: "EMU-7-12",
      major: 7,
      validNotAfter: renewedUntil,
    });
    assert.equal((await license("opaque"))["valid_not_after"], renewedUntil);
    const events = (await control(`${fleet.control}/events?node=opaque&name=upload-license`, "GET"))
      .json as Array<{
      detail: { via: string };
    }>;
    assert.deepEqual(
      events.map((e) => e.detail.via),
      ["web-interface"],
    );
    const bad = await control(`${fleet.control}/nodes/opaque/webui/upload-license`, "POST", { license: "x" });
    assert.equal(bad.status, 400);
    assert.match(JSON.stringify(bad.json), /license file is not valid JSON/);
    assert.equal(
      (await control(`${fleet.control}/nodes/opaque/webui/upload-license`, "POST", {})).status,
      400,
    );
    child.kill("SIGTERM");
    assert.equal(await exitCode(child), 0);
  });

  it("exits 2 naming the file and field on an invalid fleet file", async function () {
    const bad = join(dir, "bad.json");
    writeFileSync(bad, JSON.stringify({ clusters: [{ name: "c", nodes: [{ name: "n", version: "6.x" }] }] }));
    child = runCli(["--fleet", bad]);
    let stderr = "";
    child.stderr!.on("data", (c: Buffer) => (stderr += c.toString()));
    assert.equal(await exitCode(child), 2);
    assert.match(stderr, /bad\.json: clusters\[0\]\.nodes\[0\]\.version/);
  });

  it("exits 2 with usage when --fleet is missing", async function () {
    child = runCli([]);
    let stderr = "";
    child.stderr!.on("data", (c: Buffer) => (stderr += c.toString()));
    assert.equal(await exitCode(child), 2);
    assert.match(stderr, /--fleet is required/);
  });
});
