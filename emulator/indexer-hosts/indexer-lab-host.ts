/**
 * External indexer hosts of the lab (tests and the demo): real peers, one per loopback port.
 *
 * REAL on every lab host:
 *   - OpenSSH `sshd` (Debian openssh-server), started as root on 127.0.0.1 with its own config, its
 *     own ed25519 host key and one authorized client key (ssh-keygen in a temp dir), and stopped by
 *     whoever started it (a test, or test/support/sps-lab.ts for the demo);
 *   - login users: root, `spsidx-nopw` (NOPASSWD sudo) and, for the tests only (`passwordUser`),
 *     `spsidx-pw` (sudo asks for a password; SSH password login works for it); real `sudo`;
 *   - the host root (a directory; `rpm --root` / `dnf --installroot`) with its own RPM database in
 *     which a real `external-indexer` RPM (built with rpmbuild, see indexer-rpms.ts) is installed,
 *     the release files (/etc/redhat-release, /etc/os-release) and the configuration files (rule I2);
 *   - `rpm`, `sha256sum`, `cp`, SFTP; `yum` is Debian's real `dnf` with repositories disabled,
 *     through a per-host `yum` script first in that host's PATH (sshd `SetEnv PATH=…`; the sudoers
 *     drop-in keeps PATH for the lab users with `!secure_path`).
 *
 * SHIMMED (and nothing else): `systemctl` and `service`. The sandbox has no systemd or SysV init, so
 * two small scripts in the host's PATH keep the external-indexer service state in a file of that host.
 * Their `start` runs the installed package's own `selftest` program, so a broken package really fails
 * to start; on the RHEL 6 host `systemctl` does not exist (exit 127), as on RHEL 6.
 *
 * Machine-wide, idempotent setup (like scripts/setup.sh): the lab users, /etc/sudoers.d/sps-indexer-lab
 * (and sps-indexer-test for the password user), and /etc/rpm/macros.sps-indexer-test-dbpath
 * (`%_dbpath /var/lib/rpm`: Debian's rpm keeps its database in ~/.rpmdb, RHEL's in /var/lib/rpm).
 * Every lab that starts rewrites them while other labs' rpm and sudo may be reading them: each is
 * replaced whole (`replaceSharedFile`), never truncated in place. An rpm that read the macros file
 * empty would take Debian's ~/.rpmdb and miss the host's database; the lab's own rpm calls name
 * the database (`labRpm`), so an out-of-band change a test makes always lands in it.
 */
import { execFileSync, spawn, type ChildProcess } from "node:child_process";
import { createServer, connect } from "node:net";
import {
  chmodSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  openSync,
  closeSync,
  readFileSync,
  readdirSync,
  renameSync,
  rmSync,
  writeFileSync,
} from "node:fs";
import { tmpdir } from "node:os";
import { basename, dirname, join } from "node:path";
import { sha256Fingerprint, parseKnownHostsLine } from "../../provider/clients/hosts/host-key";
import type { SshHostOptionsInput } from "../../provider/clients/hosts/ssh-options";
import { buildIndexerRpm, configDirForVersion, corruptPayload } from "./indexer-rpms";

export const SUDO_NOPASSWD_USER = "spsidx-nopw";
export const SUDO_PASSWORD_USER = "spsidx-pw";
/** Login password of SUDO_PASSWORD_USER (also what its sudo asks for). Tests only. */
export const SUDO_PASSWORD_USER_PASSWORD = "Idx-test-Pw-7319";
export type LabHostUser = "root" | typeof SUDO_NOPASSWD_USER | typeof SUDO_PASSWORD_USER;

