/**
 * A self-signed CA per emulated fleet and one server certificate per node (SAN 127.0.0.1, localhost,
 * the node name), made with the `openssl` CLI (installed by scripts/setup.sh) so that the client's TLS
 * verification — CA bundle or pinned fingerprint — is exercised for real.
 */
import { execFile } from "node:child_process";
import { X509Certificate } from "node:crypto";
import { promises as fs } from "node:fs";
import { join } from "node:path";
import { promisify } from "node:util";

const run = promisify(execFile);

export interface FleetCa {
  dir: string;
  caCertPath: string;
  caKeyPath: string;
  caCertPem: string;
}

export interface ServerCertificate {
  certPem: string;
  keyPem: string;
  certPath: string;
  /** SHA-256 fingerprint as Node prints it ("AB:CD:..."). */
  fingerprint256: string;
}

async function openssl(args: string[], cwd: string): Promise<void> {
  try {
    await run("openssl", args, { cwd });
  } catch (e) {
    const err = e as { stderr?: string; message: string };
    throw new Error(
      `openssl ${args[0]} failed: ${(err.stderr ?? err.message).trim().split("\n").slice(-3).join(" | ")}`,
    );
  }
}

const EC = ["-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes"];

/** A self-signed certificate `<base>.pem` (30 days, CN `cn`, the given extensions) and its key `<base>.key` in `dir`. */
export async function selfSignedCertificate(
  dir: string,
  base: string,
  cn: string,
  extensions: string[],
): Promise<{ certPem: string; keyPem: string }> {
  const files = ["-keyout", `${base}.key`, "-out", `${base}.pem`];
  const ext = extensions.flatMap((e) => ["-addext", e]);
  await openssl(["req", "-x509", ...EC, ...files, "-days", "30", "-subj", `/CN=${cn}`, ...ext], dir);
  const read = (suffix: string): Promise<string> => fs.readFile(join(dir, `${base}.${suffix}`), "utf8");
  return { certPem: await read("pem"), keyPem: await read("key") };
}

export async function createFleetCa(dir: string, name = "SPS emulator fleet CA"): Promise<FleetCa> {
  await fs.mkdir(dir, { recursive: true });
  const ca = await selfSignedCertificate(dir, "ca", name, [
    "basicConstraints=critical,CA:TRUE",
    "keyUsage=critical,keyCertSign,cRLSign",
  ]);
  return { dir, caCertPath: join(dir, "ca.pem"), caKeyPath: join(dir, "ca.key"), caCertPem: ca.certPem };
}

export async function issueServerCertificate(ca: FleetCa, nodeName: string): Promise<ServerCertificate> {
  const safe = nodeName.replace(/[^A-Za-z0-9_.-]/g, "_");
  const dns = /^[A-Za-z0-9-]+$/.test(nodeName) ? `,DNS:${nodeName}` : "";
  const ext = join(ca.dir, `${safe}.ext`);
  await fs.writeFile(
    ext,
    [
      `subjectAltName=IP:127.0.0.1,DNS:localhost${dns}`,
      "basicConstraints=CA:FALSE",
      "keyUsage=critical,digitalSignature,keyAgreement",
      "extendedKeyUsage=serverAuth",
    ].join("\n") + "\n",
  );
  await openssl(
    ["req", ...EC, "-keyout", `${safe}.key`, "-out", `${safe}.csr`, "-subj", `/CN=${nodeName}`],
    ca.dir,
  );
  const signer = ["-CA", "ca.pem", "-CAkey", "ca.key", "-CAcreateserial"];
  const x509 = ["x509", "-req", "-in", `${safe}.csr`, ...signer, "-out", `${safe}.pem`, "-days", "30"];
  await openssl([...x509, "-extfile", ext], ca.dir);
  const certPath = join(ca.dir, `${safe}.pem`);
  const certPem = await fs.readFile(certPath, "utf8");
  const keyPem = await fs.readFile(join(ca.dir, `${safe}.key`), "utf8");
  return { certPem, keyPem, certPath, fingerprint256: new X509Certificate(certPem).fingerprint256 };
}

/**
 * A CA and its server certificates kept across fleets, for tests that start many fresh fleets in a row
 * (the crash matrix starts one per crash point): each fleet still gets fresh nodes, servers and state;
 * only the openssl runs are saved. The caller removes `dir` when done (`dispose`).
 */
export class CertificateStore {
  private ca: Promise<FleetCa> | undefined;
  private readonly servers = new Map<string, Promise<ServerCertificate>>();

  constructor(readonly dir: string) {}

  fleetCa(): Promise<FleetCa> {
    return (this.ca ??= createFleetCa(this.dir));
  }

  serverCertificate(nodeName: string): Promise<ServerCertificate> {
    let c = this.servers.get(nodeName);
    if (!c) {
      c = this.fleetCa().then((ca) => issueServerCertificate(ca, nodeName));
      this.servers.set(nodeName, c);
    }
    return c;
  }

  async dispose(): Promise<void> {
    await fs.rm(this.dir, { recursive: true, force: true });
  }
}
