import { db } from "@/lib/db/client";
import { activeMemberWhere } from "@/lib/domain/principals/active-in-account";

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
  const [account, used, bots] = await Promise.all([
    db().account.findUniqueOrThrow({ where: { id: accountId }, select: { seatLimit: true } }),
    db().membership.count({ where: activeMemberWhere(accountId) }),
    db().principal.count({ where: { accountId, kind: "bot", deletedAt: null } }),
  ]);
  return { used, limit: account.seatLimit, bots, atLimit: used >= account.seatLimit };
}

/** The seat summary, word for word the same wherever it is shown (the Overview, /users). */
export function seatSummaryText(usage: Pick<SeatUsage, "used" | "limit" | "bots">): string {
  return `${usage.used} of ${usage.limit} seats used · ${usage.bots} ${usage.bots === 1 ? "bot" : "bots"} (bots don't use seats)`;
}

export function seatLimitMessage(limit: number): string {
  return `All ${limit} seats are in use. Deactivate or remove a person first, or raise the plan's seat limit. (Bots don't need seats: you can still add bots.)`;
}