const SSHD = "/usr/sbin/sshd";
const PREREQUISITES = [
  "/usr/sbin/sshd",
  "/usr/bin/ssh-keygen",
  "/usr/bin/rpmbuild",
  "/usr/bin/rpm",
  "/usr/bin/dnf",
  "/usr/bin/sudo",
  "/usr/sbin/useradd",
];
const RPM_MACROS = "/etc/rpm/macros.sps-indexer-test-dbpath";
/** Where every lab host keeps its RPM database, under its root: RHEL's place. */
const RPM_DBPATH = "/var/lib/rpm";
/** sudo for SUDO_NOPASSWD_USER (every lab); for SUDO_PASSWORD_USER (tests only) its own drop-in. */
const SUDOERS_LAB = "/etc/sudoers.d/sps-indexer-lab";
const SUDOERS_PASSWORD_USER = "/etc/sudoers.d/sps-indexer-test";

/** The packages every lab host can be given. */
export interface IndexerRpms {
  v5_11_0: string;
  v6_0_1: string;
  v6_2_0: string;
  v6_3_0: string;
  v6_3_1_broken: string;
  v6_3_0_corrupt: string;
  /** A working package of any version (built on first use), e.g. the demo's 7.0.3 and 8.0.0. */
  of(version: string): string;
}

export interface IndexerLabOptions {
  /**
   * Also create SUDO_PASSWORD_USER, a sudoer whose password is in this file (the tests' password
   * login and sudo-password cases). Never for the demo. Default false.
   */
  passwordUser?: boolean;
  /** "all": build every package now (tests); "on-use" (default): build each on first use. */
  build?: "all" | "on-use";
  /**
   * Remove on dispose the machine-wide things this call created (the lab user, its sudoers drop-in,
   * the RPM macro file) — for the demo on a developer's machine. The tests leave them (idempotent,
   * shared by every suite of a run). Default false.
   */
  leaveNoTrace?: boolean;
}

/** Per-suite (or per-lab) fixtures: prerequisites checked, users ready, client key, the RPMs. */
export class IndexerLabFixtures {
  private constructor(
    readonly dir: string,
    readonly clientKeyPath: string,
    readonly clientPublicKey: string,
    readonly rpms: IndexerRpms,
    private readonly created: MachineChanges,
  ) {}

  static create(options: IndexerLabOptions = {}): IndexerLabFixtures {
    const missing = PREREQUISITES.filter((p) => !existsSync(p));
    if (missing.length > 0) {
      throw new Error(`indexer lab hosts need ${missing.join(", ")}: run scripts/setup.sh (Debian packages)`);
    }
    if (process.getuid?.() !== 0)
      throw new Error("indexer lab hosts start sshd and create users: run as root");
    const created = ensureLabUsers(options.passwordUser === true);
    const dir = mkdtempSync(join(tmpdir(), "sps-idx-fixtures-"));
    chmodSync(dir, 0o755);
    const key = join(dir, "client_ed25519");
    sshKeygen(key, "sps-indexer-lab");
    const out = join(dir, "rpms");
    mkdirSync(out);
    const rpms = rpmsBuiltOnUse(dir, out);
    if (options.build === "all") {
      // Reading a property builds that package.
      const paths = [...Object.keys(FIXED_RPMS), "v6_3_0_corrupt"].map((k) => rpms[k as keyof FixedRpm]);
      if (paths.some((p) => !existsSync(p))) throw new Error(`rpmbuild left a package missing in ${out}`);
    }
    return new IndexerLabFixtures(
      dir,
      key,
      readFileSync(`${key}.pub`, "utf8").trim(),
      rpms,
      options.leaveNoTrace === true ? created : { users: [], files: [] },
    );
  }

  dispose(): void {
    rmSync(this.dir, { recursive: true, force: true });
    for (const file of this.created.files) rmSync(file, { force: true });
    for (const user of this.created.users) {
      try {
        execFileSync("userdel", ["-r", user], { stdio: "pipe" });
      } catch {
        // still logged in somewhere, or gone already: leave it
      }
    }
  }
}

/** The packages built by rpmbuild (the corrupt one is a copy of 6.3.0 with a damaged payload). */
const FIXED_RPMS = {
  v5_11_0: { version: "5.11.0", broken: false },
  v6_0_1: { version: "6.0.1", broken: false },
  v6_2_0: { version: "6.2.0", broken: false },
  v6_3_0: { version: "6.3.0", broken: false },
  v6_3_1_broken: { version: "6.3.1", broken: true },
};
type FixedRpm = Omit<IndexerRpms, "of">;

