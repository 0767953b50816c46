import type { Actor, RequestContext } from "@/lib/domain/access/types";
import { recordActorEvent } from "@/lib/domain/events/record-event";
import { fail, fieldErrorsOf, ok, type Result } from "@/lib/domain/result";
import { recordUsage } from "@/lib/domain/usage/record-usage";
import { newId } from "@/lib/ids";
import { bindEndpointSchema } from "@/lib/validation/agent-sessions";
import { aclAllowsBind } from "./acl";
import { isAgentActor, lockOwnSession, NO_CREDENTIAL } from "./agent-actor";
import { sessionSubjectName } from "./session-view";
import { actorTransaction } from "@/lib/domain/access/actor-transaction";
import { mayBindHostname } from "@/lib/domain/domains/may-bind-hostname";

export interface BoundEndpoint {
  id: string;
  sessionId: string;
  url: string | null;
  hostname: string | null;
  labels: Record<string, string>;
  createdAt: Date;
}

/**
 * Binds an endpoint (a URL or hostname, and/or labels) in the actor's open
 * session, if the ACL of the credential that started it allows (acl.ts; the
 * ACL is read in the same transaction, so an edit applies from the next bind).
 * Allowed: the endpoint, one endpoint of usage and `agent.endpoint_bound`, in
 * one transaction. Refused (`bind_refused`): nothing is bound and
 * `agent.bind_refused` is recorded (it is committed although the bind is not).
 * A hostname must also pass mayBindHostname (reserved by the account, not
 * online elsewhere; refused with its codes, recorded the same way);
 * `assignedHostname` says the server handed the hostname out itself
 * (randomTunnelHostname), so it needs no reservation.
 */
export async function bindEndpoint(actor: Actor, ctx: RequestContext, sessionId: string, input: unknown, opts: { now?: Date; assignedHostname?: boolean } = {}): Promise<Result<BoundEndpoint>> {
  if (!isAgentActor(actor)) return NO_CREDENTIAL();
  const parsed = bindEndpointSchema.safeParse(input);
  if (!parsed.success) return fail("invalid_input", "Check the endpoint's fields.", fieldErrorsOf(parsed.error));
  const target = parsed.data;
  const now = opts.now ?? new Date();
  return actorTransaction(actor, async (tx): Promise<Result<BoundEndpoint>> => {
    const session = await lockOwnSession(tx, actor, sessionId);
    if (!session.ok) return session;
    const subject = { id: session.data.id, name: sessionSubjectName(session.data) };
    const [credential] = await tx.$queryRaw<{ acl: string[] }[]>`SELECT acl FROM credentials WHERE id = ${actor.credential.id}`;
    const decision = aclAllowsBind(credential?.acl ?? [], { hostname: target.hostname, labels: target.labels });
    if (!decision.allowed) {
      await recordActorEvent(tx, actor, ctx, {
        type: "agent.bind_refused",
        subject,
        data: { url: target.url, labels: target.labels, acl: credential?.acl ?? [], why: decision.why },
      });
      return fail("bind_refused", `The credential ACL policy does not permit this bind: ${decision.why}.`);
    }
    if (target.hostname !== null) {
      const may = await mayBindHostname(tx, actor.account.id, target.hostname, { assigned: opts.assignedHostname, url: target.url });
      if (!may.ok) {
        await recordActorEvent(tx, actor, ctx, {
          type: "agent.bind_refused",
          subject,
          data: { url: target.url, labels: target.labels, acl: credential?.acl ?? [], why: may.message, reason: may.code },
        });
        return fail(may.code, may.message);
      }
    }
    const id = newId("endpoint", now.getTime());
    await tx.tunnelEndpoint.create({
      data: { id, sessionId, accountId: actor.account.id, principalId: actor.principal.id, url: target.url, hostname: target.hostname, labels: target.labels, createdAt: now },
    });
    await tx.$executeRaw`UPDATE tunnel_sessions SET last_heartbeat_at = ${now} WHERE id = ${sessionId}`;
    await recordUsage(tx, { accountId: actor.account.id, principalId: actor.principal.id, day: now, endpoints: 1 });
    await recordActorEvent(tx, actor, ctx, { type: "agent.endpoint_bound", subject, data: { endpointId: id, url: target.url, labels: target.labels } });
    return ok({ id, sessionId, url: target.url, hostname: target.hostname, labels: target.labels, createdAt: now });
  });
}
