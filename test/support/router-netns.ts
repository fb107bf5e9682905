/**
 * A four-namespace lab for the Linux-router redirection tests. Everything here is REAL: network
 * namespaces, veth pairs, the kernel's forwarding, iptables (mangle/nat), `ip rule`/`ip route`,
 * and OpenSSH's sshd; nothing is shimmed.
 *
 *   client (10.213.1.2) ── router ── server (10.213.2.2, listeners on 3389 and 8080)
 *                            │
 *                           sps (10.213.3.2, a transparent listener on 3389)
 *
 * The router is reached over SSH: the test listens on 127.0.0.1:<port> in the test's own namespace
 * and starts `ip netns exec <router> /usr/sbin/sshd -i -f <cfg>` (inetd mode) for each connection,
 * so the real sshd and every command it runs live in the router namespace. `SshHostSession`
 * connects with a test key and verifies sshd's test host key.
 *
 * The SPS namespace answers for the servers' addresses like SPS in transparent mode: a nat
 * REDIRECT of tcp/3389 to its own listener. For the IP-spoofing case it can also open connections
 * to the server with the client's address and take the server's answers locally.
 *
 * 10.213.x.x addresses exist only inside these namespaces. Every namespace, process and temp file
 * is removed by `stop()`.
 */
import { execFileSync, spawn, type ChildProcess } from "node:child_process";
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { createServer, type Server, type Socket } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { SshHostOptionsInput } from "../../provider/clients/hosts/ssh-options";

export const NET = {
  client: "10.213.1.2",
  routerClientSide: "10.213.1.1",
  server: "10.213.2.2",
  serverNet: "10.213.2.0/24",
  clientNet: "10.213.1.0/24",
  routerServerSide: "10.213.2.1",
  sps: "10.213.3.2",
  routerSpsSide: "10.213.3.1",
} as const;

const PREREQUISITES = ["/usr/sbin/sshd", "/usr/bin/ssh-keygen", "/usr/sbin/ip", "/usr/sbin/iptables"];

export function sh(args: readonly string[], input?: string): string {
  return execFileSync(args[0], args.slice(1), { encoding: "utf8", stdio: "pipe", input });
}

export class RouterLab {
  readonly ns: { router: string; client: string; server: string; sps: string };
  /** Router interface names. */
  readonly ifaces: { client: string; server: string; sps: string };
  readonly dir: string;
  readonly rtTablesPath: string;
  private sshServer: Server | undefined;
  private readonly children = new Set<ChildProcess>();
  private sshPort = 0;
  private hostKeyLine = "";

  private constructor(id: string) {
    this.ns = { router: `spsr-${id}-r`, client: `spsr-${id}-c`, server: `spsr-${id}-s`, sps: `spsr-${id}-p` };
    this.ifaces = { client: `r${id}c`, server: `r${id}s`, sps: `r${id}p` };
    this.dir = mkdtempSync(join(tmpdir(), "sps-router-lab-"));
    this.rtTablesPath = join(this.dir, "rt_tables");
  }

  static async start(): Promise<RouterLab> {
    const missing = PREREQUISITES.filter((p) => !existsSync(p));
    if (missing.length > 0) {
      throw new Error(
        `router lab needs ${missing.join(", ")}: run scripts/setup.sh (iproute2, iptables, openssh-server)`,
      );
    }
    if (process.getuid?.() !== 0) throw new Error("router lab creates network namespaces: run as root");
    const lab = new RouterLab(
      Math.floor(Math.random() * 0xffff)
        .toString(16)
        .padStart(4, "0"),
    );
    try {
      lab.buildNetwork();
      await lab.startSshd();
      return lab;
    } catch (err) {
      await lab.stop();
      throw err;
    }
  }

  /** Runs a command inside a namespace. */
  exec(ns: string, args: readonly string[], input?: string): string {
    return sh(["ip", "netns", "exec", ns, ...args], input);
  }

