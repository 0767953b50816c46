import type { Actor } from "@/lib/domain/access/types";
import { monthDays } from "./month";
import { monthSummary, monthUsagePage, type PrincipalUsage, type UsageTotals } from "./month-usage";

export type { PrincipalUsage, UsageTotals };

export interface MonthUsage {
  /** First day of the month (UTC), `YYYY-MM-DD`. */
  from: string;
  /** The last day counted (today, UTC), `YYYY-MM-DD`. */
  to: string;
  /** One page of the principals with usage this month, most bytes first (then API requests, then id). */
  principals: PrincipalUsage[];
  /** The cursor of the next page, or null on the last. */
  next: string | null;
  /** The sum over every principal the actor may see (not only this page). */
  total: UsageTotals;
}

/**
 * Usage of the actor's account this month (UTC), per principal, from the
 * monthly roll-up (usage_monthly: one row per principal). Admins see every
 * principal; members see their own usage and the bots' (as with credentials:
 * bots are the account's shared integrations), never another person's.
 * `principalId` narrows to one principal (nothing when the actor may not see
 * it). At most `limit` (≤ USAGE_PAGE_MAX) principals per call, `after` a
 * cursor from the previous call's `next`; the total covers them all.
 */
export async function usageThisMonth(actor: Actor, opts: { principalId?: string; now?: Date; limit?: number; after?: string | null } = {}): Promise<MonthUsage> {
  const { from, to } = monthDays(opts.now ?? new Date());
  const [page, summary] = await Promise.all([
    monthUsagePage(actor, { month: from, after: opts.after, limit: opts.limit ?? 100, principalId: opts.principalId }),
    monthSummary(actor, { month: from, principalId: opts.principalId }),
  ]);
  return { from, to, principals: page.rows, next: page.after, total: summary.visible };
}
