// A throwaway PostgreSQL server for tests: Debian's postgresql-15 (scripts/setup.sh installs it), its own data
// directory from initdb in a temporary directory, listening on 127.0.0.1 at a free port with its unix socket in that
// directory, password (SCRAM) authentication, one database. `stop()` ends it (pg_ctl stop -m fast) and removes
// everything. PostgreSQL refuses to run as root: as root, the server runs as the `postgres` system user
// (runuser), which then owns the temporary directory.
import { execFile } from "node:child_process";
import { randomBytes } from "node:crypto";
import * as fs from "node:fs";
import * as net from "node:net";
import * as os from "node:os";
import * as path from "node:path";
import { promisify } from "node:util";

const run = promisify(execFile);

/** Where Debian installs the server binaries (initdb, pg_ctl are not on PATH). */
export const POSTGRES_BIN_DIR = "/usr/lib/postgresql/15/bin";

export interface PostgresServer {
  port: number;
  database: string;
  user: string;
  password: string;
  /** `postgres://user:password@127.0.0.1:port/database?sslmode=disable`, the Pulumi DIY backend URL. */
  url: string;
  /** Runs SQL with psql (tuples only, unaligned) and returns its output. */
  query(sql: string): Promise<string>;
  stop(): Promise<void>;
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.on("error", reject);
    server.listen(0, "127.0.0.1", () => {
      const address = server.address() as net.AddressInfo;
      server.close(() => resolve(address.port));
    });
  });
}

/** Starts the server; throws naming the fix when PostgreSQL is not installed (a failure, never a skip). */
export async function startPostgres(): Promise<PostgresServer> {
  for (const tool of ["initdb", "pg_ctl", "postgres"]) {
    if (!fs.existsSync(path.join(POSTGRES_BIN_DIR, tool))) {
      throw new Error(
        `PostgreSQL 15 is not installed (${path.join(POSTGRES_BIN_DIR, tool)} missing): run scripts/setup.sh ` +
          `(apt-get install postgresql-15)`,
      );
    }
  }
  const root = process.getuid?.() === 0;
  const asServerUser = (command: string, args: string[]): [string, string[]] =>
    root ? ["runuser", ["-u", "postgres", "--", command, ...args]] : [command, args];
  const exec = async (command: string, args: string[], env: Record<string, string> = {}): Promise<string> => {
    const [file, argv] = asServerUser(command, args);
    const { stdout } = await run(file, argv, {
      env: { ...process.env, ...env },
      maxBuffer: 64 * 1024 * 1024,
    });
    return stdout;
  };

  const dir = await fs.promises.mkdtemp(path.join(os.tmpdir(), "pulumi-sps-pg-"));
  const data = path.join(dir, "data");
  const password = randomBytes(18).toString("base64url");
  const pwfile = path.join(dir, "pwfile");
  await fs.promises.writeFile(pwfile, `${password}\n`, { mode: 0o600 });
  if (root) {
    const { stdout } = await run("id", ["-u", "postgres"]);
    const { stdout: gid } = await run("id", ["-g", "postgres"]);
    await fs.promises.chown(dir, Number(stdout.trim()), Number(gid.trim()));
    await fs.promises.chown(pwfile, Number(stdout.trim()), Number(gid.trim()));
  }
  const port = await freePort();
  const user = "pulumi";
  const database = "pulumi";
  const env = { PGPASSWORD: password };
  const psql = (db: string, sql: string) =>
    exec(
      "psql",
      [
        "-X",
        "-q",
        "-t",
        "-A",
        "-v",
        "ON_ERROR_STOP=1",
        "-h",
        "127.0.0.1",
        "-p",
        String(port),
        "-U",
        user,
        "-d",
        db,
        "-c",
        sql,
      ],
      env,
    );
  let started = false;
  const stop = async (): Promise<void> => {
    if (started) {
      await exec(path.join(POSTGRES_BIN_DIR, "pg_ctl"), ["stop", "-D", data, "-m", "fast", "-w"]).catch(
        () => undefined,
      );
      started = false;
    }
    await fs.promises.rm(dir, { recursive: true, force: true });
  };
  try {
    await exec(path.join(POSTGRES_BIN_DIR, "initdb"), [
      "-D",
      data,
      "-U",
      user,
      "--pwfile",
      pwfile,
      "--auth",
      "scram-sha-256",
      "-E",
      "UTF8",
      "--no-instructions",
    ]);
    await exec(path.join(POSTGRES_BIN_DIR, "pg_ctl"), [
      "start",
      "-D",
      data,
      "-w",
      "-t",
      "60",
      "-l",
      path.join(dir, "server.log"),
      "-o",
      `-c listen_addresses=127.0.0.1 -c port=${port} -c unix_socket_directories=${dir}`,
    ]);
    started = true;
    await psql("postgres", `CREATE DATABASE ${database}`);
  } catch (error) {
    const log = await fs.promises.readFile(path.join(dir, "server.log"), "utf8").catch(() => "");
    await stop();
    throw new Error(`PostgreSQL did not start: ${(error as Error).message}\n${log}`);
  }
  return {
    port,
    database,
    user,
    password,
    url: `postgres://${user}:${password}@127.0.0.1:${port}/${database}?sslmode=disable`,
    query: (sql) => psql(database, sql),
    stop,
  };
}
