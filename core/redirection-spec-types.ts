/**
 * The declared traffic redirection of one Linux router as plain types without zod (./same-type.ts says why);
 * ./redirection-spec.ts holds the schema, which describes the fields.
 */

/** A port (`3389`) or a range (`"5900-5910"`). */
export type RedirectionPort = number | string;

/** Which client connections are marked: the router interface facing the clients, networks and ports. */
export interface ClientSelector {
  interface: string;
  sourceCidr?: string | undefined;
  destinationCidr?: string | undefined;
  ports: RedirectionPort[];
}

/** Which servers' answers are marked (IP spoofing). */
export interface ServerSelector {
  interface: string;
  sourceCidr: string;
  ports: RedirectionPort[];
}

/** The redirection as declared; fields with a default may be left out. */
export interface TrafficRedirectionSpecInput {
  /** Tag in every iptables rule's comment (`pulumi-sps:<name>`); default "sps-redirect". */
  name?: string | undefined;
  /** SPS's address on the segment facing the router, and the router's interface facing SPS. */
  sps: { address: string; interface: string };
  clientSide: ClientSelector[];
  /** SPS uses the client's address towards the servers: their answers are marked too. */
  ipSpoofing?: { serverSide: ServerSelector[] } | undefined;
  /** Connection and packet mark; default 1. */
  mark?: number | undefined;
  /** The routing table; default `{ id: 103, name: "scb" }`. */
  table?: { id?: number | undefined; name?: string | undefined } | undefined;
  /** `ip rule` priority; the kernel picks one when absent. */
  rulePriority?: number | undefined;
  /** Where the routing table's name is registered; default /etc/iproute2/rt_tables. */
  rtTablesPath?: string | undefined;
  /** Commands on the router; default iptables and ip. */
  iptablesCommand?: string | undefined;
  ipCommand?: string | undefined;
}

/** The validated redirection: the defaults filled in. */
export interface TrafficRedirectionSpec {
  name: string;
  sps: { address: string; interface: string };
  clientSide: ClientSelector[];
  ipSpoofing?: { serverSide: ServerSelector[] } | undefined;
  mark: number;
  table: { id: number; name: string };
  rulePriority?: number | undefined;
  rtTablesPath: string;
  iptablesCommand: string;
  ipCommand: string;
}
