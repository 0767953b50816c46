import type { Actor, RequestContext } from "@/lib/domain/access/types";
import { actorTransaction } from "@/lib/domain/access/actor-transaction";
import { recordActorEvent } from "@/lib/domain/events/record-event";
import { mayManageEventStreams, NOT_ADMIN_EVENT_STREAMS } from "@/lib/domain/permissions";
import { fail, fieldErrorsOf, ok, type Result } from "@/lib/domain/result";
import { redeliverSchema } from "@/lib/validation/event-streams";
import { EVENT_DESTINATION_NOT_FOUND } from "./destination-view";

/**
 * Queues messages of one destination again: one (`eventId`), or every one
 * since a time (`since`), delivered, given up or still waiting alike. They go
 * out in their original order, before anything newer (the queue is oldest
 * first), with the same `webhook-id`. Owners and admins only; records
 * `event_destination.redelivered` with how many.
 */
export async function redeliver(actor: Actor, input: unknown, ctx: RequestContext): Promise<Result<{ count: number }>> {
  if (!mayManageEventStreams(actor)) return fail("not_admin", NOT_ADMIN_EVENT_STREAMS);
  const parsed = redeliverSchema.safeParse(input);
  if (!parsed.success) return fail("invalid_input", "Choose what to send again.", fieldErrorsOf(parsed.error));
  const { id, eventId, since } = parsed.data;
  return actorTransaction(actor, async (tx) => {
    const [destination] = await tx.$queryRaw<{ kind: string; description: string }[]>`
      SELECT kind, description FROM event_destinations WHERE id = ${id} AND account_id = ${actor.account.id} FOR KEY SHARE`;
    if (!destination) return fail("not_found", EVENT_DESTINATION_NOT_FOUND);
    const count = await tx.$executeRaw`
      UPDATE event_deliveries SET status = 'pending', next_attempt_at = now(), delivered_at = NULL
      WHERE destination_id = ${id}
        AND (${eventId ?? null}::text IS NULL OR event_id = ${eventId ?? null}::text)
        AND (${since ?? null}::timestamptz IS NULL OR created_at >= ${since ?? null}::timestamptz)`;
    if (eventId && count === 0) return fail("not_found", "That message is not in this destination's log.");
    await recordActorEvent(tx, actor, ctx, {
      type: "event_destination.redelivered",
      subject: { id, name: destination.description || destination.kind },
      data: { ...(eventId ? { eventId } : { since: since!.toISOString() }), count },
    });
    return ok({ count });
  });
}
