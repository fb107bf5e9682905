/**
 * One appliance, however its address is written: two declarations that name the same SPS must be
 * recognised as one before anything runs against it (two runs upgrading one node at once would upload,
 * test and call the upgrade twice, and one run's call could hit the node while the other's reboot is
 * under way). The key is the address as the REST client reaches it: scheme and host in lower case
 * (hosts are case-insensitive), the https default port 443 left out, trailing slashes dropped.
 */

/** The comparison key of an appliance address (`https://SPS1.example.net:443/` → `https://sps1.example.net`). */
export function applianceKey(address: string): string {
  let url: URL;
  try {
    url = new URL(address.trim());
  } catch {
    return address.trim().replace(/\/+$/, "").toLowerCase();
  }
  // URL already lower-cases scheme and host and drops the scheme's default port (443 for https).
  const port = url.port === "" ? "" : `:${url.port}`;
  const path = url.pathname.replace(/\/+$/, "");
  return `${url.protocol}//${url.hostname}${port}${path}`;
}

/** Whether a URL carries a login (`https://user:password@host`). */
export function hasCredentials(u: string): boolean {
  try {
    const url = new URL(u);
    return url.username !== "" || url.password !== "";
  } catch {
    return /^[a-z]+:\/\/[^/]*@/i.test(u);
  }
}
