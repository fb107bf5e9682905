/**
 * The key of the NIC address an SPS node listens on, as a configuration reference must be written
 * (`nicN.interfaces.<id>.addresses.<id>`) [ps: sessionjoin.psm1 `Get-NicRefForIp`, which walks
 * `/api/configuration/network/nics/nic1..nic3`; the reference format: doc, 7.5 REST guide "Change an
 * object"]. Used to enable the cluster interface (`local_services/cluster.listen_address`).
 *
 * Ours, stricter than [ps]: the address must equal the IP before the `/prefix` (safeguard-ps uses a
 * prefix match, under which 10.0.0.1 would also pick 10.0.0.12/24).
 */
import { lookup } from "node:dns/promises";
import { isIpv4 } from "../../../core/next-hop";
import type { RestJsonCalls } from "./rest-json-calls";
import { NicResponseSchema } from "./rest-schemas";

/** The NICs safeguard-ps searches, in its order [ps]. */
export const NIC_NAMES = ["nic1", "nic2", "nic3"] as const;

/** Pure: the reference key of `ip` in one NIC's answer, or undefined. */
export function findNicAddressKey(nic: string, answer: unknown, ip: string): string | undefined {
  const parsed = NicResponseSchema.safeParse(answer);
  if (!parsed.success) return undefined;
  for (const iface of parsed.data.body.interfaces) {
    for (const address of iface.value.addresses) {
      if (address.value.split("/")[0] === ip) return `${nic}.interfaces.${iface.id}.addresses.${address.id}`;
    }
  }
  return undefined;
}

/** `host` as an IPv4 address (resolved when it is a name, as [ps] does with GetHostAddresses). */
export async function ipv4Of(host: string): Promise<string> {
  if (isIpv4(host)) return host;
  return (await lookup(host, { family: 4 })).address;
}

/**
 * The reference key of the NIC address carrying `ip`, searching nic1..nic3 in order [ps]; undefined
 * when no NIC has it (a NIC that does not exist answers an error and is skipped).
 */
export async function nicRefForIp(api: RestJsonCalls, ip: string): Promise<string | undefined> {
  for (const nic of NIC_NAMES) {
    const answer = await api.call("GET", `/api/configuration/network/nics/${nic}`);
    if (answer.status >= 400) continue;
    const key = findNicAddressKey(nic, answer.body, ip);
    if (key) return key;
  }
  return undefined;
}