  private buildNetwork(): void {
    const { ns, ifaces } = this;
    for (const n of Object.values(ns)) {
      sh(["ip", "netns", "add", n]);
      sh(["ip", "-n", n, "link", "set", "lo", "up"]);
    }
    const link = (routerIf: string, peerNs: string, routerAddr: string, peerAddr: string): void => {
      sh([
        "ip",
        "link",
        "add",
        routerIf,
        "netns",
        ns.router,
        "type",
        "veth",
        "peer",
        "name",
        "eth0",
        "netns",
        peerNs,
      ]);
      sh(["ip", "-n", ns.router, "addr", "add", `${routerAddr}/24`, "dev", routerIf]);
      sh(["ip", "-n", ns.router, "link", "set", routerIf, "up"]);
      sh(["ip", "-n", peerNs, "addr", "add", `${peerAddr}/24`, "dev", "eth0"]);
      sh(["ip", "-n", peerNs, "link", "set", "eth0", "up"]);
      sh(["ip", "-n", peerNs, "route", "add", "default", "via", routerAddr]);
    };
    link(ifaces.client, ns.client, NET.routerClientSide, NET.client);
    link(ifaces.server, ns.server, NET.routerServerSide, NET.server);
    link(ifaces.sps, ns.sps, NET.routerSpsSide, NET.sps);
    this.exec(ns.router, ["sysctl", "-q", "-w", "net.ipv4.ip_forward=1"]);
    // SPS in transparent mode: connections to the servers' tcp/3389 end at SPS's own listener.
    this.exec(ns.sps, [
      "iptables",
      "-w",
      "-t",
      "nat",
      "-A",
      "PREROUTING",
      "-i",
      "eth0",
      "-p",
      "tcp",
      "-d",
      NET.serverNet,
      "--dport",
      "3389",
      "-j",
      "REDIRECT",
      "--to-ports",
      "3389",
    ]);
    // IP spoofing: SPS may open connections with the client's address (an address of its own whose
    // local route is removed, so SPS's answers to the real client still leave through eth0), and
    // the servers' answers to it are delivered locally (rule to table 100).
    sh(["ip", "-n", ns.sps, "addr", "add", `${NET.client}/32`, "dev", "lo"]);
    sh(["ip", "-n", ns.sps, "route", "del", "local", NET.client, "dev", "lo", "table", "local"]);
    this.exec(ns.sps, ["sysctl", "-q", "-w", "net.ipv4.ip_nonlocal_bind=1"]);
    sh(["ip", "-n", ns.sps, "route", "add", "local", "0.0.0.0/0", "dev", "lo", "table", "100"]);
    sh([
      "ip",
      "-n",
      ns.sps,
      "rule",
      "add",
      "iif",
      "eth0",
      "from",
      NET.serverNet,
      "ipproto",
      "tcp",
      "sport",
      "3389",
      "lookup",
      "100",
      "priority",
      "100",
    ]);
    writeFileSync(
      this.rtTablesPath,
      "#\n# reserved values\n#\n255\tlocal\n254\tmain\n253\tdefault\n0\tunspec\n#\n# local\n#\n#1\tinr.ruhep\n",
    );
  }

  private async startSshd(): Promise<void> {
    mkdirSync("/run/sshd", { recursive: true });
    const hostKey = join(this.dir, "host_ed25519");
    const clientKey = join(this.dir, "client_ed25519");
    sh(["ssh-keygen", "-q", "-t", "ed25519", "-N", "", "-C", "router-lab-host", "-f", hostKey]);
    sh(["ssh-keygen", "-q", "-t", "ed25519", "-N", "", "-C", "router-lab-client", "-f", clientKey]);
    writeFileSync(join(this.dir, "authorized_keys"), readFileSync(`${clientKey}.pub`, "utf8"), {
      mode: 0o600,
    });
    this.hostKeyLine = readFileSync(`${hostKey}.pub`, "utf8").trim();
    const cfg = join(this.dir, "sshd_config");
    writeFileSync(
      cfg,
      [
        `HostKey ${hostKey}`,
        `AuthorizedKeysFile ${join(this.dir, "authorized_keys")}`,
        "PermitRootLogin prohibit-password",
        "PasswordAuthentication no",
        "KbdInteractiveAuthentication no",
        "UsePAM no",
        "StrictModes no",
        "PidFile none",
        "LogLevel ERROR",
        "Subsystem sftp internal-sftp",
        "",
      ].join("\n"),
    );
    sh(["/usr/sbin/sshd", "-t", "-f", cfg]);
    this.sshServer = createServer((sock: Socket) => {
      sock.setNoDelay(true);
      const child = spawn("ip", ["netns", "exec", this.ns.router, "/usr/sbin/sshd", "-i", "-e", "-f", cfg], {
        stdio: ["pipe", "pipe", "ignore"],
      });
      this.children.add(child);
      child.on("exit", () => {
        this.children.delete(child);
        sock.destroy();
      });
      sock.on("error", () => child.kill());
      sock.on("close", () => child.kill());
      child.stdin.on("error", () => sock.destroy());
      sock.pipe(child.stdin);
      child.stdout.pipe(sock);
    });
    await new Promise<void>((resolve, reject) => {
      this.sshServer?.once("error", reject);
      this.sshServer?.listen(0, "127.0.0.1", () => resolve());
    });
    const addr = this.sshServer.address();
    if (addr === null || typeof addr === "string") throw new Error("router lab: no ssh port");
    this.sshPort = addr.port;
  }

