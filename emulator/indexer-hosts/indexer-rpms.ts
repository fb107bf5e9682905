/**
 * Real `external-indexer` RPMs for the lab's indexer hosts (tests and the demo), built with `rpmbuild`
 * (Debian package `rpm`). Each package carries its configuration files (under
 * /opt/external-indexer/etc/indexer for 5.x, /etc/indexer for 6.x: rule I2) and a `selftest` program
 * that the lab hosts' service shim
 * runs on start: a "broken" build's selftest fails, so a start failure comes from the installed
 * package itself. A "corrupt" package has an intact header (rpm -qp reads it) and a damaged payload
 * (the rpm transaction refuses it), so `yum upgrade` fails after the service was stopped.
 */
import { execFileSync } from "node:child_process";
import {
  copyFileSync,
  mkdirSync,
  readdirSync,
  statSync,
  writeFileSync,
  openSync,
  writeSync,
  closeSync,
} from "node:fs";
import { join } from "node:path";

export interface RpmVariant {
  version: string;
  broken?: boolean;
}

/** Where a version keeps its configuration (rule I2). */
export function configDirForVersion(version: string): string {
  return Number.parseInt(version, 10) < 6 ? "/opt/external-indexer/etc/indexer" : "/etc/indexer";
}

function specFor(v: RpmVariant): string {
  const confdir = configDirForVersion(v.version);
  const selftest = v.broken
    ? `echo "external-indexer ${v.version}: worker failed to load its engine (broken build)" >&2\nexit 1`
    : `exit 0`;
  // The broken build ships its configuration as plain %config: rpm replaces an edited file (and
  // keeps it as .rpmsave), which is how a package "touches" the configuration (rule I5 restores it).
  const configMacro = v.broken ? "%config" : "%config(noreplace)";
  return `Name: external-indexer
Version: ${v.version}
Release: 1
Summary: SPS external indexer (test build)
License: Apache-2.0
BuildArch: noarch
AutoReqProv: no

%description
Test build of the SPS external indexer for the pulumi-sps indexer-host tests.

%install
mkdir -p %{buildroot}/usr/libexec/external-indexer %{buildroot}${confdir} %{buildroot}/usr/share/external-indexer
cat > %{buildroot}/usr/libexec/external-indexer/selftest <<'SELFTEST'
#!/bin/sh
${selftest}
SELFTEST
chmod 755 %{buildroot}/usr/libexec/external-indexer/selftest
echo "${v.version}" > %{buildroot}/usr/share/external-indexer/VERSION
printf '# indexerworker.cfg shipped with ${v.version}\\nworkers=2\\n' > %{buildroot}${confdir}/indexerworker.cfg
printf '# indexer-certs.cfg shipped with ${v.version}\\n' > %{buildroot}${confdir}/indexer-certs.cfg

%files
/usr/libexec/external-indexer/selftest
/usr/share/external-indexer/VERSION
${configMacro} ${confdir}/indexerworker.cfg
${configMacro} ${confdir}/indexer-certs.cfg
`;
}

/** Builds one package into `outDir`; returns the .rpm path. */
export function buildIndexerRpm(workDir: string, outDir: string, v: RpmVariant): string {
  const name = `external-indexer-${v.version}${v.broken ? "-broken" : ""}`;
  const top = join(workDir, `rpmbuild-${name}`);
  mkdirSync(top, { recursive: true });
  const spec = join(top, `${name}.spec`);
  writeFileSync(spec, specFor(v));
  execFileSync("rpmbuild", ["-bb", "--quiet", "--define", `_topdir ${top}`, spec], { stdio: "pipe" });
  const rpmsDir = join(top, "RPMS", "noarch");
  const built = readdirSync(rpmsDir).find((f) => f.endsWith(".rpm"));
  if (!built) throw new Error(`rpmbuild produced no package for ${name}`);
  const out = join(outDir, `${name}.rpm`);
  copyFileSync(join(rpmsDir, built), out);
  return out;
}

/** A copy of `rpmPath` whose payload is damaged near its end; its header still reads. */
export function corruptPayload(rpmPath: string, outPath: string): string {
  copyFileSync(rpmPath, outPath);
  const size = statSync(outPath).size;
  const fd = openSync(outPath, "r+");
  try {
    writeSync(fd, Buffer.alloc(24, 0x58), 0, 24, size - 48);
  } finally {
    closeSync(fd);
  }
  return outPath;
}
