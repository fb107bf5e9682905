/**
 * The emulated node's network interfaces, `GET /api/configuration/network/nics/nic1..nic3`, in the
 * shape safeguard-ps reads [ps: sessionjoin.psm1 `Get-NicRefForIp`: `body.interfaces` is an ordered
 * map (`"@order"` + id-keyed members), each interface has an ordered map `addresses` of "ip/prefix"
 * strings]. Other fields of a real NIC object (names, VLAN tags, speed …) are [unknown] and left out.
 *
 * nic1 carries two interfaces: "1" with an address that is not the node's (a documentation address,
 * RFC 5737), "2" with the address the node's API listens on — so a client that writes a fixed
 * `nic1.interfaces.1.addresses.1` instead of looking the address up binds the wrong one.
 */
export const NIC_NAMES = ["nic1", "nic2", "nic3"] as const;

export const OTHER_ADDRESS = "192.0.2.10/24";

type OrderedMap<T> = Record<string, T | string[]>;

function ordered<T>(entries: Array<[string, T]>): OrderedMap<T> {
  return { "@order": entries.map(([k]) => k), ...Object.fromEntries(entries) };
}

/** The NIC bodies of a node whose API listens on `ip`. */
export function nicBodies(ip: string): Record<string, { interfaces: OrderedMap<unknown> }> {
  return {
    nic1: {
      interfaces: ordered([
        ["1", { addresses: ordered([["1", OTHER_ADDRESS]]) }],
        ["2", { addresses: ordered([["1", `${ip}/8`]]) }],
      ]),
    },
    nic2: { interfaces: ordered([]) },
    nic3: { interfaces: ordered([]) },
  };
}

/** Every address reference key of the node, e.g. `nic1.interfaces.2.addresses.1`. */
export function addressKeys(ip: string): string[] {
  const keys: string[] = [];
  for (const [nic, body] of Object.entries(nicBodies(ip))) {
    for (const id of body.interfaces["@order"] as string[]) {
      const iface = body.interfaces[id] as { addresses: OrderedMap<string> };
      for (const aid of iface.addresses["@order"] as string[])
        keys.push(`${nic}.interfaces.${id}.addresses.${aid}`);
    }
  }
  return keys;
}

/** A reference as SPS returns it: `{key, meta: {href}}` [doc: 7.5 REST guide "Change an object"; href form: ps comment]. */
export function addressReference(key: string): { key: string; meta: { href: string } } {
  const [nic, , iface, , address] = key.split(".");
  return {
    key,
    meta: { href: `/api/configuration/network/nics/${nic}#interfaces/${iface}/addresses/${address}` },
  };
}
