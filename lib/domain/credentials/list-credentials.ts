import { db } from "@/lib/db/client";
import { pageWindow } from "@/lib/domain/paging";
import { literalContains } from "@/lib/domain/search";
import type { Prisma } from "@/lib/db/generated/client";
import type { Page } from "@/lib/domain/bots/types";
import type { ListCredentialsQuery } from "@/lib/validation/credentials";
import { credentialViewSelect, EXPIRING_WITHIN_MS, toCredentialView, type CredentialView } from "./credential-view";

const DAY = 86_400_000;

/**
 * One page of an account's live (unrevoked) credentials, newest first, with
 * filters for owner (id, or part of a name), kind, status and last use, all in
 * the database. Status: suspended = owner deactivated; expired; expiring within
 * 7 days; active otherwise.
 */
export async function listCredentials(accountId: string, query: ListCredentialsQuery, now = new Date()): Promise<Page<CredentialView>> {
  const ownerActive: Prisma.CredentialWhereInput = { owner: { status: "active" } };
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
  if (query.status === "suspended") filters.push({ owner: { status: "deactivated" } });
  if (query.status === "expired") filters.push(ownerActive, { expiresAt: { lte: now } });
  if (query.status === "expiring") filters.push(ownerActive, { expiresAt: { gt: now, lte: soon } });
  if (query.status === "active") filters.push(ownerActive, { OR: [{ expiresAt: null }, { expiresAt: { gt: soon } }] });
  if (query.used === "never") filters.push({ lastUsedAt: null });
  if (query.used === "7d") filters.push({ lastUsedAt: { gte: new Date(now.getTime() - 7 * DAY) } });
  if (query.used === "30d") filters.push({ lastUsedAt: { gte: new Date(now.getTime() - 30 * DAY) } });
  if (query.used === "stale") filters.push({ lastUsedAt: { lt: new Date(now.getTime() - 30 * DAY) } });
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
  return { rows: rows.map((r) => toCredentialView(r, now)), total, page, size: query.size, pageCount };
}

/** A principal's live credentials in an account, newest first (bot page, personal settings). */
export async function listOwnedCredentials(accountId: string, ownerId: string, now = new Date()): Promise<CredentialView[]> {
  const rows = await db().credential.findMany({
    where: { accountId, ownerId, revokedAt: null },
    orderBy: [{ createdAt: "desc" }, { id: "desc" }],
    take: 200,
    select: credentialViewSelect,
  });
  return rows.map((r) => toCredentialView(r, now));
}
