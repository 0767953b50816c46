import { recheckSessions } from "@/lib/domain/agent-sessions/recheck-sessions";
import { log } from "@/lib/server/log";
import { ensureControlListener, type ControlNotice } from "./control-listener";

/**
 * A live tunnel session this process carries (an `ssh -R` connection, an
 * agent listener's session), as its carrier gives it to holdSession.
 */
export interface HeldSession {
  /** tunnel_sessions.id */
  sessionId: string;
  /** The credential that started it (tunnel_sessions.credential_id). */
  credentialId: string;
  /** The credential's owner. */
  principalId: string;
  accountId: string;
  /**
   * Ends the session here: the row is already recorded as ended with
   * `reason` (tunnel_sessions.end_reason, e.g. `credential_refused:revoked`,
   * `stopped`); the carrier stops serving its endpoints, tells the agent why
   * and closes the connection. Called at most once, never after release().
   */
  stop(reason: string): Promise<void>;
}

interface Entry extends HeldSession {
  stopping: boolean;
  expiry?: NodeJS.Timeout;
}

/** The longest a timer may wait (setTimeout's limit, about 24.8 days); a later expiry is looked at again then. */
const MAX_TIMER_MS = 2 ** 31 - 1;
const SYSTEM_CTX = { ip: null, userAgent: null };

// One registry per process, also when a bundler loads this module twice (instrumentation and routes, hot reloads).
const HELD = Symbol.for("botdesk.heldSessions");
const held: Map<string, Entry> = ((globalThis as { [HELD]?: Map<string, Entry> })[HELD] ??= new Map());

/**
 * Live control: registers a session this process carries, so that
 * deactivating or deleting its owner, revoking, deleting or expiring its
 * credential, or the stop API ends it at once, whichever instance made the
 * change (the database NOTIFYs on commit; lib/tunnels/control/control-listener.ts
 * listens). The session is checked once on holding (a change that committed
 * between the credential check and now is not missed) and when its credential
 * expires. Returns release(), to call when the session ends for any other
 * reason (the agent went, the server stops).
 *
 * A carrier holds each session right after startSession succeeds, e.g. the
 * agent listener:
 * ```ts
 * const release = holdSession({
 *   sessionId: started.data.id, credentialId: actor.credential.id,
 *   principalId: actor.principal.id, accountId: actor.account.id,
 *   // Unregister its endpoints at once, send the Stop RPC with describeEndReason(reason, "authtoken"), close.
 *   stop: (reason) => session.stopByControl(reason),
 * });
 * // …and release() before ending the session any other way (agent_closed, server_stopped, a refused heartbeat).
 * ```
 */
export function holdSession(session: HeldSession): () => void {
  const entry: Entry = { ...session, stopping: false };
  clearTimeout(held.get(session.sessionId)?.expiry);
  held.set(session.sessionId, entry);
  ensureControlListener({ onNotice: noticed, onReconnected: () => recheck([...held.keys()]) });
  void recheck([session.sessionId]);
  return () => {
    if (held.get(session.sessionId) !== entry) return;
    clearTimeout(entry.expiry);
    held.delete(session.sessionId);
  };
}

/** The ids of the sessions this process holds (for tests and metrics). */
export function heldSessionIds(): string[] {
  return [...held.keys()];
}

/** The held sessions a notification may concern: they are checked against the database. */
function noticed(notices: ControlNotice[]): void {
  const ids = new Set<string>();
  for (const notice of notices) {
    for (const entry of held.values()) {
      const concerned =
        notice.kind === "s" ? entry.sessionId === notice.id : notice.kind === "c" ? entry.credentialId === notice.id : entry.principalId === notice.id;
      if (concerned) ids.add(entry.sessionId);
    }
  }
  if (ids.size > 0) void recheck([...ids]);
}

/** Checks held sessions against the database; those that ended (or end now) are stopped here, the rest wait for their credential's expiry. */
async function recheck(ids: string[]): Promise<void> {
  for (let i = 0; i < ids.length; i += 1_000) {
    let rows;
    try {
      rows = await recheckSessions(ids.slice(i, i + 1_000), SYSTEM_CTX);
    } catch (error) {
      log.warn("agent-control", `checking held tunnel sessions failed: ${error instanceof Error ? error.message : String(error)}`);
      continue;
    }
    for (const row of rows) {
      const entry = held.get(row.id);
      if (!entry || entry.stopping) continue;
      clearTimeout(entry.expiry);
      if (row.endReason !== null) {
        entry.stopping = true;
        held.delete(row.id);
        entry.stop(row.endReason).catch((error: unknown) => log.warn("agent-control", `stopping tunnel session ${row.id} failed: ${error instanceof Error ? error.message : String(error)}`));
      } else if (row.expiresAt) {
        const wait = Math.min(MAX_TIMER_MS, Math.max(0, row.expiresAt.getTime() - Date.now()) + 50);
        entry.expiry = setTimeout(() => void recheck([row.id]), wait);
        entry.expiry.unref();
      }
    }
  }
}
