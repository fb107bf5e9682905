/**
 * One appliance, however its address is written (why it matters: sdk/appliance-claims.ts). The key is the
 * address as the REST client reaches it: scheme and host in lower case (hosts are case-insensitive), the
 * https default port 443 left out, trailing slashes dropped.
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
  return `${url.protocol}//${url.host}${url.pathname.replace(/\/+$/, "")}`;
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
