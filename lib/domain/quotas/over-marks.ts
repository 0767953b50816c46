import { db } from "@/lib/db/client";
import { QUOTA_METRICS, type QuotaMetric } from "./plan-quotas";
import { metricSql, zeroMetrics, type MetricValues } from "@/lib/domain/usage/month";

/**
 * Which principals pushed the account over a quota, and by how much. Usage is
 * metered per principal per UTC day, so it "accrues" in day order; within one
 * day the order of requests is not kept, so rows of the same day count largest
 * first (then by principal id, to be deterministic). Walking the rows in that
 * order with a running total, a row pushes over by
 * `max(0, after - max(before, quota))`: the crossing row by what exceeds the
 * quota, every later row by all of its usage. Reaching the quota exactly is not
 * over. The amounts over sum to `total - quota` when over, else 0.
 *
 * This is the rule's reference over a list of rows; overMarks computes the same
 * in SQL for the principals of one page without reading the whole month.
 */
export function overQuotaShares(rows: { principalId: string; day: string; amount: number }[], quota: number): Map<string, number> {
  const byId = (a: string, b: string) => (a < b ? -1 : a > b ? 1 : 0);
  const ordered = [...rows].filter((r) => r.amount > 0).sort((a, b) => a.day.localeCompare(b.day) || b.amount - a.amount || byId(a.principalId, b.principalId));
  const shares = new Map<string, number>();
  let total = 0;
  for (const r of ordered) {
    const before = total;
    total += r.amount;
    const beyond = total - Math.max(before, quota);
    if (beyond > 0) shares.set(r.principalId, (shares.get(r.principalId) ?? 0) + beyond);
  }
  return shares;
}

/**
 * overQuotaShares for the principals `ids` only (a page of /usage), for each
 * metric whose quota the month's total exceeds. From the account's per-day
 * totals (`dayTotals`, index i = `days[i]`) the crossing day is found; then one
 * statement per metric over quota reads that day's rows (ranked largest first,
 * by id) and the page's rows of the later days. What it reads is one day of the
 * account and a month of each principal shown, however many principals the
 * account has.
 */
export async function overMarks(
  accountId: string,
  opts: { days: string[]; dayTotals: MetricValues[]; limits: MetricValues; ids: string[] },
): Promise<Map<string, MetricValues>> {
  const marks = new Map(opts.ids.map((id) => [id, zeroMetrics()]));
  if (opts.ids.length === 0) return marks;
  const work: Promise<void>[] = [];
  for (const metric of QUOTA_METRICS) {
    const limit = opts.limits[metric];
    let before = 0;
    const crossing = opts.dayTotals.findIndex((d) => {
      if (before + d[metric] > limit) return true;
      before += d[metric];
      return false;
    });
    if (crossing < 0) continue;
    work.push(
      sharesBeyond(accountId, metric, { day: opts.days[crossing]!, before, limit, ids: opts.ids, monthStart: opts.days[0]! }).then((rows) => {
        for (const [id, share] of rows) marks.get(id)![metric] = share;
      }),
    );
  }
  await Promise.all(work);
  return marks;
}

async function sharesBeyond(
  accountId: string,
  metric: QuotaMetric,
  o: { day: string; before: number; limit: number; ids: string[]; monthStart: string },
): Promise<Map<string, number>> {
  const amount = metricSql("u", metric);
  const rows = await db().$queryRaw<{ principal_id: string; share: bigint }[]>`
    WITH ranked AS (
      SELECT u.principal_id, ${amount} AS amount,
             ${o.before}::numeric + sum(${amount}) OVER (ORDER BY ${amount} DESC, u.principal_id COLLATE "C" ROWS UNBOUNDED PRECEDING) AS after
      FROM usage_daily u
      WHERE u.account_id = ${accountId} AND u.day = ${o.day}::date AND ${amount} > 0
    ), shares AS (
      SELECT principal_id, GREATEST(0, after - GREATEST(after - amount, ${o.limit}::numeric)) AS share FROM ranked WHERE principal_id = ANY(${o.ids}::text[])
      UNION ALL
      SELECT u.principal_id, sum(${amount}) FROM usage_daily u
      WHERE u.account_id = ${accountId} AND u.principal_id = ANY(${o.ids}::text[])
        AND u.day > ${o.day}::date AND u.day < (${o.monthStart}::date + interval '1 month')
      GROUP BY 1
    )
    SELECT principal_id, sum(share)::bigint AS share FROM shares GROUP BY 1`;
  return new Map(rows.map((r) => [r.principal_id, Number(r.share)]));
}
