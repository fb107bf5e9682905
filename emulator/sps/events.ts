/**
 * The emulator's record of every call and action per node. Later tests check the record against
 * the rules (e.g. "no second reboot for the same hop", H2 ordering), so entries are plain data.
 */
export type EmulatorEventKind = "http" | "action" | "state" | "fault";

export interface EmulatorEvent {
  seq: number;
  /** Emulated time (ms since epoch). */
  at: number;
  /** Fleet node name (an HA pair is one node). */
  node: string;
  kind: EmulatorEventKind;
  /** For http: "GET /api/firmware/slots"; for actions: e.g. "reboot", "shutdown-secondary". */
  name: string;
  /** HTTP status for http events. */
  status?: number;
  /** Physical unit for unit-level events ("a" / "b"). */
  unit?: string;
  detail?: Record<string, unknown>;
}

export class EventLog {
  private readonly events: EmulatorEvent[] = [];
  private seq = 0;

  record(event: Omit<EmulatorEvent, "seq">): EmulatorEvent {
    const full = { seq: ++this.seq, ...event };
    this.events.push(full);
    return full;
  }

  list(filter?: { node?: string; kind?: EmulatorEventKind; name?: string }): EmulatorEvent[] {
    return this.events.filter(
      (e) =>
        (filter?.node === undefined || e.node === filter.node) &&
        (filter?.kind === undefined || e.kind === filter.kind) &&
        (filter?.name === undefined || e.name === filter.name),
    );
  }
}
