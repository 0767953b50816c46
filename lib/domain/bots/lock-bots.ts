import type { Prisma } from "@/lib/db/generated/client";

export interface LockedBot {
  id: string;
  name: string;
  status: "active" | "deactivated";
}

/**
 * Locks the live bots of an account with these ids (FOR UPDATE, in id order so
 * concurrent bulk actions cannot deadlock) and returns them. Ids of other
 * accounts, deleted bots and people are simply absent, exactly like unknown ids.
 */
export async function lockBots(tx: Prisma.TransactionClient, accountId: string, ids: string[]): Promise<LockedBot[]> {
  return tx.$queryRaw<LockedBot[]>`
    SELECT id, name, status::text AS status FROM principals
    WHERE id = ANY(${ids}::text[]) AND account_id = ${accountId} AND kind = 'bot' AND deleted_at IS NULL
    ORDER BY id
    FOR UPDATE`;
}
