import type { Actor } from "@/lib/domain/access/types";
import { fail, fieldErrorsOf, ok, type Result } from "@/lib/domain/result";
import { recordUsage } from "@/lib/domain/usage/record-usage";
import { trafficReportSchema } from "@/lib/validation/agent-sessions";
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
 * A heartbeat, with the traffic since the last report (zeros for a plain
 * heartbeat): keeps the actor's open session alive, adds the traffic to the
 * session's totals and to its owner's usage of the day, in one transaction.
 * No event: heartbeats and reports are metered, not audited.
 */
export async function reportSession(actor: Actor, sessionId: string, input: unknown = {}, opts: { now?: Date } = {}): Promise<Result<SessionTotals>> {
  if (!isAgentActor(actor)) return NO_CREDENTIAL();
  const parsed = trafficReportSchema.safeParse(input);
  if (!parsed.success) return fail("invalid_input", "Check the traffic report's fields.", fieldErrorsOf(parsed.error));
  const { bytes_in: bytesIn, bytes_out: bytesOut, requests } = parsed.data;
  const now = opts.now ?? new Date();
  return actorTransaction(actor, async (tx): Promise<Result<SessionTotals>> => {
    const session = await lockOwnSession(tx, actor, sessionId);
    if (!session.ok) return session;
    const [row] = await tx.$queryRaw<{ bytes_in: bigint; bytes_out: bigint; requests: bigint }[]>`
      UPDATE tunnel_sessions
      SET last_heartbeat_at = ${now}, bytes_in = saturating_add(bytes_in, ${bytesIn}::bigint), bytes_out = saturating_add(bytes_out, ${bytesOut}::bigint), requests = saturating_add(requests, ${requests}::bigint)
      WHERE id = ${sessionId}
      RETURNING bytes_in, bytes_out, requests`;
    if (bytesIn || bytesOut || requests) {
      await recordUsage(tx, { accountId: actor.account.id, principalId: actor.principal.id, day: now, bytesIn, bytesOut, tunnelRequests: requests });
    }
    return ok({ id: sessionId, lastHeartbeatAt: now, bytesIn: Number(row!.bytes_in), bytesOut: Number(row!.bytes_out), requests: Number(row!.requests) });
  });
}
