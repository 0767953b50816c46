import type { Actor } from "@/lib/domain/access/types";
import { db } from "@/lib/db/client";
import type { KeysetPage, KeysetQuery } from "@/lib/domain/keyset";
import { subscriptionView, subscriptionViewSelect, type SubscriptionView } from "./subscription-view";

/** One subscription of the actor's account; null for unknown ids and other accounts' alike. Callers check mayManageEventStreams. */
export async function getSubscription(actor: Actor, id: string): Promise<SubscriptionView | null> {
  const row = await db().eventSubscription.findFirst({ where: { id, accountId: actor.account.id }, select: subscriptionViewSelect });
  return row && subscriptionView(row);
}

/** The account's subscriptions, newest first, before `beforeId`. */
export async function listSubscriptionsBefore(actor: Actor, query: KeysetQuery): Promise<KeysetPage<SubscriptionView>> {
  const rows = await db().eventSubscription.findMany({
    where: { accountId: actor.account.id, ...(query.beforeId ? { id: { lt: query.beforeId } } : {}) },
    orderBy: { id: "desc" },
    take: query.limit + 1,
    select: subscriptionViewSelect,
  });
  return { rows: rows.slice(0, query.limit).map(subscriptionView), hasMore: rows.length > query.limit };
}
