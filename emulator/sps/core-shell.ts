/**
 * The emulated SPS core shell: an SSH server (ssh2) with its own generated host key, password
 * and/or public-key auth, that accepts `exec` requests of
 * `provider/clients/system-control/core-shell-commands.ts` — the one documented command
 * (`firmwarectl install` [doc]) and our wrapper contract (`pulumi-sps-wrapper`, which on a real
 * appliance exists only if the operator installed it; the emulator plays an operator who did) —
 * and dispatches them to a `CoreShellHandler` — the emulator's node model plugs in
 * there. Reads answer JSON on stdout. Unknown commands exit 127 with a message on stderr; a
 * handler that throws makes the command exit 1 with the error's message on stderr.
 */
import { timingSafeEqual } from "node:crypto";
import type { AddressInfo } from "node:net";
import { Server, utils, type Connection, type ParsedKey, type ServerChannel } from "ssh2";
import { generateEd25519KeyPair } from "../common/ssh-keys";
import {
  EXIT_UNKNOWN_COMMAND,
  formatHaStatusOutput,
  WRAPPER_CONTRACT_VERSION,
  parseCoreShellCommand,
  type CoreShellCommand,
} from "../../provider/clients/system-control/core-shell-commands";
import { sha256Fingerprint } from "../../provider/clients/hosts/host-key";
import type { HaState } from "../../provider/clients/system-control/operations";

/** What the node model offers the core shell. Methods may be sync or async; throwing = refusal. */
export interface CoreShellHandler {
  /** `pulumi-sps-wrapper this-node reboot` (wrapper contract, ours): reboot this node only (H1, S9). */
  rebootThisNode(): void | Promise<void>;
  /** `pulumi-sps-wrapper cluster reboot` (wrapper contract): "Reboot Cluster", for next-hop monitoring (H4). */
  rebootCluster(): void | Promise<void>;
  /** `pulumi-sps-wrapper other-node shutdown` (wrapper contract): "Other node > Shutdown" (H2). */
  shutdownOtherNode(): void | Promise<void>;
  /** `pulumi-sps-wrapper other-node activate` (wrapper contract): "Activate slave" (H2). */
  activateOtherNode(): void | Promise<void>;
  /** `pulumi-sps-wrapper ha status --json` (wrapper contract): printed as one JSON object. */
  haStatus(): HaState | Promise<HaState>;
  /** `pulumi-sps-wrapper license install --stdin-base64 --name <file>` (wrapper contract). */
  installLicense(license: { fileName: string; content: Buffer }): void | Promise<void>;
  /** `/opt/scb/bin/firmwarectl install <iso>` [doc]; returns the slot id. Absent: the command exits 127. */
  installFirmware?(isoPath: string): number | Promise<number>;
}

export interface CoreShellUser {
  username: string;
  password?: string;
  /** OpenSSH public key lines (`ssh-ed25519 AAAA… comment`). */
  authorizedKeys?: string[];
}

export interface CoreShellServerOptions {
  handler: CoreShellHandler;
  users: CoreShellUser[];
  /** 0 or absent: a free port. Always bound to 127.0.0.1. */
  port?: number;
  /** OpenSSH/PEM private host key; absent: a fresh ed25519 key. */
  hostKey?: string;
}

export interface RunningCoreShell {
  readonly host: "127.0.0.1";
  readonly port: number;
  /** `SHA256:…` of the host key (what the ssh channel's `hostKey.sha256` expects). */
  readonly hostKeyFingerprint: string;
  /** `[127.0.0.1]:port <type> <base64>` (what the ssh channel's `hostKey.knownHostsLine` expects). */
  readonly knownHostsLine: string;
  /** Every command line received, oldest first. */
  readonly commands: readonly string[];
  stop(): Promise<void>;
}

function sameSecret(a: string, b: string): boolean {
  const x = Buffer.from(a);
  const y = Buffer.from(b);
  return x.length === y.length && timingSafeEqual(x, y);
}

function parseKeyOrThrow(text: string): ParsedKey {
  const k = utils.parseKey(text);
  if (k instanceof Error) throw new Error(`cannot parse key: ${k.message}`);
  return k;
}

async function readAll(stream: ServerChannel): Promise<Buffer> {
  const chunks: Buffer[] = [];
  return new Promise((resolve, reject) => {
    stream.on("data", (c: Buffer) => chunks.push(c));
    stream.once("end", () => resolve(Buffer.concat(chunks)));
    stream.once("error", reject);
  });
}

