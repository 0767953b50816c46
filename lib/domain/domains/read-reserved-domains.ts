import type { Actor } from "@/lib/domain/access/types";
import { db } from "@/lib/db/client";
import type { KeysetPage, KeysetQuery } from "@/lib/domain/keyset";
import { pageWindow, type Page } from "@/lib/domain/paging";
import { reservedDomainViewSelect, type ReservedDomainView } from "./reserved-domain-view";

// Everyone in the account reads its reservations (people of any role, and bots,
// which act as members): they say which hostnames the account's agents may bind.

/** One reservation of the actor's account; null for unknown ids and other accounts' alike. */
export async function getReservedDomain(actor: Actor, id: string): Promise<ReservedDomainView | null> {
  return db().reservedDomain.findFirst({ where: { id, accountId: actor.account.id }, select: reservedDomainViewSelect });
}

/** The account's reservations, newest first, after `beforeId` (the API's keyset paging; ids sort by creation time). */
export async function listReservedDomainsBefore(actor: Actor, query: KeysetQuery): Promise<KeysetPage<ReservedDomainView>> {
  const rows = await db().reservedDomain.findMany({
    where: { accountId: actor.account.id, ...(query.beforeId ? { id: { lt: query.beforeId } } : {}) },
    orderBy: { id: "desc" },
    take: query.limit + 1,
    select: reservedDomainViewSelect,
  });
  return { rows: rows.slice(0, query.limit), hasMore: rows.length > query.limit };
}

/** One page of the account's reservations for the Settings page, newest first, with the total. */
export async function listReservedDomainsPage(actor: Actor, query: { page: number; size: number }): Promise<Page<ReservedDomainView>> {
  const where = { accountId: actor.account.id };
  const total = await db().reservedDomain.count({ where });
  const { page, pageCount, skip } = pageWindow(total, query.page, query.size);
  const rows = await db().reservedDomain.findMany({ where, orderBy: { id: "desc" }, skip, take: query.size, select: reservedDomainViewSelect });
  return { rows, total, page, size: query.size, pageCount };
}

/** How many domains the account has reserved (the Settings page's summary). */
export function countReservedDomains(actor: Actor): Promise<number> {
  return db().reservedDomain.count({ where: { accountId: actor.account.id } });
}
