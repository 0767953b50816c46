import { db } from "@/lib/db/client";
import type { Actor } from "@/lib/domain/access/types";
import type { QuotaMetric } from "@/lib/domain/quotas/plan-quotas";
import { metricSql, usagePrincipal, visibleUsageSql, type UsagePrincipal } from "./month";
import { usageWritten } from "@/lib/domain/usage/usage-meter";

/** How many principals the usage chart draws by name; the rest are one "others" series. */
export const CHART_TOP = 6;

export interface TopSeries {
  principal: UsagePrincipal;
  /** One value per day of the month so far. */
  values: number[];
}

interface Row {
  principal_id: string;
  name: string | null;
  kind: string | null;
  deleted: boolean | null;
  day: Date | null;
  amount: bigint | null;
}

/**
 * The CHART_TOP principals the actor may see who used `metric` most this
 * month (usage_monthly), each with its value per day (usage_daily, by its
 * primary key): at most CHART_TOP × days values, whatever the account's size.
 */
export async function topSeries(actor: Actor, opts: { metric: QuotaMetric; month: string; days: string[] }): Promise<TopSeries[]> {
  await usageWritten(); // what this process counted and has not written yet, too
  const total = metricSql("m", opts.metric);
  const rows = await db().$queryRaw<Row[]>`
    WITH top AS (
      SELECT m.principal_id, ${total} AS total FROM usage_monthly m
      WHERE m.account_id = ${actor.account.id} AND m.month = ${opts.month}::date AND ${visibleUsageSql(actor, "m")} AND ${total} > 0
      ORDER BY ${total} DESC, m.principal_id COLLATE "C"
      LIMIT ${CHART_TOP}
    )
    SELECT t.principal_id, p.name, p.kind::text AS kind, p.deleted_at IS NOT NULL AS deleted, u.day, ${metricSql("u", opts.metric)} AS amount
    FROM top t
    LEFT JOIN principals p ON p.id = t.principal_id
    LEFT JOIN usage_daily u ON u.account_id = ${actor.account.id} AND u.principal_id = t.principal_id
      AND u.day >= ${opts.days[0]!}::date AND u.day <= ${opts.days.at(-1)!}::date
    ORDER BY t.total DESC, t.principal_id COLLATE "C"`;
  const index = new Map(opts.days.map((d, i) => [d, i]));
  const series = new Map<string, TopSeries>();
  for (const r of rows) {
    let s = series.get(r.principal_id);
    if (!s) {
      s = { principal: usagePrincipal(r.principal_id, r.name, r.kind, r.deleted), values: opts.days.map(() => 0) };
      series.set(r.principal_id, s);
    }
    const i = r.day ? index.get(r.day.toISOString().slice(0, 10)) : undefined;
    if (i !== undefined) s.values[i] = Number(r.amount ?? 0);
  }
  return [...series.values()];
}