/** The packages as properties that run rpmbuild the first time they are read (~0.5 s each). */
function rpmsBuiltOnUse(dir: string, out: string): IndexerRpms {
  const built = new Map<string, string>();
  const once = (key: string, make: () => string): string => {
    const known = built.get(key);
    if (known !== undefined) return known;
    const path = make();
    built.set(key, path);
    return path;
  };
  const build = (version: string, broken = false): string =>
    once(`${version}${broken ? "-broken" : ""}`, () => buildIndexerRpm(dir, out, { version, broken }));
  const corrupt = (): string =>
    once("6.3.0-corrupt", () =>
      corruptPayload(build("6.3.0"), join(out, "external-indexer-6.3.0-corrupt.rpm")),
    );
  const rpms = { of: (version: string) => build(version) } as IndexerRpms;
  for (const [property, { version, broken }] of Object.entries(FIXED_RPMS))
    Object.defineProperty(rpms, property, { get: () => build(version, broken) });
  return Object.defineProperty(rpms, "v6_3_0_corrupt", { get: corrupt });
}

/** Machine-wide things `ensureLabUsers` created (not those that were there before). */
interface MachineChanges {
  users: string[];
  files: string[];
}

function ensureLabUsers(passwordUser: boolean): MachineChanges {
  const created: MachineChanges = { users: [], files: [] };
  for (const f of [RPM_MACROS, SUDOERS_LAB, ...(passwordUser ? [SUDOERS_PASSWORD_USER] : [])])
    if (!existsSync(f)) created.files.push(f);
  mkdirSync("/etc/rpm", { recursive: true });
  replaceSharedFile(
    RPM_MACROS,
    `# pulumi-sps indexer lab hosts: RHEL's RPM database location\n%_dbpath ${RPM_DBPATH}\n`,
  );
  mkdirSync("/run/sshd", { recursive: true });
  for (const user of passwordUser ? [SUDO_NOPASSWD_USER, SUDO_PASSWORD_USER] : [SUDO_NOPASSWD_USER]) {
    try {
      execFileSync("id", [user], { stdio: "ignore" });
    } catch {
      execFileSync("useradd", ["-m", "-s", "/bin/bash", user], { stdio: "pipe" });
      created.users.push(user);
    }
  }
  // '*': no password, but not locked (sshd refuses key logins of locked accounts without PAM).
  execFileSync("usermod", ["-p", "*", SUDO_NOPASSWD_USER], { stdio: "pipe" });
  writeSudoers(SUDOERS_LAB, [
    `Defaults:${SUDO_NOPASSWD_USER} !secure_path`,
    `${SUDO_NOPASSWD_USER} ALL=(root) NOPASSWD: ALL`,
  ]);
  if (!passwordUser) return created;
  execFileSync("chpasswd", [], {
    input: `${SUDO_PASSWORD_USER}:${SUDO_PASSWORD_USER_PASSWORD}\n`,
    stdio: "pipe",
  });
  writeSudoers(SUDOERS_PASSWORD_USER, [
    `Defaults:${SUDO_PASSWORD_USER} !secure_path`,
    `${SUDO_PASSWORD_USER} ALL=(root) ALL`,
  ]);
  return created;
}

function writeSudoers(path: string, lines: string[]): void {
  replaceSharedFile(path, [...lines, ""].join("\n"), {
    mode: 0o440,
    check: (tmp) => execFileSync("visudo", ["-c", "-q", "-f", tmp], { stdio: "pipe" }),
  });
}

/**
 * Replaces a machine-wide file that processes of other labs may be reading right now: the same
 * content is left alone; new content is written beside it, checked, and renamed over it, so a reader
 * sees the old file or the new one, never an empty or half-written one. The temporary file's name
 * starts with a dot and is the writer's own: rpm (`macros.*`) and sudo (sudoers.d) never read it, and
 * two labs starting together never write into each other's.
 */
