import { db } from "@/lib/db/client";
import { activeMembershipSql } from "@/lib/domain/principals/active-in-account";

export interface SeatUsage {
  used: number;
  limit: number;
  bots: number;
  atLimit: boolean;
}

/**
 * Seats used = people active in the account (the one active-principal rule,
 * seen from memberships). Bots never use a seat: this is the one place that
 * counts seats, and it counts people only. Live bots are counted separately.
 */
export async function getSeatUsage(accountId: string): Promise<SeatUsage> {
  // One statement (issue 20: one round trip and one pooled connection instead of three).
  const [row] = await db().$queryRaw<{ seat_limit: number; used: number; bots: number }[]>`
    SELECT a.seat_limit,
      (SELECT COUNT(*)::int FROM memberships m JOIN principals p ON ${activeMembershipSql("m", "p")} WHERE m.account_id = a.id) AS used,
      (SELECT COUNT(*)::int FROM principals b WHERE b.account_id = a.id AND b.kind = 'bot' AND b.deleted_at IS NULL) AS bots
    FROM accounts a WHERE a.id = ${accountId}`;
  if (!row) throw new Error(`No account ${accountId}`);
  return { used: row.used, limit: row.seat_limit, bots: row.bots, atLimit: row.used >= row.seat_limit };
}

/** The seat summary, word for word the same wherever it is shown (the Overview, /users). */
export function seatSummaryText(usage: Pick<SeatUsage, "used" | "limit" | "bots">): string {
  return `${usage.used} of ${usage.limit} seats used · ${usage.bots} ${usage.bots === 1 ? "bot" : "bots"} (bots don't use seats)`;
}

export function seatLimitMessage(limit: number): string {
  return `All ${limit} seats are in use. Deactivate or remove a person first, or raise the plan's seat limit. (Bots don't need seats: you can still add bots.)`;
}