async function dispatch(
  cmd: CoreShellCommand,
  handler: CoreShellHandler,
  stream: ServerChannel,
): Promise<{ code: number; stdout: string; stderr: string }> {
  switch (cmd.kind) {
    case "reboot-this-node":
      await handler.rebootThisNode();
      return { code: 0, stdout: "This node is rebooting.\n", stderr: "" };
    case "reboot-cluster":
      await handler.rebootCluster();
      return { code: 0, stdout: "Cluster is rebooting.\n", stderr: "" };
    case "shutdown-other-node":
      await handler.shutdownOtherNode();
      return { code: 0, stdout: "Other node is shutting down.\n", stderr: "" };
    case "activate-other-node":
      await handler.activateOtherNode();
      return { code: 0, stdout: "Other node activated.\n", stderr: "" };
    case "ha-status":
      return { code: 0, stdout: formatHaStatusOutput(await handler.haStatus()), stderr: "" };
    case "contract-version":
      return { code: 0, stdout: `${WRAPPER_CONTRACT_VERSION}\n`, stderr: "" };
    case "install-license": {
      const text = (await readAll(stream)).toString("utf8").replace(/\s+/g, "");
      if (!/^[A-Za-z0-9+/]*=*$/.test(text) || text.length === 0)
        return {
          code: 2,
          stdout: "",
          stderr: "license install: expected the license base64-encoded on stdin\n",
        };
      await handler.installLicense({ fileName: cmd.fileName, content: Buffer.from(text, "base64") });
      return { code: 0, stdout: `License ${cmd.fileName} installed.\n`, stderr: "" };
    }
    case "install-firmware": {
      if (!handler.installFirmware)
        return {
          code: EXIT_UNKNOWN_COMMAND,
          stdout: "",
          stderr: "firmwarectl: not available on this emulated node\n",
        };
      const slot = await handler.installFirmware(cmd.isoPath);
      return { code: 0, stdout: `Firmware installed into slot ${slot}.\n`, stderr: "" };
    }
  }
}

/** Starts the core shell on 127.0.0.1; `stop()` closes the server and every open connection. */
export async function startCoreShell(opts: CoreShellServerOptions): Promise<RunningCoreShell> {
  const hostPrivate = opts.hostKey ?? generateEd25519KeyPair("sps-core-shell").private;
  const hostKey = parseKeyOrThrow(hostPrivate);
  const publicBlob = hostKey.getPublicSSH();
  const hostKeyFingerprint = sha256Fingerprint(publicBlob);
  const authorized = new Map<string, ParsedKey[]>(
    opts.users.map((u) => [u.username, (u.authorizedKeys ?? []).map(parseKeyOrThrow)]),
  );
  const commands: string[] = [];
  const connections = new Set<Connection>();

  const server = new Server({ hostKeys: [hostPrivate] }, (client) => {
    connections.add(client);
    client.on("close", () => connections.delete(client));
    client.on("error", () => undefined);
    client.on("authentication", (ctx) => {
      const user = opts.users.find((u) => u.username === ctx.username);
      if (!user) return ctx.reject();
      if (ctx.method === "password" && user.password !== undefined && sameSecret(ctx.password, user.password))
        return ctx.accept();
      if (ctx.method === "publickey") {
        const key = authorized
          .get(user.username)
          ?.find((k) => k.type === ctx.key.algo && k.getPublicSSH().equals(ctx.key.data));
        if (key) {
          if (!ctx.signature || !ctx.blob) return ctx.accept(); // key query: "would you accept this key?"
          if (key.verify(ctx.blob, ctx.signature, ctx.hashAlgo) === true) return ctx.accept();
        }
      }
      const methods: ("password" | "publickey")[] = [];
      if (user.password !== undefined) methods.push("password");
      if ((user.authorizedKeys ?? []).length > 0) methods.push("publickey");
      return ctx.reject(methods);
    });
    client.on("ready", () => {
      client.on("session", (acceptSession) => {
        const session = acceptSession();
        session.on("shell", (_accept, reject) => reject());
        session.on("exec", (accept, _reject, info) => {
          const stream = accept();
          commands.push(info.command);
          const finish = (code: number, stdout: string, stderr: string): void => {
            if (stdout) stream.write(stdout);
            if (stderr) stream.stderr.write(stderr);
            stream.exit(code);
            stream.end();
          };
          const cmd = parseCoreShellCommand(info.command);
          if (!cmd) {
            const word = info.command.trim().split(/\s+/)[0] ?? "";
            finish(
              EXIT_UNKNOWN_COMMAND,
              "",
              `core shell: ${word}: command not found (or unknown arguments: ${info.command.trim()})\n`,
            );
            return;
          }
          dispatch(cmd, opts.handler, stream).then(
            (r) => finish(r.code, r.stdout, r.stderr),
            (e: unknown) => finish(1, "", `${e instanceof Error ? e.message : String(e)}\n`),
          );
        });
      });
    });
  });

  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(opts.port ?? 0, "127.0.0.1", () => resolve());
  });
  const port = (server.address() as AddressInfo).port;
  let stopped = false;
  return {
    host: "127.0.0.1",
    port,
    hostKeyFingerprint,
    knownHostsLine: `[127.0.0.1]:${port} ${hostKey.type} ${publicBlob.toString("base64")}`,
    commands,
    stop: async () => {
      if (stopped) return;
      stopped = true;
      for (const c of connections) c.end();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
