import type { Actor } from "@/lib/domain/access/types";
import { db } from "@/lib/db/client";
import type { Prisma } from "@/lib/db/generated/client";
import { pageWindow, type Page } from "@/lib/domain/paging";
import { canManage, mayViewCredentialsOf, mayViewIpOf, NOT_ADMIN_CREDENTIAL_LIST } from "@/lib/domain/permissions";
import { activeInAccountWhere } from "@/lib/domain/principals/active-in-account";
import { fail, ok, type Result } from "@/lib/domain/result";
import { literalContains } from "@/lib/domain/search";
import type { ListCredentialsQuery } from "@/lib/validation/credentials";
import { credentialViewSelect, EXPIRING_WITHIN_MS, toCredentialView, type CredentialView } from "./credential-view";

const DAY = 86_400_000;

/**
 * One page of the actor's account's live (unrevoked) credentials, newest
 * first, with filters for owner (id, or part of a name), kind, status and last
 * use, all in the database. Admins only: a member is refused here, whatever
 * page or route asks. Status: suspended = owner not active in the account (the
 * one rule verification enforces); expired; expiring within 7 days; active.
 */
export async function listCredentials(actor: Actor, query: ListCredentialsQuery, now = new Date()): Promise<Result<Page<CredentialView>>> {
  if (!canManage(actor)) return fail("not_admin", NOT_ADMIN_CREDENTIAL_LIST);
  const accountId = actor.account.id;
  const ownerActive: Prisma.CredentialWhereInput = { owner: activeInAccountWhere(accountId) };
  const soon = new Date(now.getTime() + EXPIRING_WITHIN_MS);
  const filters: Prisma.CredentialWhereInput[] = [];
  if (query.owner) {
    filters.push(
      /^(usr|bot)_/.test(query.owner)
        ? { ownerId: query.owner }
        : { owner: { name: { contains: literalContains(query.owner), mode: "insensitive" } } },
    );
  }
  if (query.kind !== "all") filters.push({ kind: query.kind });
  if (query.status === "suspended") filters.push({ NOT: ownerActive });
  if (query.status === "expired") filters.push(ownerActive, { expiresAt: { lte: now } });
  if (query.status === "expiring") filters.push(ownerActive, { expiresAt: { gt: now, lte: soon } });
  if (query.status === "active") filters.push(ownerActive, { OR: [{ expiresAt: null }, { expiresAt: { gt: soon } }] });
  if (query.used === "never") filters.push({ lastUsedAt: null });
  if (query.used === "7d") filters.push({ lastUsedAt: { gte: new Date(now.getTime() - 7 * DAY) } });
  if (query.used === "30d") filters.push({ lastUsedAt: { gte: new Date(now.getTime() - 30 * DAY) } });
  if (query.used === "stale") filters.push({ lastUsedAt: { lt: new Date(now.getTime() - 30 * DAY) } });
  if (query.used === "stale90") filters.push({ lastUsedAt: { lt: new Date(now.getTime() - 90 * DAY) } });
  const where: Prisma.CredentialWhereInput = { accountId, revokedAt: null, AND: filters };

  const total = await db().credential.count({ where });
  const { page, pageCount, skip } = pageWindow(total, query.page, query.size);
  const rows = await db().credential.findMany({
    where,
    orderBy: [{ createdAt: "desc" }, { id: "desc" }],
    skip,
    take: query.size,
    select: credentialViewSelect,
  });
  return ok({ rows: rows.map((r) => toCredentialView(r, now, mayViewIpOf(actor, r.owner.id))), total, page, size: query.size, pageCount });
}

/**
 * A principal's live credentials in the actor's account, newest first (bot
 * page, personal settings). Members see their own and bots' credentials (never
 * another person's: that list is empty, like an unknown owner's), and the
 * last-used IP of their own only (mayViewIpOf).
 */
export async function listOwnedCredentials(actor: Actor, ownerId: string, now = new Date()): Promise<CredentialView[]> {
  const rows = await db().credential.findMany({
    where: { accountId: actor.account.id, ownerId, revokedAt: null },
    orderBy: [{ createdAt: "desc" }, { id: "desc" }],
    take: 200,
    select: credentialViewSelect,
  });
  // One owner for every row: either all are visible or none is.
  if (rows[0] && !mayViewCredentialsOf(actor, rows[0].owner)) return [];
  return rows.map((r) => toCredentialView(r, now, mayViewIpOf(actor, r.owner.id)));
}