export function replaceSharedFile(
  path: string,
  text: string,
  options: { mode?: number; check?: (tmp: string) => void } = {},
): void {
  if (existsSync(path) && readFileSync(path, "utf8") === text) return;
  const tmp = join(dirname(path), `.${basename(path)}.${process.pid}.tmp`);
  try {
    writeFileSync(tmp, text, { mode: options.mode ?? 0o644 });
    options.check?.(tmp);
    renameSync(tmp, path);
  } finally {
    rmSync(tmp, { force: true });
  }
}

export interface LabHostSpec {
  name: string;
  os: "rhel6" | "rhel7";
  /** Path of the RPM installed at start (the "old" version). */
  installedRpm: string;
  /** Service state at start; default running. */
  service?: "running" | "stopped";
  /** Let this host forward TCP (to serve as a jump host). */
  allowTcpForwarding?: boolean;
}

export class IndexerLabHost {
  readonly name: string;
  readonly dir: string;
  /** The host's root prefix (IndexerHost rootPrefix). */
  readonly root: string;
  readonly port: number;
  private readonly fixtures: IndexerLabFixtures;
  private readonly publicHostKeyLine: string;
  private sshd: ChildProcess | undefined;
  private sshdExited: Promise<void> = Promise.resolve();

  private constructor(
    f: IndexerLabFixtures,
    spec: LabHostSpec,
    dir: string,
    port: number,
    hostKeyLine: string,
  ) {
    this.fixtures = f;
    this.name = spec.name;
    this.dir = dir;
    this.root = join(dir, "root");
    this.port = port;
    this.publicHostKeyLine = hostKeyLine;
  }

  static async start(f: IndexerLabFixtures, spec: LabHostSpec): Promise<IndexerLabHost> {
    const dir = mkdtempSync(join(tmpdir(), `sps-idx-${spec.name}-`));
    chmodSync(dir, 0o755);
    for (const d of ["root", "bin", "state", "ssh", "root/etc", "root/var/lib/rpm"]) {
      mkdirSync(join(dir, d), { recursive: true, mode: 0o755 });
    }
    mkdirSync(join(dir, "root/var/tmp"), { recursive: true });
    chmodSync(join(dir, "root/var/tmp"), 0o1777);
    chmodSync(join(dir, "state"), 0o777);
    const root = join(dir, "root");
    writeReleaseFiles(root, spec.os);
    labRpm(root, ["--initdb"]);
    labRpm(root, ["-i", spec.installedRpm]);
    const installed = rpmVersion(root);
    if (!installed) throw new Error(`${spec.name}: installing ${spec.installedRpm} left no package`);
    // The operator's own configuration (differs from what the package shipped).
    const confDir = join(root, configDirForVersion(installed));
    writeFileSync(join(confDir, "indexerworker.cfg"), `# ${spec.name}\nworkers=8\nspsAddress=10.0.0.5\n`);
    writeFileSync(join(confDir, "indexer-certs.cfg"), `# ${spec.name}\nclientCert=/etc/indexer/client.pem\n`);
    writeFileSync(
      join(dir, "state/external-indexer.state"),
      spec.service === "stopped" ? "stopped\n" : `running ${installed}\n`,
    );
    writeShims(dir, root, spec.os);
    sshKeygen(join(dir, "ssh/host_ed25519_key"), spec.name);
    writeFileSync(join(dir, "ssh/authorized_keys"), `${f.clientPublicKey}\n`);
    const port = await freePort();
    writeFileSync(join(dir, "ssh/sshd_config"), sshdConfig(dir, spec.allowTcpForwarding === true));
    const hostKeyLine = readFileSync(join(dir, "ssh/host_ed25519_key.pub"), "utf8").trim();
    const host = new IndexerLabHost(f, spec, dir, port, `[127.0.0.1]:${port} ${hostKeyLine}`);
    try {
      await host.startSshd();
    } catch (err) {
      await host.stop();
      throw err;
    }
    return host;
  }

