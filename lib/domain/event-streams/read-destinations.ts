import type { Actor } from "@/lib/domain/access/types";
import { db, queryHot } from "@/lib/db/client";
import { Prisma } from "@/lib/db/generated/client";
import type { KeysetPage, KeysetQuery } from "@/lib/domain/keyset";
import { destinationView, destinationViewSelect, type DestinationView } from "./destination-view";

// Reads are for owners and admins too (a destination's URL says where the
// account's audit trail goes); callers check mayManageEventStreams first.

/** One destination of the actor's account; null for unknown ids and other accounts' alike. */
export async function getDestination(actor: Actor, id: string): Promise<DestinationView | null> {
  const row = await db().eventDestination.findFirst({ where: { id, accountId: actor.account.id }, select: destinationViewSelect });
  return row && destinationView(row);
}

/** The account's destinations, newest first, before `beforeId` (the API's keyset paging). */
export async function listDestinationsBefore(actor: Actor, query: KeysetQuery): Promise<KeysetPage<DestinationView>> {
  const rows = await db().eventDestination.findMany({
    where: { accountId: actor.account.id, ...(query.beforeId ? { id: { lt: query.beforeId } } : {}) },
    orderBy: { id: "desc" },
    take: query.limit + 1,
    select: destinationViewSelect,
  });
  return { rows: rows.slice(0, query.limit).map(destinationView), hasMore: rows.length > query.limit };
}

/** How many of the account's destinations are failing (the admins' banner on every dashboard page: one indexed count, straight to pg). */
export async function countFailingDestinations(actor: Actor): Promise<number> {
  const [row] = await queryHot<{ failing: number }>(Prisma.sql`/* prepared */
    SELECT count(*)::int AS failing FROM event_destinations WHERE account_id = ${actor.account.id} AND failing_since IS NOT NULL`);
  return row?.failing ?? 0;
}
