/**
 * A `command` system-control channel program for the emulated fleet (tests, examples, demo): maps
 * each SystemControl operation to the emulator's own control surface (emulator/lab/control-server.ts) —
 * standing in for a site's own power / HA script. Never part of the SPS API.
 *
 *   node dist/test/support/emulator-system-control.js <controlUrl> <operation> <node> [<licenseFile>]
 *
 * `<node>` is a SystemControl node name: `<fleet node>` or, for an HA unit, `<fleet node>.<unit>`.
 * readHaState prints the HA state JSON, readPowerState prints on/off; exit 0 on success.
 */
import { readFileSync } from "node:fs";

interface HaView {
  status: string;
  sync: string;
  firmwareSynced: boolean | null;
  nodes: Array<{
    unit: string;
    role: string;
    power: string;
    firmware: { current: string | null; active: string | null };
  }>;
}

async function call(url: string, method: string, body?: unknown): Promise<unknown> {
  const res = await fetch(url, {
    method,
    headers: { "Content-Type": "application/json" },
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
  });
  const text = await res.text();
  if (!res.ok) throw new Error(`${method} ${new URL(url).pathname}: ${res.status} ${text.slice(0, 300)}`);
  return JSON.parse(text) as unknown;
}

function haOf(raw: unknown): HaView {
  const ha = (raw as { ha: HaView }).ha;
  return {
    status: ha.status,
    sync: ha.sync,
    firmwareSynced: ha.firmwareSynced,
    nodes: ha.nodes.map((n) => ({ unit: n.unit, role: n.role, power: n.power, firmware: n.firmware })),
  };
}

export async function run(argv: string[]): Promise<string> {
  const [control, operation, target, licenseFile] = argv;
  if (!control || !operation || !target)
    throw new Error("usage: <controlUrl> <operation> <node> [<licenseFile>]");
  const [node, unit] = target.split(".", 2) as [string, string | undefined];
  const root = control.replace(/\/$/, "").replace(/\/_emulator$/, "");
  const base = `${root}/_emulator/nodes/${encodeURIComponent(node)}`;
  switch (operation) {
    case "rebootNode":
      await call(`${base}/system/reboot`, "POST", {});
      return "";
    case "rebootCluster":
      await call(`${base}/system/reboot-cluster`, "POST", {});
      return "";
    case "shutdownSecondary":
      await call(`${base}/system/shutdown-secondary`, "POST", {});
      return "";
    case "powerOnSecondary":
      await call(`${base}/system/power-on`, "POST", { unit: unit ?? "secondary" });
      return "";
    case "activateSecondary":
      await call(`${base}/system/activate-secondary`, "POST", {});
      return "";
    case "readHaState":
      return JSON.stringify(haOf(await call(base, "GET")));
    case "readPowerState": {
      const ha = haOf(await call(base, "GET"));
      const u =
        unit === undefined
          ? ha.nodes.find((n) => n.role !== "secondary")
          : ha.nodes.find((n) => n.unit === unit);
      return u?.power === "on" ? "on" : "off";
    }
    case "uploadLicense":
      if (!licenseFile) throw new Error("uploadLicense needs the license file argument");
      await call(`${base}/system/upload-license`, "POST", { license: readFileSync(licenseFile, "utf8") });
      return "";
    default:
      throw new Error(`unknown operation ${operation}`);
  }
}

/** The operation routes of the `command` channel through this program. */
export function emulatorSystemControlRoutes(controlUrl: string, script = __filename.replace(/\.ts$/, ".js")) {
  const route = (op: string, extra: string[] = []) => ({
    channel: "command" as const,
    argv: [process.execPath, script, controlUrl, op, "{{node}}", ...extra],
    deadlineMs: 60_000,
  });
  return {
    rebootNode: route("rebootNode"),
    rebootCluster: route("rebootCluster"),
    shutdownSecondary: route("shutdownSecondary"),
    powerOnSecondary: route("powerOnSecondary"),
    activateSecondary: route("activateSecondary"),
    readHaState: route("readHaState"),
    readPowerState: route("readPowerState"),
    uploadLicense: route("uploadLicense", ["{{licenseFile}}"]),
  };
}

if (require.main === module) {
  run(process.argv.slice(2)).then(
    (out) => {
      if (out) process.stdout.write(`${out}\n`);
    },
    (e: unknown) => {
      process.stderr.write(`emulator-system-control: ${e instanceof Error ? e.message : String(e)}\n`);
      process.exit(1);
    },
  );
}