  /** Starts (or restarts) this host's sshd on its port and waits for its banner. */
  async startSshd(): Promise<void> {
    if (this.sshd) return;
    const log = openSync(join(this.dir, "ssh/sshd.log"), "a");
    const args = ["-D", "-e", "-f", join(this.dir, "ssh/sshd_config"), "-p", String(this.port)];
    const child = spawn(SSHD, args, { stdio: ["ignore", log, log] });
    closeSync(log);
    this.sshd = child;
    this.sshdExited = new Promise<void>((resolve) => child.once("exit", () => resolve()));
    await waitForBanner(this.port, 10_000, () => child.exitCode !== null);
  }

  /** Stops sshd and every session it serves (processes this lab started, by pid). */
  async stopSshd(): Promise<void> {
    const child = this.sshd;
    if (!child?.pid) return;
    this.dropConnections();
    child.kill("SIGTERM");
    await this.sshdExited;
    this.sshd = undefined;
  }

  /** Number of processes sshd runs for open connections (0 when no session is open). */
  connectionProcesses(): number {
    const pid = this.sshd?.pid;
    return pid ? descendantsOf(pid).length : 0;
  }

  /** Cuts every SSH connection of this host (kills sshd's per-connection processes); sshd keeps listening. */
  dropConnections(): number {
    const pid = this.sshd?.pid;
    if (!pid) return 0;
    const victims = descendantsOf(pid);
    for (const p of victims) {
      try {
        process.kill(p, "SIGKILL");
      } catch {
        // already gone
      }
    }
    return victims.length;
  }

  /** Stops sshd and removes the host's directory. */
  async stop(): Promise<void> {
    await this.stopSshd();
    rmSync(this.dir, { recursive: true, force: true });
  }

  /** The host's line as ssh-keyscan prints it. */
  knownHostsLine(): string {
    return this.publicHostKeyLine;
  }

  fingerprint(): string {
    return sha256Fingerprint(parseKnownHostsLine(this.publicHostKeyLine).keyBlob);
  }

  /** SSH options for IndexerHost/SshHostSession: key auth by default, host key pinned by known_hosts line. */
  sshOptions(user: LabHostUser = "root", overrides: Partial<SshHostOptionsInput> = {}): SshHostOptionsInput {
    return {
      host: "127.0.0.1",
      port: this.port,
      username: user,
      auth: { method: "privateKey", privateKeyPath: this.fixtures.clientKeyPath },
      hostKey: { knownHostsLine: this.knownHostsLine() },
      connectTimeoutMs: 10_000,
      commandTimeoutMs: 60_000,
      ...overrides,
    };
  }

  /** Installed external-indexer version, read locally with rpm (null when not installed). */
  installedVersion(): string | null {
    return rpmVersion(this.root);
  }

  /** The shim's record: "running <version>" / "stopped" / "failed <version>". */
  serviceRecord(): string {
    return readFileSync(join(this.dir, "state/external-indexer.state"), "utf8").trim();
  }

  setServiceRecord(record: "stopped" | `running ${string}`): void {
    writeFileSync(join(this.dir, "state/external-indexer.state"), `${record}\n`);
  }

  /** Every verb the service shim was called with, in order (start, stop, status …). */
  serviceCalls(): string[] {
    const file = join(this.dir, "state/service.log");
    if (!existsSync(file)) return [];
    return readFileSync(file, "utf8")
      .split("\n")
      .filter((l) => l !== "");
  }

  configPath(file: string, version: string): string {
    return join(this.root, configDirForVersion(version), file);
  }

  /** Installs another package directly (tests set up half-done hosts with it). */
  rpmUpgrade(rpmPath: string): void {
    labRpm(this.root, ["-U", rpmPath]);
  }

  /** Files in a directory of the host root. */
  list(dir: string): string[] {
    const full = join(this.root, dir);
    return existsSync(full) ? readdirSync(full).sort() : [];
  }

  sshdLog(): string {
    return readFileSync(join(this.dir, "ssh/sshd.log"), "utf8");
  }
}

