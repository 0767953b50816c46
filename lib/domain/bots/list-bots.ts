import { db } from "@/lib/db/client";
import { pageWindow, type Page } from "@/lib/domain/paging";
import { literalContains } from "@/lib/domain/search";
import type { Prisma } from "@/lib/db/generated/client";
import type { ListBotsQuery } from "@/lib/validation/bots";
import type { BotRow } from "./types";
import { usageWritten } from "@/lib/domain/usage/usage-meter";

/**
 * One page of an account's live bots, filtered, sorted and paginated in the
 * database (indexes on account+name and account+created/last activity keep it
 * fast at 10,000 bots), with each shown bot's live credential count and usage this month (UTC). The id
 * breaks ties so pages never overlap.
 */
export async function listBots(accountId: string, query: ListBotsQuery): Promise<Page<BotRow>> {
  await usageWritten(); // what this process counted and has not written yet, too
  const where: Prisma.PrincipalWhereInput = {
    accountId,
    kind: "bot",
    deletedAt: null,
    ...(query.status !== "all" ? { status: query.status } : {}),
    ...(query.q ? { nameKey: { contains: literalContains(query.q.toLowerCase()) } } : {}),
  };
  const dir = query.dir;
  const orderBy: Prisma.PrincipalOrderByWithRelationInput[] = [
    query.sort === "name"
      ? { nameKey: dir }
      : query.sort === "status"
        ? { status: dir }
        : query.sort === "lastActivity"
          ? { lastActivityAt: { sort: dir, nulls: (dir === "desc" ? "last" : "first") as "last" | "first" } }
          : { createdAt: dir },
    { id: dir },
  ];
  const total = await db().principal.count({ where });
  const { page, pageCount, skip } = pageWindow(total, query.page, query.size);
  const rows = await db().principal.findMany({
    where,
    orderBy,
    skip,
    take: query.size,
    select: {
      id: true,
      name: true,
      status: true,
      lastActivityAt: true,
      createdAt: true,
    },
  });
  const monthStart = `${new Date().toISOString().slice(0, 8)}01`;
  const ids = rows.map((r) => r.id);
  // Three independent reads for the shown rows, at once (issue 20: one round trip instead of three). Credentials
  // of the rows shown only, by the owner index (a relation `_count` would aggregate every credential in the table).
  const [counts, revokedCounts, usageRows] = rows.length
    ? await Promise.all([
        db().credential.groupBy({ by: ["ownerId"], where: { ownerId: { in: ids }, revokedAt: null }, _count: { _all: true } }),
        db().credential.groupBy({ by: ["ownerId"], where: { ownerId: { in: ids }, revokedAt: { not: null } }, _count: { _all: true } }),
        db().$queryRaw<{ principal_id: string; api_requests: bigint; sessions: bigint; bandwidth: bigint }[]>`
          SELECT principal_id, SUM(api_requests)::bigint AS api_requests, SUM(sessions)::bigint AS sessions, SUM(bytes_in + bytes_out)::bigint AS bandwidth
          FROM usage_daily
          WHERE account_id = ${accountId} AND principal_id = ANY(${ids}::text[]) AND day >= ${monthStart}::date
          GROUP BY principal_id`,
      ])
    : [[], [], []];
  const credentialCount = new Map(counts.map((c) => [c.ownerId, c._count._all]));
  const revokedCredentialCount = new Map(revokedCounts.map((c) => [c.ownerId, c._count._all]));
  const usage = new Map(usageRows.map((u) => [u.principal_id, { apiRequests: Number(u.api_requests), sessions: Number(u.sessions), bandwidth: Number(u.bandwidth) }]));
  return {
    rows: rows.map((r) => ({
      id: r.id,
      name: r.name,
      active: r.status === "active",
      credentialCount: credentialCount.get(r.id) ?? 0,
      revokedCredentialCount: revokedCredentialCount.get(r.id) ?? 0,
      usage: usage.get(r.id) ?? { apiRequests: 0, sessions: 0, bandwidth: 0 },
      lastActivityAt: r.lastActivityAt,
      createdAt: r.createdAt,
    })),
    total,
    page,
    size: query.size,
    pageCount,
  };
}
