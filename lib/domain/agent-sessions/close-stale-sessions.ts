import { db } from "@/lib/db/client";
import { endSessions } from "./end-sessions";
import { SESSION_TIMEOUT_SECONDS } from "./limits";

const BATCH = 500;

/**
 * The heartbeat sweep: ends every open session whose last heartbeat is older
 * than SESSION_TIMEOUT_SECONDS (`agent.session_ended`, reason
 * `heartbeat_timeout`, source system), in batches, each in its own
 * transaction. Safe on several instances at once: rows another instance is
 * ending are skipped (SKIP LOCKED), and a session is ended only while open.
 * Returns how many it ended.
 */
export async function closeStaleSessions(opts: { now?: Date; timeoutSeconds?: number } = {}): Promise<number> {
  const now = opts.now ?? new Date();
  const before = new Date(now.getTime() - (opts.timeoutSeconds ?? SESSION_TIMEOUT_SECONDS) * 1000);
  let total = 0;
  for (;;) {
    const ended = await db().$transaction(async (tx) => {
      const rows = await tx.$queryRaw<{ id: string }[]>`
        SELECT id FROM tunnel_sessions
        WHERE ended_at IS NULL AND last_heartbeat_at < ${before}
        ORDER BY last_heartbeat_at
        LIMIT ${BATCH}
        FOR UPDATE SKIP LOCKED`;
      return endSessions(tx, rows.map((r) => r.id), "heartbeat_timeout", { source: "system", now });
    });
    total += ended.length;
    if (ended.length < BATCH) return total;
  }
}
