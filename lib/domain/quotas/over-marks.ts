import { db } from "@/lib/db/client";
import { Prisma } from "@/lib/db/generated/client";
import { SingleFlightCache } from "@/lib/single-flight-cache";
import { QUOTA_METRICS, type QuotaMetric } from "./plan-quotas";
import { metricSql, zeroMetrics, type MetricValues } from "@/lib/domain/usage/month";
import { usageWritten } from "@/lib/domain/usage/usage-meter";

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

/** The row that crosses a quota on its day (the day's rows ranked largest first, then by id), and how much of it is over. */
interface Crossing {
  principalId: string;
  amount: number;
  share: number;
}

/**
 * Where the quota is crossed on the crossing day depends on that whole day's
 * rows (every principal's): found once a minute per process, account, metric,
 * day, quota and usage before that day (the key), by one caller at a time. The
 * marks then cost the page's own rows only. On the day the quota is crossed a
 * new row may move the crossing: the marks follow within the minute.
 */
const crossings = new SingleFlightCache<Crossing | null>(60_000, 1000);

/**
 * overQuotaShares for the principals `ids` only (a page of /usage), for each
 * metric whose quota the month's total exceeds. From the account's per-day
 * totals (`dayTotals`, index i = `days[i]`) the crossing day is found, then
 * the row that crosses the quota on it (crossingRow, cached); a principal of
 * the page is over by all of its usage after that day, by all of that day's
 * when it ranks after the crossing row, and by the crossing row's excess when
 * it is that row. What a page reads is its principals' rows from the crossing
 * day on, however many principals the account has.
 */
export async function overMarks(
  accountId: string,
  opts: { days: string[]; dayTotals: MetricValues[]; limits: MetricValues; ids: string[] },
): Promise<Map<string, MetricValues>> {
  await usageWritten(); // what this process counted and has not written yet, too
  const marks = new Map(opts.ids.map((id) => [id, zeroMetrics()]));
  if (opts.ids.length === 0) return marks;
  const over: { metric: QuotaMetric; day: string; key: string; before: number; limit: number }[] = [];
  for (const metric of QUOTA_METRICS) {
    const limit = opts.limits[metric];
    let before = 0;
    const crossing = opts.dayTotals.findIndex((d) => {
      if (before + d[metric] > limit) return true;
      before += d[metric];
      return false;
    });
    if (crossing >= 0) over.push({ metric, day: opts.days[crossing]!, key: `${accountId}|${metric}|${opts.days[crossing]}|${limit}|${before}`, before, limit });
  }
  if (over.length === 0) return marks;
  const found = await Promise.all(over.map((o) => crossings.get(o.key, () => crossingRow(accountId, o.metric, o))));
  const shares = await pageShares(accountId, { over: over.map((o, i) => ({ metric: o.metric, day: o.day, crossing: found[i]! })), ids: opts.ids, monthStart: opts.days[0]! });
  for (const [id, values] of shares) marks.set(id, values);
  return marks;
}

/** The first row of `day`, ranked largest first then by id, whose running total (from `before`) passes `limit`; null if none does. */
async function crossingRow(accountId: string, metric: QuotaMetric, o: { day: string; before: number; limit: number }): Promise<Crossing | null> {
  const amount = metricSql("u", metric);
  const [row] = await db().$queryRaw<{ principal_id: string; amount: bigint; share: bigint }[]>`
    WITH ranked AS (
      SELECT u.principal_id, ${amount} AS amount,
             ${o.before}::numeric + sum(${amount}) OVER (ORDER BY ${amount} DESC, u.principal_id COLLATE "C" ROWS UNBOUNDED PRECEDING) AS after
      FROM usage_daily u
      WHERE u.account_id = ${accountId} AND u.day = ${o.day}::date AND ${amount} > 0
    )
    SELECT principal_id, amount, (after - ${o.limit}::numeric)::bigint AS share FROM ranked WHERE after > ${o.limit}::numeric ORDER BY after LIMIT 1`;
  return row ? { principalId: row.principal_id, amount: Number(row.amount), share: Number(row.share) } : null;
}

/**
 * Each page principal's usage beyond each quota it is over (`over`): its rows
 * from the earliest crossing day on, by usage_daily's primary key, every
 * metric in one statement (one column each).
 */
async function pageShares(
  accountId: string,
  o: { over: { metric: QuotaMetric; day: string; crossing: Crossing | null }[]; ids: string[]; monthStart: string },
): Promise<Map<string, MetricValues>> {
  const firstDay = o.over.map((x) => x.day).sort()[0]!;
  const columns = o.over.map(({ metric, day, crossing: c }) => {
    const amount = metricSql("u", metric);
    // On the crossing day: the crossing row its excess, the rows ranked after it all, the rows before it nothing.
    const onDay = c
      ? Prisma.sql`CASE WHEN u.principal_id = ${c.principalId} THEN ${c.share}::bigint
          WHEN (-${amount}, u.principal_id COLLATE "C") > (${-c.amount}::bigint, ${c.principalId}::text COLLATE "C") THEN ${amount} ELSE 0 END`
      : Prisma.sql`0`;
    return Prisma.sql`COALESCE(sum(CASE WHEN u.day < ${day}::date THEN 0 WHEN u.day = ${day}::date THEN ${onDay} ELSE ${amount} END), 0)::bigint AS ${Prisma.raw(`"${metric}"`)}`;
  });
  const rows = await db().$queryRaw<(Record<string, bigint> & { principal_id: string })[]>`
    SELECT u.principal_id, ${Prisma.join(columns)}
    FROM usage_daily u
    WHERE u.account_id = ${accountId} AND u.principal_id = ANY(${o.ids}::text[])
      AND u.day >= ${firstDay}::date AND u.day < (${o.monthStart}::date + interval '1 month')
    GROUP BY 1`;
  return new Map(
    rows.map((r) => {
      const values = zeroMetrics();
      for (const { metric } of o.over) values[metric] = Number(r[metric]);
      return [r.principal_id, values];
    }),
  );
}
