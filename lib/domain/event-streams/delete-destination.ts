import type { Actor, RequestContext } from "@/lib/domain/access/types";
import { actorTransaction } from "@/lib/domain/access/actor-transaction";
import { recordActorEvent } from "@/lib/domain/events/record-event";
import { mayManageEventStreams, NOT_ADMIN_EVENT_STREAMS } from "@/lib/domain/permissions";
import { fail, fieldErrorsOf, ok, type Result } from "@/lib/domain/result";
import { eventStreamIdSchema } from "@/lib/validation/event-streams";
import { EVENT_DESTINATION_NOT_FOUND } from "./destination-view";

/**
 * Removes a destination: its subscriptions stop naming it and its undelivered
 * messages are dropped with it (ON DELETE CASCADE), so nothing more is sent
 * there. A delivery in flight holds the row's lock, so this waits for it.
 * Owners and admins only; records `event_destination.deleted`.
 */
export async function deleteDestination(actor: Actor, input: unknown, ctx: RequestContext): Promise<Result<{ id: string }>> {
  if (!mayManageEventStreams(actor)) return fail("not_admin", NOT_ADMIN_EVENT_STREAMS);
  const parsed = eventStreamIdSchema.safeParse(input);
  if (!parsed.success) return fail("invalid_input", "Choose a destination.", fieldErrorsOf(parsed.error));
  const { id } = parsed.data;
  return actorTransaction(actor, async (tx) => {
    const [row] = await tx.$queryRaw<{ kind: string; target: object; description: string }[]>`
      DELETE FROM event_destinations WHERE id = ${id} AND account_id = ${actor.account.id}
      RETURNING kind, target, description`;
    if (!row) return fail("not_found", EVENT_DESTINATION_NOT_FOUND);
    await recordActorEvent(tx, actor, ctx, {
      type: "event_destination.deleted",
      subject: { id, name: row.description || row.kind },
      data: { before: { kind: row.kind, target: row.target, description: row.description } },
    });
    return ok({ id });
  });
}