/** A new ed25519 key pair without passphrase: `path` and `path.pub`. */
function sshKeygen(path: string, comment: string): void {
  execFileSync("ssh-keygen", ["-q", "-t", "ed25519", "-N", "", "-C", comment, "-f", path]);
}

/** rpm on a lab host's root from this process, the database named: never what RPM_MACROS holds right now. */
function labRpm(root: string, args: readonly string[]): string {
  return execFileSync("rpm", ["--root", root, "--dbpath", RPM_DBPATH, ...args], {
    encoding: "utf8",
    stdio: "pipe",
  });
}

function rpmVersion(root: string): string | null {
  try {
    return labRpm(root, ["-q", "--qf", "%{VERSION}", "external-indexer"]).trim();
  } catch {
    return null;
  }
}

function writeReleaseFiles(root: string, os: "rhel6" | "rhel7"): void {
  if (os === "rhel6") {
    // RHEL/CentOS 6 has no /etc/os-release.
    writeFileSync(join(root, "etc/redhat-release"), "CentOS release 6.10 (Final)\n");
    return;
  }
  writeFileSync(join(root, "etc/redhat-release"), "CentOS Linux release 7.9.2009 (Core)\n");
  writeFileSync(
    join(root, "etc/os-release"),
    'NAME="CentOS Linux"\nVERSION="7 (Core)"\nID="centos"\nID_LIKE="rhel fedora"\nVERSION_ID="7"\nPRETTY_NAME="CentOS Linux 7 (Core)"\n',
  );
}

function writeShims(dir: string, root: string, os: "rhel6" | "rhel7"): void {
  const bin = join(dir, "bin");
  const state = join(dir, "state");
  const q = (s: string): string => `'${s.replace(/'/g, `'\\''`)}'`;
  const script = (name: string, body: string): void => {
    writeFileSync(join(bin, name), `#!/bin/sh\n${body}`, { mode: 0o755 });
  };
  // yum: the real dnf, on this host's root only when asked (--installroot), no repositories.
  script(
    "yum",
    `# yum on this lab host is Debian's dnf (real package manager), repositories disabled.\n` +
      `exec /usr/bin/dnf --disablerepo='*' --releasever=${os === "rhel6" ? "6" : "7"} "$@"\n`,
  );
  // LAB SHIM: the service manager (the only shimmed part of a lab host).
  script(
    "indexer-service-shim",
    `# LAB SHIM: keeps the external-indexer service state of this lab host in a file.\n` +
      `STATE=${q(join(state, "external-indexer.state"))}\nROOT=${q(root)}\n` +
      `echo "$1" >> ${q(join(state, "service.log"))}\n` +
      `current=$(cut -d' ' -f1 "$STATE" 2>/dev/null); [ -n "$current" ] || current=stopped\n` +
      `case "$1" in\n` +
      `  start)\n` +
      `    [ "$current" = running ] && exit 0\n` +
      `    version=$(/usr/bin/rpm --root "$ROOT" -q --qf '%{VERSION}' external-indexer 2>/dev/null) || { echo "external-indexer is not installed" >&2; echo failed > "$STATE"; exit 1; }\n` +
      `    if ! "$ROOT/usr/libexec/external-indexer/selftest"; then echo "failed $version" > "$STATE"; exit 1; fi\n` +
      `    echo "running $version" > "$STATE" ;;\n` +
      `  stop) echo stopped > "$STATE" ;;\n` +
      `  state) echo "$current" ;;\n` +
      `  *) echo "unknown verb $1" >&2; exit 2 ;;\n` +
      `esac\n`,
  );
  const shim = q(join(bin, "indexer-service-shim"));
  const service =
    `# LAB SHIM: SysV 'service' for external-indexer only.\n` +
    `[ "$1" = external-indexer ] || { echo "$1: unrecognized service" >&2; exit 1; }\n` +
    `case "$2" in\n` +
    `  start) ${shim} start || { echo "Starting external-indexer: [FAILED]"; exit 1; }; echo "Starting external-indexer: [  OK  ]" ;;\n` +
    `  stop) ${shim} stop; echo "Stopping external-indexer: [  OK  ]" ;;\n` +
    `  status) case $(${shim} state) in running) echo "external-indexer is running..."; exit 0 ;; failed) echo "external-indexer dead but subsys locked"; exit 2 ;; *) echo "external-indexer is stopped"; exit 3 ;; esac ;;\n` +
    `  *) echo "Usage: service external-indexer {start|stop|status}" >&2; exit 2 ;;\n` +
    `esac\n`;
  script("service", service);
  if (os === "rhel6") {
    script("systemctl", `echo "-bash: systemctl: command not found" >&2\nexit 127\n`);
    return;
  }
  script(
    "systemctl",
    `# LAB SHIM: systemctl for external-indexer.service only.\n` +
      `case "$2" in external-indexer|external-indexer.service) ;; *) echo "Unit $2 not found." >&2; exit 5 ;; esac\n` +
      `case "$1" in\n` +
      `  start) ${shim} start || { echo "Job for external-indexer.service failed because the control process exited with error code." >&2; exit 1; } ;;\n` +
      `  stop) ${shim} stop ;;\n` +
      `  is-active) case $(${shim} state) in running) echo active; exit 0 ;; failed) echo failed; exit 3 ;; *) echo inactive; exit 3 ;; esac ;;\n` +
      `  *) echo "systemctl $1: not supported by the lab shim" >&2; exit 1 ;;\n` +
      `esac\n`,
  );
}

