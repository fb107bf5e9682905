/**
 * HA next-hop monitoring (rule H4, seed sps-ha-next-hop-and-upgrade-checklist.txt).
 * Per interface, one IPv4 next-hop address for "this node" and one for "other node", each on the
 * interface's own segment (directly pingable). A change takes effect only after both nodes restart.
 * Takeover is forced when the secondary reaches more monitored addresses than the primary,
 * unless the secondary is not fully synced.
 */
import { FieldProblem } from "./validation";

export interface NextHopTarget {
  /** Interface name as SPS shows it (e.g. "external", "management", or "nic1"). */
  readonly interface: string;
  readonly thisNode: string;
  readonly otherNode: string;
}

export interface InterfaceAddress {
  readonly interface: string;
  /** IPv4 CIDR of the interface, e.g. "10.0.1.5/24". */
  readonly cidr: string;
}

const IPV4 = /^(25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)(\.(25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)){3}$/;

export function isIpv4(text: string): boolean {
  return IPV4.test(text);
}

function toInt(ip: string): number {
  return ip.split(".").reduce((acc, part) => acc * 256 + Number(part), 0);
}

/** Is `ip` inside the subnet of `cidr` (an interface address with its prefix)? */
export function inSubnet(ip: string, cidr: string): boolean {
  const [addr, prefixText] = cidr.split("/");
  const prefix = Number(prefixText);
  if (!addr || !isIpv4(addr) || !Number.isInteger(prefix) || prefix < 0 || prefix > 32) return false;
  const mask = prefix === 0 ? 0 : (0xffffffff << (32 - prefix)) >>> 0;
  return (toInt(ip) & mask) >>> 0 === (toInt(addr) & mask) >>> 0;
}

/** Rule H4: validate the declared next-hop targets; problems name the field and the fix. */
export function validateNextHops(
  targets: readonly NextHopTarget[],
  interfaces: readonly InterfaceAddress[] = [],
): FieldProblem[] {
  const problems: FieldProblem[] = [];
  const seen = new Map<string, number>();
  targets.forEach((t, i) => {
    const first = seen.get(t.interface);
    if (first !== undefined) {
      problems.push({
        property: `targets[${i}].interface`,
        reason: `interface "${t.interface}" already has next-hop targets at targets[${first}]; one address per interface and node`,
      });
    } else seen.set(t.interface, i);
    const iface = interfaces.find((x) => x.interface === t.interface);
    for (const key of ["thisNode", "otherNode"] as const) {
      const ip = t[key];
      if (!isIpv4(ip)) {
        problems.push({
          property: `targets[${i}].${key}`,
          reason: `"${ip}" is not an IPv4 address; next-hop monitoring pings IPv4 addresses only`,
        });
      } else if (iface && !inSubnet(ip, iface.cidr)) {
        problems.push({
          property: `targets[${i}].${key}`,
          reason: `${ip} is not on interface ${t.interface}'s segment (${iface.cidr}); the node must reach it directly — pick an address in that subnet or give the next-hop device one`,
        });
      }
    }
  });
  return problems;
}

export type TakeoverDecision = "takeover" | "no-takeover" | "refused-not-synced";

/** Rule H4: does next-hop monitoring force a takeover? */
export function takeoverDecision(s: {
  readonly primaryReachable: number;
  readonly secondaryReachable: number;
  readonly secondarySynced: boolean;
}): TakeoverDecision {
  if (s.secondaryReachable <= s.primaryReachable) return "no-takeover";
  return s.secondarySynced ? "takeover" : "refused-not-synced";
}

/**
 * Rule H4: how a change is made effective — [doc] HA next-hop monitoring text: "For the changes to
 * take effect, you have to restart both nodes. To restart both nodes, click Reboot Cluster." One
 * "Reboot Cluster" (system-control operation `rebootCluster`), then wait until both nodes are back,
 * the other node synced and the change in effect. No individual restarts: rebooting the primary while
 * the secondary runs forces a takeover, which the document does not ask for.
 */
export const NEXT_HOP_RESTART = {
  operation: "rebootCluster",
  webInterface: "Basic Settings > High Availability: Reboot Cluster",
} as const;
