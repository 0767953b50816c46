import { db } from "@/lib/db/client";
import { Prisma } from "@/lib/db/generated/client";
import { pageWindow, type Page } from "@/lib/domain/paging";
import { literalContains } from "@/lib/domain/search";
import type { ListBotsQuery } from "@/lib/validation/bots";
import type { BotRow } from "./types";
import { usageWritten } from "@/lib/domain/usage/usage-meter";

interface BotPageRow {
  total: number;
  id: string | null;
  name: string;
  status: string;
  last_activity_at: Date | null;
  created_at: Date;
  credentials: number;
  revoked_credentials: number;
  api_requests: bigint;
  sessions: bigint;
  bandwidth: bigint;
}

/** The page's sort, on the principals aliased `p`; the id breaks ties so pages never overlap. */
function orderSql(query: ListBotsQuery, p: string): Prisma.Sql {
  const dir = Prisma.raw(query.dir === "asc" ? "ASC" : "DESC");
  const column = Prisma.raw(
    `${p}.${query.sort === "name" ? "name_key" : query.sort === "status" ? "status" : query.sort === "lastActivity" ? "last_activity_at" : "created_at"}`,
  );
  // Never-active bots after the others newest-first, before them oldest-first (as the list always sorted them).
  const nulls = query.sort === "lastActivity" ? Prisma.raw(query.dir === "desc" ? " NULLS LAST" : " NULLS FIRST") : Prisma.empty;
  return Prisma.sql`${column} ${dir}${nulls}, ${Prisma.raw(`${p}.id`)} ${dir}`;
}

/**
 * One page of an account's live bots, filtered, sorted and paginated in the
 * database (each sort walks its partial index of the account's live bots,
 * migration 20261207224500_live_bot_list_indexes, so a page costs the same at
 * 10,000 bots as at 10 but for the count and the OFFSET walk), with each shown bot's live and revoked credential counts
 * and usage this month (UTC), all in one statement (issue 20: one round trip
 * instead of three in a row). A page past the end (a stale link) shows the last
 * page, at the cost of a second statement.
 */
export async function listBots(accountId: string, query: ListBotsQuery): Promise<Page<BotRow>> {
  await usageWritten(); // what this process counted and has not written yet, too
  const where = Prisma.sql`p.account_id = ${accountId} AND p.kind = 'bot' AND p.deleted_at IS NULL
    ${query.status !== "all" ? Prisma.sql`AND p.status = ${query.status}::"PrincipalStatus"` : Prisma.empty}
    ${query.q ? Prisma.sql`AND p.name_key LIKE ${`%${literalContains(query.q.toLowerCase())}%`}` : Prisma.empty}`;
  const monthStart = `${new Date().toISOString().slice(0, 8)}01`;
  const read = (skip: number) => db().$queryRaw<BotPageRow[]>`
    WITH shown AS (
      SELECT p.id, p.name, p.name_key, p.status, p.last_activity_at, p.created_at FROM principals p
      WHERE ${where} ORDER BY ${orderSql(query, "p")} LIMIT ${query.size} OFFSET ${skip}
    )
    SELECT t.total, p.id, p.name, p.status::text AS status, p.last_activity_at, p.created_at,
      COALESCE(c.live, 0)::int AS credentials, COALESCE(c.revoked, 0)::int AS revoked_credentials,
      COALESCE(u.api_requests, 0)::bigint AS api_requests, COALESCE(u.sessions, 0)::bigint AS sessions, COALESCE(u.bandwidth, 0)::bigint AS bandwidth
    FROM (SELECT COUNT(*)::int AS total FROM principals p WHERE ${where}) t
    LEFT JOIN shown p ON true
    LEFT JOIN LATERAL (
      SELECT COUNT(*) FILTER (WHERE revoked_at IS NULL) AS live, COUNT(*) FILTER (WHERE revoked_at IS NOT NULL) AS revoked
      FROM credentials WHERE owner_id = p.id
    ) c ON true
    LEFT JOIN LATERAL (
      SELECT SUM(api_requests) AS api_requests, SUM(sessions) AS sessions, SUM(bytes_in + bytes_out) AS bandwidth
      FROM usage_daily WHERE account_id = ${accountId} AND principal_id = p.id AND day >= ${monthStart}::date
    ) u ON true
    ORDER BY ${orderSql(query, "p")}`;
  let rows = await read((query.page - 1) * query.size);
  const total = rows[0]?.total ?? 0;
  const { page, pageCount, skip } = pageWindow(total, query.page, query.size);
  if (page !== query.page && total > 0) rows = await read(skip);
  return {
    rows: rows
      .filter((r): r is BotPageRow & { id: string } => r.id !== null)
      .map((r) => ({
        id: r.id,
        name: r.name,
        active: r.status === "active",
        credentialCount: r.credentials,
        revokedCredentialCount: r.revoked_credentials,
        usage: { apiRequests: Number(r.api_requests), sessions: Number(r.sessions), bandwidth: Number(r.bandwidth) },
        lastActivityAt: r.last_activity_at,
        createdAt: r.created_at,
      })),
    total,
    page,
    size: query.size,
    pageCount,
  };
}