function sshdConfig(dir: string, allowTcpForwarding: boolean): string {
  return [
    "ListenAddress 127.0.0.1",
    `HostKey ${join(dir, "ssh/host_ed25519_key")}`,
    "PidFile none",
    `AuthorizedKeysFile ${join(dir, "ssh/authorized_keys")}`,
    "StrictModes no",
    "UsePAM no",
    "PubkeyAuthentication yes",
    "PasswordAuthentication yes",
    "KbdInteractiveAuthentication no",
    "PermitRootLogin prohibit-password",
    `AllowUsers root ${SUDO_NOPASSWD_USER} ${SUDO_PASSWORD_USER}`,
    `AllowTcpForwarding ${allowTcpForwarding ? "yes" : "no"}`,
    "X11Forwarding no",
    `SetEnv PATH=${join(dir, "bin")}:/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin`,
    "Subsystem sftp internal-sftp",
    "LogLevel VERBOSE",
    "MaxStartups 50",
    "",
  ].join("\n");
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once("error", reject);
    server.listen(0, "127.0.0.1", () => {
      const address = server.address();
      const port = typeof address === "object" && address ? address.port : 0;
      server.close(() => resolve(port));
    });
  });
}

async function waitForBanner(port: number, timeoutMs: number, died: () => boolean): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    if (died()) throw new Error(`sshd on port ${port} exited at start (see its sshd.log)`);
    const ok = await new Promise<boolean>((resolve) => {
      const s = connect(port, "127.0.0.1");
      s.setTimeout(1_000);
      s.once("data", (d: Buffer) => {
        s.destroy();
        resolve(d.toString("latin1").startsWith("SSH-2.0"));
      });
      s.once("error", () => resolve(false));
      s.once("timeout", () => {
        s.destroy();
        resolve(false);
      });
    });
    if (ok) return;
    if (Date.now() > deadline) throw new Error(`sshd on port ${port} did not answer within ${timeoutMs} ms`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

/** Every process below `pid` (children, grandchildren …), from /proc. */
function descendantsOf(pid: number): number[] {
  const parentOf = new Map<number, number>();
  for (const entry of readdirSync("/proc")) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const stat = readFileSync(`/proc/${entry}/stat`, "utf8");
      const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
      parentOf.set(Number(entry), Number(fields[1]));
    } catch {
      // exited meanwhile
    }
  }
  const out: number[] = [];
  const queue = [pid];
  while (queue.length > 0) {
    const p = queue.shift() as number;
    for (const [child, parent] of parentOf) {
      if (parent === p) {
        out.push(child);
        queue.push(child);
      }
    }
  }
  return out;
}
