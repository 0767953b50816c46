import type { Actor, RequestContext } from "@/lib/domain/access/types";
import { actorTransaction } from "@/lib/domain/access/actor-transaction";
import { recordActorEvent } from "@/lib/domain/events/record-event";
import { mayManageEventStreams, NOT_ADMIN_EVENT_STREAMS } from "@/lib/domain/permissions";
import { fail, fieldErrorsOf, ok, type Result } from "@/lib/domain/result";
import type { Prisma } from "@/lib/db/generated/client";
import { newId } from "@/lib/ids";
import { createSubscriptionSchema, eventStreamIdSchema, updateSubscriptionSchema } from "@/lib/validation/event-streams";
import { EVENT_SUBSCRIPTION_NOT_FOUND } from "./destination-view";
import { subscriptionView, subscriptionViewSelect, type SubscriptionView } from "./subscription-view";

type Tx = Prisma.TransactionClient;

/** The refusal when some of `ids` are not destinations of the account (other accounts' ids alike), or null. Locks them against a removal meanwhile. */
async function unknownDestinations(tx: Tx, accountId: string, ids: string[]): Promise<Result<never> | null> {
  if (ids.length === 0) return null;
  const found = await tx.$queryRaw<{ id: string }[]>`
    SELECT id FROM event_destinations WHERE account_id = ${accountId} AND id = ANY(${ids}::text[]) FOR KEY SHARE`;
  const missing = ids.filter((id) => !found.some((f) => f.id === id));
  if (missing.length === 0) return null;
  const message = `No such event destination: ${missing.join(", ")}`;
  return fail("not_found", message, { destinationIds: message });
}

/**
 * Adds a subscription: events of its `sources` types go to each of its
 * destinations (of the same account), from the next event recorded on.
 * Owners and admins only; records `event_subscription.created`.
 */
export async function createSubscription(actor: Actor, input: unknown, ctx: RequestContext): Promise<Result<SubscriptionView>> {
  if (!mayManageEventStreams(actor)) return fail("not_admin", NOT_ADMIN_EVENT_STREAMS);
  const parsed = createSubscriptionSchema.safeParse(input);
  if (!parsed.success) return fail("invalid_input", "Check the subscription's fields.", fieldErrorsOf(parsed.error));
  const { description, metadata, sources, destination_ids: destinationIds } = parsed.data;
  const accountId = actor.account.id;
  return actorTransaction(actor, async (tx) => {
    const unknown = await unknownDestinations(tx, accountId, destinationIds);
    if (unknown) return unknown;
    const id = newId("eventSubscription");
    const row = await tx.eventSubscription.create({
      data: { id, accountId, description, metadata, sources, destinations: { create: destinationIds.map((destinationId) => ({ destinationId, accountId })) } },
      select: subscriptionViewSelect,
    });
    await recordActorEvent(tx, actor, ctx, {
      type: "event_subscription.created",
      subject: { id, name: description || id },
      data: { after: { sources, destinationIds, description, metadata } },
    });
    return ok(subscriptionView(row));
  });
}

/**
 * Changes a subscription's description, metadata, sources or destinations
 * (absent fields stay; given lists replace). ngrok's sources sub-resource
 * calls this with the list changed by one. Owners and admins only; records
 * `event_subscription.updated` with the fields changed.
 */
export async function updateSubscription(actor: Actor, input: unknown, ctx: RequestContext): Promise<Result<SubscriptionView>> {
  if (!mayManageEventStreams(actor)) return fail("not_admin", NOT_ADMIN_EVENT_STREAMS);
  const parsed = updateSubscriptionSchema.safeParse(input);
  if (!parsed.success) return fail("invalid_input", "Check the subscription's fields.", fieldErrorsOf(parsed.error));
  const { id, description, metadata, sources, destination_ids: destinationIds } = parsed.data;
  const accountId = actor.account.id;
  return actorTransaction(actor, async (tx) => {
    const [locked] = await tx.$queryRaw<{ id: string }[]>`SELECT id FROM event_subscriptions WHERE id = ${id} AND account_id = ${accountId} FOR UPDATE`;
    if (!locked) return fail("not_found", EVENT_SUBSCRIPTION_NOT_FOUND);
    const before = subscriptionView((await tx.eventSubscription.findUnique({ where: { id }, select: subscriptionViewSelect }))!);
    const was: Record<string, Prisma.InputJsonValue> = {};
    const now: Record<string, Prisma.InputJsonValue> = {};
    const data: Prisma.EventSubscriptionUpdateInput = {};
    if (description !== undefined && description !== before.description) [data.description, was.description, now.description] = [description, before.description, description];
    if (metadata !== undefined && metadata !== before.metadata) [data.metadata, was.metadata, now.metadata] = [metadata, before.metadata, metadata];
    if (sources && sources.join() !== before.sources.join()) [data.sources, was.sources, now.sources] = [sources, before.sources, sources];
    if (destinationIds && [...destinationIds].sort().join() !== before.destinationIds.join()) {
      const unknown = await unknownDestinations(tx, accountId, destinationIds);
      if (unknown) return unknown;
      await tx.eventSubscriptionDestination.deleteMany({ where: { subscriptionId: id } });
      await tx.eventSubscriptionDestination.createMany({ data: destinationIds.map((destinationId) => ({ subscriptionId: id, destinationId, accountId })) });
      [was.destinationIds, now.destinationIds] = [before.destinationIds, destinationIds];
    }
    if (Object.keys(now).length === 0) return ok(before);
    const row = await tx.eventSubscription.update({ where: { id }, data, select: subscriptionViewSelect });
    await recordActorEvent(tx, actor, ctx, { type: "event_subscription.updated", subject: { id, name: row.description || id }, data: { before: was, after: now } });
    return ok(subscriptionView(row));
  });
}

/** Removes a subscription: its events stop being queued (messages already queued are still sent). Owners and admins only; records `event_subscription.deleted`. */
export async function deleteSubscription(actor: Actor, input: unknown, ctx: RequestContext): Promise<Result<{ id: string }>> {
  if (!mayManageEventStreams(actor)) return fail("not_admin", NOT_ADMIN_EVENT_STREAMS);
  const parsed = eventStreamIdSchema.safeParse(input);
  if (!parsed.success) return fail("invalid_input", "Choose a subscription.", fieldErrorsOf(parsed.error));
  const { id } = parsed.data;
  return actorTransaction(actor, async (tx) => {
    const found = await tx.eventSubscription.findFirst({ where: { id, accountId: actor.account.id }, select: subscriptionViewSelect });
    if (!found) return fail("not_found", EVENT_SUBSCRIPTION_NOT_FOUND);
    const before = subscriptionView(found);
    const deleted = await tx.eventSubscription.deleteMany({ where: { id, accountId: actor.account.id } });
    if (deleted.count === 0) return fail("not_found", EVENT_SUBSCRIPTION_NOT_FOUND);
    await recordActorEvent(tx, actor, ctx, {
      type: "event_subscription.deleted",
      subject: { id, name: before.description || id },
      data: { before: { sources: before.sources, destinationIds: before.destinationIds, description: before.description } },
    });
    return ok({ id });
  });
}