  /** SSH options for `SshHostSession.connect`: root with the test key, host key verified. */
  sshOptions(): SshHostOptionsInput {
    return {
      host: "127.0.0.1",
      port: this.sshPort,
      username: "root",
      auth: { method: "privateKey", privateKeyPath: join(this.dir, "client_ed25519") },
      hostKey: { knownHostsLine: this.hostKeyLine },
      commandTimeoutMs: 20_000,
    };
  }

  /**
   * Starts a TCP listener in a namespace that greets every connection with `greeting`; resolves
   * once it listens. Stopped by `stop()`.
   */
  async listen(ns: string, port: number, greeting: string): Promise<void> {
    const script = `
      const net = require("node:net");
      const s = net.createServer((c) => { c.end(${JSON.stringify(greeting)} + "\\n"); });
      s.listen(${port}, "0.0.0.0", () => process.stdout.write("ready\\n"));
      process.stdin.on("end", () => process.exit(0)); process.stdin.resume();`;
    const child = spawn("ip", ["netns", "exec", ns, process.execPath, "-e", script], {
      stdio: ["pipe", "pipe", "pipe"],
    });
    this.children.add(child);
    child.on("exit", () => this.children.delete(child));
    await new Promise<void>((resolve, reject) => {
      let err = "";
      child.stderr.on("data", (d: Buffer) => (err += d.toString()));
      child.stdout.on("data", (d: Buffer) => (d.toString().includes("ready") ? resolve() : undefined));
      child.on("exit", (code) => reject(new Error(`listener in ${ns}:${port} exited (${code}): ${err}`)));
    });
  }

  /**
   * Connects from a namespace to host:port and returns the first line the peer sends, or
   * "(no answer: …)" when the connection fails within the deadline.
   */
  connectFrom(ns: string, host: string, port: number, localAddress?: string): string {
    const script = `
      const net = require("node:net");
      const opts = { host: ${JSON.stringify(host)}, port: ${port}${localAddress ? `, localAddress: ${JSON.stringify(localAddress)}` : ""} };
      const c = net.connect(opts);
      let got = "";
      const t = setTimeout(() => { console.log("(no answer: timeout)"); process.exit(0); }, 3000);
      c.on("data", (d) => { got += d; });
      c.on("end", () => { clearTimeout(t); console.log(got.trim()); process.exit(0); });
      c.on("error", (e) => { clearTimeout(t); console.log("(no answer: " + e.code + ")"); process.exit(0); });`;
    return sh(["ip", "netns", "exec", ns, process.execPath, "-e", script]).trim();
  }

  /** Packet counter of the router's mangle PREROUTING rules whose text contains `needle`. */
  packetsMatching(needle: string): number {
    const out = this.exec(this.ns.router, [
      "iptables",
      "-w",
      "-t",
      "mangle",
      "-L",
      "PREROUTING",
      "-v",
      "-x",
      "-n",
    ]);
    return out
      .split("\n")
      .filter((l) => l.includes(needle))
      .reduce((sum, l) => sum + Number(l.trim().split(/\s+/)[0] ?? 0), 0);
  }

  async stop(): Promise<void> {
    for (const child of [...this.children]) {
      child.stdin?.end();
      child.kill("SIGTERM");
    }
    await new Promise((r) => setTimeout(r, 100));
    for (const child of [...this.children]) child.kill("SIGKILL");
    await new Promise<void>((resolve) =>
      this.sshServer ? this.sshServer.close(() => resolve()) : resolve(),
    );
    for (const n of Object.values(this.ns)) {
      try {
        sh(["ip", "netns", "del", n]);
      } catch {
        // not created
      }
    }
    rmSync(this.dir, { recursive: true, force: true });
  }

  /** Namespaces of this lab that still exist (for the teardown check). */
  remainingNamespaces(): string[] {
    const list = sh(["ip", "netns", "list"]);
    return Object.values(this.ns).filter((n) => list.split("\n").some((l) => l.split(" ")[0] === n));
  }
}
