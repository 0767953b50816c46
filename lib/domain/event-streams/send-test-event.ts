import type { Actor, RequestContext } from "@/lib/domain/access/types";
import { actorTransaction } from "@/lib/domain/access/actor-transaction";
import { recordActorEvent, streamEnvelope } from "@/lib/domain/events/record-event";
import { mayManageEventStreams, NOT_ADMIN_EVENT_STREAMS } from "@/lib/domain/permissions";
import { fail, fieldErrorsOf, ok, type Result } from "@/lib/domain/result";
import { eventStreamIdSchema } from "@/lib/validation/event-streams";
import { EVENT_DESTINATION_NOT_FOUND } from "./destination-view";
import { streamTypeOf } from "./stream-types";

/**
 * Queues a test message to one destination, whatever its subscriptions: an
 * `event_destination.tested` event, recorded, and its message put in this
 * destination's queue in the same transaction (after anything queued before
 * it). Owners and admins only.
 */
export async function sendTestEvent(actor: Actor, input: unknown, ctx: RequestContext): Promise<Result<{ eventId: string }>> {
  if (!mayManageEventStreams(actor)) return fail("not_admin", NOT_ADMIN_EVENT_STREAMS);
  const parsed = eventStreamIdSchema.safeParse(input);
  if (!parsed.success) return fail("invalid_input", "Choose a destination.", fieldErrorsOf(parsed.error));
  const { id } = parsed.data;
  return actorTransaction(actor, async (tx) => {
    const [destination] = await tx.$queryRaw<{ kind: string; description: string }[]>`
      SELECT kind, description FROM event_destinations WHERE id = ${id} AND account_id = ${actor.account.id} FOR KEY SHARE`;
    if (!destination) return fail("not_found", EVENT_DESTINATION_NOT_FOUND);
    const subject = { id, name: destination.description || destination.kind };
    const at = new Date();
    const eventId = await recordActorEvent(tx, actor, ctx, { type: "event_destination.tested", subject, data: { test: true } });
    const envelope = streamEnvelope(eventId, streamTypeOf("event_destination.tested", undefined), at, null, {
      accountId: actor.account.id,
      type: "event_destination.tested",
      principalId: actor.principal.id,
      source: actor.source,
      subject,
      credential: actor.credential,
      ip: ctx.ip,
      data: { test: true },
    }, actor.principal.name);
    // Subscribed to this type too: the outbox already queued it.
    await tx.$executeRaw`
      INSERT INTO event_deliveries (destination_id, event_id, event_type, payload, created_at, next_attempt_at)
      VALUES (${id}, ${eventId}, ${envelope.event_type}, ${JSON.stringify(envelope)}::jsonb, ${at}, ${at})
      ON CONFLICT DO NOTHING`;
    return ok({ eventId });
  });
}
