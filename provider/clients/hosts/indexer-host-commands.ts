/**
 * The shell commands `IndexerHost` runs, built from the planner's vocabulary
 * (`domain/indexer-commands.ts`, rules I2, I4) with every argument quoted, and an optional root
 * prefix for hosts whose indexer lives under another root (`rpm --root`, `yum --installroot`).
 * With the root "/" they are exactly the commands the planner prints. Pure.
 */
import { posix } from "node:path";
import {
  INDEXER_SERVICE,
  INDEXER_VERSION_QUERY,
  indexerServiceCommand,
  indexerUpgradeCommand,
  type IndexerOs,
  type ServiceVerb,
} from "../../../core/indexer-commands";
import { shellJoin, shellQuote } from "./shell-quote";

/** Normalises a root prefix: absolute, no trailing slash except for "/" itself. */
export function normaliseRoot(root: string): string {
  if (!root.startsWith("/")) throw new Error(`rootPrefix must be an absolute path, got "${root}"`);
  const n = posix.normalize(root);
  return n.length > 1 ? n.replace(/\/+$/, "") : "/";
}

/** A path on the host under the root prefix (`/etc/indexer` → `<root>/etc/indexer`). */
export function underRoot(root: string, path: string): string {
  return root === "/" ? path : posix.join(root, path);
}

export const osReleaseFiles = (root: string) => ({
  redhatRelease: underRoot(root, "/etc/redhat-release"),
  osRelease: underRoot(root, "/etc/os-release"),
});

/** Prints a file; exits 3 (and prints nothing) when it does not exist, for optional files like os-release. */
export function catIfExistsCommand(path: string): string {
  const p = shellQuote(path);
  return `if [ -e ${p} ]; then cat -- ${p}; else exit 3; fi`;
}

/** Rule I4 (verify): installed indexer version; exit 1 with "not installed" on stdout when absent. */
export function installedVersionCommand(root: string): string {
  if (root === "/") return INDEXER_VERSION_QUERY;
  return shellJoin(["rpm", "--root", root, "-q", "--qf", "%{VERSION}", INDEXER_SERVICE]);
}

/** Name and version of a package file, read before anything is installed (rule I1). */
export function packageFileQueryCommand(rpmPath: string): string {
  return shellJoin(["rpm", "-qp", "--qf", "%{NAME} %{VERSION}\\n", rpmPath]);
}

/** Rule I4: `yum upgrade -y <rpm>`, with `--installroot` when the indexer lives under a root prefix. */
export function upgradeCommand(root: string, rpmPath: string): string {
  if (root === "/") return indexerUpgradeCommand(shellQuote(rpmPath));
  return shellJoin(["yum", `--installroot=${root}`, "upgrade", "-y", rpmPath]);
}

/** Rule I4: start / stop / status of the indexer service on this OS family. */
export function serviceCommand(os: IndexerOs, verb: ServiceVerb): string {
  return indexerServiceCommand(os, verb);
}

export function sha256Command(paths: readonly string[]): string {
  return shellJoin(["sha256sum", "--", ...paths]);
}

export function copyPreservingCommand(from: string, to: string): string {
  return shellJoin(["cp", "-p", "--", from, to]);
}

/** Parses `sha256sum` output into path → digest. */
export function parseSha256sum(stdout: string): Map<string, string> {
  const out = new Map<string, string>();
  for (const line of stdout.split("\n")) {
    const m = /^\\?([0-9a-f]{64})\s+\*?(.+)$/.exec(line.trim());
    if (m?.[1] && m[2]) out.set(m[2], m[1]);
  }
  return out;
}
