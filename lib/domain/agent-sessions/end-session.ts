import { actorTransaction } from "@/lib/domain/access/actor-transaction";
import type { Actor, RequestContext } from "@/lib/domain/access/types";
import type { CredentialRefusalReason } from "@/lib/domain/credentials/verify-credential";
import { ok, type Result } from "@/lib/domain/result";
import { isAgentActor, lockOwnSession, NO_CREDENTIAL } from "./agent-actor";
import { endSessionOfRefusedCredential } from "./end-refused-session";
import { endSessions } from "./end-sessions";

/** The refusal a credential check would now give an actor whose standing was lost while it ran. */
const NOW_REFUSED: Partial<Record<string, CredentialRefusalReason>> = { actor_deactivated: "owner_deactivated", actor_deleted: "owner_deleted" };

/**
 * The agent ends its own session (an SSH connection closing, the agent
 * listener's session going away):
 * `agent.session_ended` with reason `agent_closed`, in an actor transaction
 * like every other call of an agent (startSession, bindEndpoint,
 * reportSession). When its owner was deactivated or deleted meanwhile, that is
 * refused like any other write (`actor_deactivated`, `actor_deleted`), and the
 * session ends as the credential check would now end it
 * (`credential_refused`), so it never stays open behind a refusal.
 */
export async function endSession(actor: Actor, ctx: RequestContext, sessionId: string): Promise<Result<undefined>> {
  if (!isAgentActor(actor)) return NO_CREDENTIAL();
  const ended = await actorTransaction(actor, async (tx): Promise<Result<undefined>> => {
    const session = await lockOwnSession(tx, actor, sessionId);
    if (!session.ok) return session;
    await endSessions(tx, [sessionId], "agent_closed", { source: "agent", ip: ctx.ip, userAgent: ctx.userAgent });
    return ok(undefined);
  });
  const refusal = ended.ok ? undefined : NOW_REFUSED[ended.code];
  if (refusal) await endSessionOfRefusedCredential(actor.credential.id, refusal, sessionId, ctx);
  return ended;
}
