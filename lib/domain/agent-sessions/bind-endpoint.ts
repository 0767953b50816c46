import type { Actor, RequestContext } from "@/lib/domain/access/types";
import type { Prisma } from "@/lib/db/generated/client";
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
import { consumeRateLimit } from "@/lib/domain/access/rate-limit";
import { REFUSALS_RECORDED_PER_MINUTE } from "@/lib/domain/access/authenticate-credential";

/** What `agent.bind_refused` records: the session, and what was asked and why it was refused. */
type Refusal = { subject: { id: string; name: string }; data: Prisma.InputJsonObject };

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
 * one transaction. Refused by the ACL (`bind_refused` for a hostname,
 * `label_refused` for a label): that transaction binds
 * nothing and rolls back, and `agent.bind_refused` is then recorded in one of
 * its own (a refusal is worth an event; a refused body commits nothing), at
 * most REFUSALS_RECORDED_PER_MINUTE a minute per credential, as credential
 * refusals are: an agent retrying a refused bind must not flood the activity.
 * A hostname must also pass mayBindHostname (reserved by the account, not
 * online elsewhere; refused with its codes, its event recorded the same way);
 * `assignedHostname` says the server handed the hostname out itself
 * (randomTunnelHostname), so it needs no reservation.
 */
export async function bindEndpoint(actor: Actor, ctx: RequestContext, sessionId: string, input: unknown, opts: { now?: Date; assignedHostname?: boolean } = {}): Promise<Result<BoundEndpoint>> {
  if (!isAgentActor(actor)) return NO_CREDENTIAL();
  const parsed = bindEndpointSchema.safeParse(input);
  if (!parsed.success) return fail("invalid_input", "Check the endpoint's fields.", fieldErrorsOf(parsed.error));
  const target = parsed.data;
  const now = opts.now ?? new Date();
  // A refusal worth its event (agent.bind_refused): set by the attempt that refused, recorded after it rolled back.
  let refused: Refusal | null = null;
  const bound = await actorTransaction(actor, async (tx): Promise<Result<BoundEndpoint>> => {
    refused = null;
    const session = await lockOwnSession(tx, actor, sessionId);
    if (!session.ok) return session;
    const subject = { id: session.data.id, name: sessionSubjectName(session.data) };
    const [credential] = await tx.$queryRaw<{ acl: string[] }[]>`SELECT acl FROM credentials WHERE id = ${actor.credential.id}`;
    const acl = credential?.acl ?? [];
    const decision = aclAllowsBind(acl, { hostname: target.hostname, labels: target.labels });
    if (!decision.allowed) {
      refused = { subject, data: { url: target.url, labels: target.labels, acl, why: decision.why } };
      return fail(decision.refused === "label" ? "label_refused" : "bind_refused", `The credential ACL policy does not permit this bind: ${decision.why}.`);
    }
    if (target.hostname !== null) {
      const may = await mayBindHostname(tx, actor.account.id, target.hostname, { assigned: opts.assignedHostname, url: target.url });
      if (!may.ok) {
        refused = { subject, data: { url: target.url, labels: target.labels, acl, why: may.message, reason: may.code } };
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
  const refusal = refused as Refusal | null;
  if (!bound.ok && refusal && !(await consumeRateLimit(`bind-refused:${actor.credential.id}`, REFUSALS_RECORDED_PER_MINUTE, 60)).limited) {
    // Its own actor transaction: an owner deactivated meanwhile gets no event (and the same refusal).
    await actorTransaction(actor, async (tx) => {
      await recordActorEvent(tx, actor, ctx, { type: "agent.bind_refused", subject: refusal.subject, data: refusal.data });
      return ok(undefined);
    });
  }
  return bound;
}
