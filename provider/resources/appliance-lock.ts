/**
 * One run per appliance on this machine: before a firmware run starts, it takes a lock per node
 * address (core/appliance-address.ts) under the checkpoint directory, so two stacks on one
 * machine (or one CI runner, or a checkpoint directory on a shared filesystem) that declare the same
 * SPS never upgrade it at the same time — the second stops at once, naming the appliance and the run
 * that holds it. The locks of one run are taken all or none, in address order (no two runs wait on
 * each other). Runs on other machines do not see these files: there the appliance itself is the
 * shared truth (provider/executor/foreign-state.ts stops a run before a write it did not prepare).
 */
import { SpsError } from "../../core/errors";
import { homedir } from "node:os";
import { join } from "node:path";
import { applianceKey } from "../../core/appliance-address";
import { takeLockFile, type LockHolder } from "./checkpoint-store";

/** Another live run on this machine is upgrading one of the appliances. */
export class ApplianceLockedError extends SpsError {
  static override readonly code: string = "APPLIANCE_LOCKED";
  constructor(
    readonly address: string,
    readonly lockFile: string,
    readonly holder: LockHolder,
  ) {
    super(
      `the appliance ${address} is being upgraded by another run (${holder.run ? `${holder.run}, ` : ""}pid ${holder.pid}${holder.startedAt ? `, since ${holder.startedAt}` : ""}); two runs must never upgrade one appliance at once, so this run changes nothing. Let that run finish, then run again (this run then finds the appliance on its target); declare each appliance in one stack only. If pid ${holder.pid} is not a pulumi-sps provider, delete ${lockFile}`,
    );
  }
}

export function applianceLockFile(dir: string | undefined, address: string): string {
  const base = dir ?? join(homedir(), ".pulumi-sps", "checkpoints");
  return join(base, "appliances", `${applianceKey(address).replace(/[^A-Za-z0-9._-]/g, "_")}.lock`);
}

/** Takes the lock of every address (all or none); `run` names the holder (project.stack.cluster). */
export function acquireApplianceLocks(
  dir: string | undefined,
  addresses: readonly string[],
  run: string,
): { release(): void } {
  const byKey = new Map(addresses.map((a) => [applianceKey(a), a]));
  const taken: Array<{ release(): void }> = [];
  const releaseAll = (): void => {
    for (const t of taken.reverse()) t.release();
  };
  try {
    for (const key of [...byKey.keys()].sort()) {
      const address = byKey.get(key)!;
      const file = applianceLockFile(dir, address);
      taken.push(takeLockFile(file, run, (holder) => new ApplianceLockedError(address, file, holder)));
    }
  } catch (e) {
    releaseAll();
    throw e;
  }
  return { release: releaseAll };
}
