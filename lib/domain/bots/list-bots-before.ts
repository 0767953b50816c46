import { db } from "@/lib/db/client";
import { Prisma } from "@/lib/db/generated/client";
import { keysetAfter, type KeysetPage, type KeysetQuery } from "@/lib/domain/keyset";

export interface BotSummary {
  id: string;
  name: string;
  active: boolean;
  createdAt: Date;
  description: string;
  contact: string;
}

/**
 * The account's live bots, newest first, after the `beforeId` bot in that
 * order: the API's keyset paging (a page never shifts when bots are created
 * meanwhile). Ordered by (created_at, id), read along the account's
 * (account_id, kind, created_at) index, so a page costs the same at 10,000 bots
 * as at 10.
 */
export async function listBotsBefore(accountId: string, query: KeysetQuery): Promise<KeysetPage<BotSummary>> {
  const rows = await db().$queryRaw<{ id: string; name: string; status: string; created_at: Date; description: string; contact: string }[]>`
    SELECT p.id, p.name, p.status::text AS status, p.created_at, p.description, p.contact FROM principals p
    WHERE p.account_id = ${accountId} AND p.kind = 'bot' AND p.deleted_at IS NULL
      ${query.beforeId ? Prisma.sql`AND ${keysetAfter("p", "principals", query.beforeId)}` : Prisma.empty}
    ORDER BY p.created_at DESC, p.id DESC
    LIMIT ${query.limit + 1}`;
  return {
    rows: rows.slice(0, query.limit).map((r) => ({ id: r.id, name: r.name, active: r.status === "active", createdAt: r.created_at, description: r.description, contact: r.contact })),
    hasMore: rows.length > query.limit,
  };
}
