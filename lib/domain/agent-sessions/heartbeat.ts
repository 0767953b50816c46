import type { Actor } from "@/lib/domain/access/types";
import { ok, type Result } from "@/lib/domain/result";
import { isAgentActor, lockOwnSession, NO_CREDENTIAL } from "./agent-actor";
import { actorTransaction } from "@/lib/domain/access/actor-transaction";

export interface SessionTotals {
  id: string;
  lastHeartbeatAt: Date;
  bytesIn: number;
  bytesOut: number;
  requests: number;
}

/**
 * A heartbeat: keeps the actor's open session alive (the heartbeat sweep,
 * closeStaleSessions, ends sessions whose instance stopped beating them) and
 * answers the session's totals. Called on every credential re-check by the
 * agent listener and the SSH server. What a session carried is written by the
 * traffic meter (recordCarriedTraffic), never reported by the agent. No event:
 * heartbeats are not audited.
 */
export async function reportSession(actor: Actor, sessionId: string, opts: { now?: Date } = {}): Promise<Result<SessionTotals>> {
  if (!isAgentActor(actor)) return NO_CREDENTIAL();
  const now = opts.now ?? new Date();
  return actorTransaction(actor, async (tx): Promise<Result<SessionTotals>> => {
    const session = await lockOwnSession(tx, actor, sessionId);
    if (!session.ok) return session;
    const [row] = await tx.$queryRaw<{ bytes_in: bigint; bytes_out: bigint; requests: bigint }[]>`
      UPDATE tunnel_sessions SET last_heartbeat_at = ${now}
      WHERE id = ${sessionId}
      RETURNING bytes_in, bytes_out, requests`;
    return ok({ id: sessionId, lastHeartbeatAt: now, bytesIn: Number(row!.bytes_in), bytesOut: Number(row!.bytes_out), requests: Number(row!.requests) });
  });
}
