/**
 * One node, read-only, as `sps-upgrade doctor` sees it: reachable, TLS trust, login, running version,
 * roles, free firmware slots, health (P2), disk fill-up (P8), license as far as readable, and what
 * its REST tree offers (`readCapabilities`). Every call is a GET (plus the login); nothing is written.
 * Each fact that cannot be read stays undefined with the reason in `errors` — never a guess.
 */
import { ApplianceApiError } from "../provider/clients/sps/api-error";
import type { ApplianceClient } from "../provider/clients/sps/appliance-client";
import { readLicense } from "../provider/clients/sps/license-reading";
import { readCapabilities, type RestCapabilities } from "../provider/clients/sps/rest-capabilities";
import { messageOf } from "../core/errors";
import type { NodeFacts } from "../core/readiness";
import { RULES } from "../core/rules";

export interface NodeAccess {
  reachable: boolean;
  tls: boolean;
  login: boolean;
  error?: string;
}

export interface NodeProbe {
  access: NodeAccess;
  facts: NodeFacts;
  capabilities: RestCapabilities | null;
  /** Per fact that could not be read, why. */
  errors: Record<string, string>;
}

/** Classifies a login failure: network (unreachable), TLS (trust), HTTP 401/403 (credentials). */
export function accessOf(e: unknown): NodeAccess {
  // Any other error: as unreachable.
  const failure = e instanceof ApplianceApiError ? e.failure : "network";
  const reachable = failure !== "network";
  return { reachable, tls: reachable && failure !== "tls", login: false, error: messageOf(e) };
}

export async function probeNode(client: ApplianceClient, now: Date = new Date()): Promise<NodeProbe> {
  const errors: Record<string, string> = {};
  try {
    await client.login();
  } catch (e) {
    return { access: accessOf(e), facts: {}, capabilities: null, errors };
  }
  const facts: NodeFacts = {};
  const part = async (name: string, read: () => Promise<void>): Promise<void> => {
    try {
      await read();
    } catch (e) {
      errors[name] = messageOf(e);
    }
  };
  let capabilities: RestCapabilities | null = null;
  await part("info", async () => {
    const info = await client.getInfo();
    if (info.firmwareVersion !== undefined) facts.version = info.firmwareVersion;
    facts.roles = info.roles;
  });
  if (facts.version === undefined)
    await part("version", async () => {
      facts.version = await client.getFirmwareVersion();
    });
  await part("slots", async () => {
    facts.freeFirmwareSlots = (await client.listFirmwareSlots()).emptySlots;
  });
  await part("health", async () => {
    const v = RULES.P2.live({ health: await client.getHealth() });
    facts.healthOk = v.ok;
    if (v.problems.length > 0) facts.healthProblems = v.problems;
  });
  await part("diskFillup", async () => {
    facts.diskFillupLimitPercent = (await client.getDiskFillupPrevention()).usedSpaceRatioLimit;
  });
  await part("license", async () => {
    const r = readLicense((await client.getLicense()).raw, now);
    facts.license = { major: r.major, validity: r.validity, warnings: r.warnings };
  });
  await part("capabilities", async () => {
    capabilities = await readCapabilities(client);
  });
  return { access: { reachable: true, tls: true, login: true }, facts, capabilities, errors };
}
