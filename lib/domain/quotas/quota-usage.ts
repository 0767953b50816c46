import type { Actor } from "@/lib/domain/access/types";
import { topSeries, type TopSeries } from "@/lib/domain/usage/chart-series";
import { dayTotals } from "@/lib/domain/usage/day-totals";
import { monthDays, zeroMetrics, type MetricValues, type UsagePrincipal } from "@/lib/domain/usage/month";
import { metricsOf, monthSummary, monthUsagePage } from "@/lib/domain/usage/month-usage";
import type { Quotas } from "@/lib/validation/account";
import { overMarks } from "./over-marks";
import { QUOTA_METRICS, quotaLimit, quotasOf, type QuotaMetric } from "./plan-quotas";
import { usageWritten } from "@/lib/domain/usage/usage-meter";

export { overQuotaShares } from "./over-marks";
export { quotasOver, forgetQuotaCache } from "./quotas-over";
export type { MetricValues };

export interface QuotaMeter {
  metric: QuotaMetric;
  /** The account's usage this month (every principal, whoever looks). */
  used: number;
  /** The quota in the metric's unit (bandwidth in bytes). */
  limit: number;
  over: boolean;
}

export interface PrincipalQuotaRow {
  principal: UsagePrincipal;
  used: MetricValues;
  /**
   * Per metric, how much of this principal's usage lies beyond the quota
   * (0 when none): > 0 means it pushed the account over (see overQuotaShares).
   */
  overBy: MetricValues;
}

/** The chart of one metric: the top principals by name, the rest as one "others" series. */
export interface UsageChartData {
  metric: QuotaMetric;
  days: string[];
  top: TopSeries[];
  /** Everyone else the actor may see, per day; null when there is no one else. */
  others: { count: number; values: number[] } | null;
  /** The metric's month total over everyone the actor may see. */
  total: number;
}

export interface QuotaUsage {
  plan: string;
  quotas: Quotas;
  /** First day of the month and today (UTC), `YYYY-MM-DD`. */
  from: string;
  to: string;
  meters: QuotaMeter[];
  /** One page of the principals the actor may see, most bandwidth first. */
  principals: {
    rows: PrincipalQuotaRow[];
    /** How many principals the actor may see have usage this month. */
    count: number;
    /** The position of the first row (1-based). */
    start: number;
    /** Cursors of the previous and next pages; null where there is none. */
    before: string | null;
    after: string | null;
  };
  chart: UsageChartData;
}

/** Rows of /usage per page. */
export const USAGE_PAGE_SIZE = 50;

/**
 * The account's month so far (UTC) against its plan's quotas: a meter per
 * quota with the ACCOUNT's total (every principal), one page of principals
 * (`after` or `before` a cursor) with their usage and how much of it lies
 * beyond each quota (overQuotaShares), and the chart of `metric`. Admins see
 * every principal's row; members their own and the bots' (as usageThisMonth),
 * while the meters and marks are always computed over the whole account.
 * Bounded: one page of rows, CHART_TOP series (chart-series.ts), a value per day; everything
 * is read from the monthly roll-up, the per-day totals (dayTotals) and, when
 * the account is over a quota, one day's rows (overMarks).
 */
export async function accountQuotaUsage(
  actor: Actor,
  opts: { now?: Date; metric?: QuotaMetric; after?: string | null; before?: string | null; size?: number } = {},
): Promise<QuotaUsage> {
  await usageWritten(); // what this process counted and has not written yet, too
  const { from, to, days } = monthDays(opts.now ?? new Date());
  const metric = opts.metric ?? "apiRequests";
  const size = opts.size ?? USAGE_PAGE_SIZE;
  const after = opts.after ?? null;
  const before = after ? null : (opts.before ?? null);
  const cursor = after ?? before;
  const [summary, page, top] = await Promise.all([
    monthSummary(actor, { month: from, position: cursor ? { cursor, inclusive: Boolean(after) } : null }),
    monthUsagePage(actor, { month: from, after, before, limit: size }),
    topSeries(actor, { metric, month: from, days }),
  ]);
  const quotas = quotasOf(summary.plan, summary.quotasStored);
  const monthAll = metricsOf(summary.account);
  const limits = zeroMetrics();
  for (const m of QUOTA_METRICS) limits[m] = quotaLimit(quotas, m);
  const meters: QuotaMeter[] = QUOTA_METRICS.map((m) => ({ metric: m, used: monthAll[m], limit: limits[m], over: monthAll[m] > limits[m] }));

  const perDay = await dayTotals(actor, { days, monthAll, monthVisible: metricsOf(summary.visible) });
  const marks = meters.some((m) => m.over)
    ? await overMarks(actor.account.id, { days, dayTotals: perDay.all, limits, ids: page.rows.map((r) => r.principal.id) })
    : new Map<string, MetricValues>();

  const othersValues = days.map((_, i) => Math.max(0, perDay.visible[i]![metric] - top.reduce((sum, s) => sum + s.values[i]!, 0)));
  const othersCount = Math.max(0, summary.users[metric] - top.length);
  const start = !page.before ? 1 : after ? summary.ahead + 1 : Math.max(1, summary.ahead - page.rows.length + 1);
  return {
    plan: summary.plan,
    quotas,
    from,
    to,
    meters,
    principals: {
      rows: page.rows.map((r) => ({ principal: r.principal, used: metricsOf(r), overBy: marks.get(r.principal.id) ?? zeroMetrics() })),
      count: summary.principals,
      start,
      before: page.before,
      after: page.after,
    },
    chart: {
      metric,
      days,
      top,
      others: othersCount > 0 ? { count: othersCount, values: othersValues } : null,
      total: metricsOf(summary.visible)[metric],
    },
  };
}
