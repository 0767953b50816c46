import { actorTransaction } from "@/lib/domain/access/actor-transaction";
import type { Actor, RequestContext } from "@/lib/domain/access/types";
import { recordActorEvent } from "@/lib/domain/events/record-event";
import { fail, ok, type Result } from "@/lib/domain/result";
import { isAgentActor, lockOwnSession, NO_CREDENTIAL } from "./agent-actor";
import { sessionSubjectName } from "./session-view";

/**
 * The agent takes one endpoint of its own open session offline (ngrok's
 * Unbind): the endpoint ends (its hostname or TCP address is free for the next
 * bind) and `agent.endpoint_unbound` is recorded, in one transaction; the
 * session goes on. Only the credential that started the session may; an
 * endpoint already ended, or not of this session, is `not_found`.
 */
export async function unbindEndpoint(actor: Actor, ctx: RequestContext, sessionId: string, endpointId: string, opts: { now?: Date } = {}): Promise<Result<undefined>> {
  if (!isAgentActor(actor)) return NO_CREDENTIAL();
  const now = opts.now ?? new Date();
  return actorTransaction(actor, async (tx): Promise<Result<undefined>> => {
    const session = await lockOwnSession(tx, actor, sessionId);
    if (!session.ok) return session;
    const [ended] = await tx.$queryRaw<{ url: string | null; labels: Record<string, string> }[]>`
      UPDATE tunnel_endpoints SET ended_at = ${now} WHERE id = ${endpointId} AND session_id = ${sessionId} AND ended_at IS NULL
      RETURNING url, labels`;
    if (!ended) return fail("not_found", `No open endpoint ${endpointId.slice(0, 64)} in this session.`);
    await tx.$executeRaw`UPDATE tunnel_sessions SET last_heartbeat_at = ${now} WHERE id = ${sessionId}`;
    await recordActorEvent(tx, actor, ctx, {
      type: "agent.endpoint_unbound",
      subject: { id: session.data.id, name: sessionSubjectName(session.data) },
      data: { endpointId, url: ended.url, labels: ended.labels },
    });
    return ok(undefined);
  });
}
