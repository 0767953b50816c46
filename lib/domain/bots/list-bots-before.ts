import { db } from "@/lib/db/client";
import type { KeysetPage, KeysetQuery } from "@/lib/domain/keyset";

export interface BotSummary {
  id: string;
  name: string;
  active: boolean;
  createdAt: Date;
}

/**
 * The account's live bots, newest first, older than `beforeId`: the API's
 * keyset paging (a page never shifts when bots are created meanwhile). Ids are
 * compared byte-wise (COLLATE "C"): their base62 text sorts by creation time
 * only in byte order, whatever the database's default collation.
 */
export async function listBotsBefore(accountId: string, query: KeysetQuery): Promise<KeysetPage<BotSummary>> {
  const rows = await db().$queryRaw<{ id: string; name: string; status: string; created_at: Date }[]>`
    SELECT id, name, status::text AS status, created_at FROM principals
    WHERE account_id = ${accountId} AND kind = 'bot' AND deleted_at IS NULL
      AND (${query.beforeId}::text IS NULL OR id COLLATE "C" < ${query.beforeId}::text COLLATE "C")
    ORDER BY id COLLATE "C" DESC
    LIMIT ${query.limit + 1}`;
  return {
    rows: rows.slice(0, query.limit).map((r) => ({ id: r.id, name: r.name, active: r.status === "active", createdAt: r.created_at })),
    hasMore: rows.length > query.limit,
  };
}
