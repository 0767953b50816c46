import type { Actor } from "@/lib/domain/access/types";
import { QUOTA_METRICS, quotaLimit, quotasOf, type QuotaMetric } from "@/lib/domain/quotas/plan-quotas";
import { monthDays } from "./month";
import { metricsOf, monthSummary } from "./month-usage";

export interface PrincipalMonthMetric {
  metric: QuotaMetric;
  /** This principal's usage this month (UTC). */
  used: number;
  /** The account's quota for the metric (bandwidth in bytes). */
  limit: number;
  /** The account's usage this month, everyone together. */
  accountUsed: number;
}

export interface PrincipalMonth {
  /** The month's first and last UTC day ("2026-12-01", "2026-12-31"). */
  from: string;
  to: string;
  metrics: PrincipalMonthMetric[];
}

/**
 * One principal's usage this month (UTC) with the account's quota and total per
 * metric, for a bot's page: its share of the quota and of the account's use.
 * One statement over usage_monthly (monthSummary). What the actor may not see
 * of that principal (a member looking at another person) counts as nothing.
 */
export async function principalMonthUsage(actor: Actor, principalId: string, now = new Date()): Promise<PrincipalMonth> {
  const { from, to } = monthDays(now);
  const summary = await monthSummary(actor, { month: from, principalId });
  const quotas = quotasOf(summary.plan, summary.quotasStored);
  const mine = metricsOf(summary.visible);
  const account = metricsOf(summary.account);
  return { from, to, metrics: QUOTA_METRICS.map((metric) => ({ metric, used: mine[metric], limit: quotaLimit(quotas, metric), accountUsed: account[metric] })) };
}
