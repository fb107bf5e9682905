/**
 * Emulated REST sessions: `session_id` cookie (40 hex chars, as in the documented examples), expiring
 * after 20 minutes of inactivity [doc], measured in emulated time. Each session may hold an open
 * configuration transaction with staged changes (applied at commit) [doc §3].
 */
import { randomBytes } from "node:crypto";
import { MINUTE, type Clock } from "../common/clock";
import type { PluginManifest } from "./plugin-archive";
import type { ClusterRole, DiskFillupPrevention } from "./emulated-node";

export const SESSION_IDLE_MS = 20 * MINUTE;

export type StagedChange =
  | { kind: "plugin"; key: string; manifest: PluginManifest }
  | { kind: "delete-plugin"; key: string; type: string }
  | { kind: "disk-fillup"; value: DiskFillupPrevention }
  | { kind: "roles"; nodeId: string; roles: ClusterRole[] }
  /** `PUT /api/configuration/local_services/cluster` [doc §7]; `listenAddress` is the reference key. */
  | { kind: "cluster-interface"; enabled: boolean; listenAddress: string }
  /** `POST /api/cluster/promote` [doc §7: in a transaction, then commit]. */
  | { kind: "promote"; nodeId: string };

export interface EmulatedUser {
  username: string;
  password: string;
  /** "readonly" users get 403 Unauthorized on every write. */
  access: "admin" | "readonly";
}

export interface Session {
  id: string;
  user: EmulatedUser;
  lastSeen: number;
  transaction: { changes: StagedChange[] } | undefined;
}

export class SessionStore {
  private readonly sessions = new Map<string, Session>();

  constructor(
    private readonly clock: Clock,
    public idleMs: number = SESSION_IDLE_MS,
  ) {}

  create(user: EmulatedUser): Session {
    const session: Session = {
      id: randomBytes(20).toString("hex"),
      user,
      lastSeen: this.clock.now(),
      transaction: undefined,
    };
    this.sessions.set(session.id, session);
    return session;
  }

  /** The live session for a cookie value, touched; undefined when unknown or idle-expired. */
  touch(id: string | undefined): Session | undefined {
    if (!id) return undefined;
    const session = this.sessions.get(id);
    if (!session) return undefined;
    const now = this.clock.now();
    if (now - session.lastSeen > this.idleMs) {
      this.sessions.delete(id);
      return undefined;
    }
    session.lastSeen = now;
    return session;
  }

  remainingSeconds(session: Session): number {
    return Math.max(0, Math.floor((session.lastSeen + this.idleMs - this.clock.now()) / 1000));
  }

  /** Fault injection: every session ends now (clients must log in again). */
  expireAll(): number {
    const n = this.sessions.size;
    this.sessions.clear();
    return n;
  }
}
