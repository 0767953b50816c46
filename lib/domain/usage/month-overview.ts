import { db } from "@/lib/db/client";
import { Prisma } from "@/lib/db/generated/client";
import type { Actor } from "@/lib/domain/access/types";
import type { QuotaMetric } from "@/lib/domain/quotas/plan-quotas";
import type { MetricValues } from "./month";
import { topSeries, type TopSeries } from "./chart-series";
import { monthSummary, orderSql, pageOf, pageRequest, pageSql, type MonthSummary, type MonthUsagePage, type PageRow } from "./month-usage";
import { usageWritten } from "@/lib/domain/usage/usage-meter";

export interface MonthOverview {
  summary: MonthSummary;
  page: MonthUsagePage;
  top: TopSeries[];
  /** With `pageDays`: every row of the month in usage_daily of the page's principals (the over-quota marks' input); else null. */
  pageDays: PageDayRow[] | null;
}

/** A principal's usage on one day, per quota metric. */
export interface PageDayRow {
  principalId: string;
  day: string;
  values: MetricValues;
}

/** A page row as JSON: its bigints as text (exact, for the cursor). */
type PageJson = Omit<PageRow, "sessions" | "endpoints" | "bytes_in" | "bytes_out" | "tunnel_requests" | "api_requests"> & Record<"sessions" | "endpoints" | "bytes_in" | "bytes_out" | "tunnel_requests" | "api_requests", string>;

/** A usage_daily row as JSON: principal, day, sessions, endpoints, bandwidth, API requests (numbers as text). */
type DayJson = [string, string, string, string, string, string];

const pageRowOf = (r: PageJson): PageRow => ({
  ...r,
  sessions: BigInt(r.sessions),
  endpoints: BigInt(r.endpoints),
  bytes_in: BigInt(r.bytes_in),
  bytes_out: BigInt(r.bytes_out),
  tunnel_requests: BigInt(r.tunnel_requests),
  api_requests: BigInt(r.api_requests),
});

/**
 * What /usage reads of the month: monthSummary (with the page's position),
 * topSeries of `metric` and, in a third statement, the page (monthUsagePage's
 * statement) with, given `pageDays`, its principals' rows of the month in
 * usage_daily (at most a row per principal and day, by its primary key), so
 * the over-quota marks need no round trip of their own. The three run side by
 * side: each is a pass over the month's usage_monthly rows, and one statement
 * would run them one after another (measured: slower at one client). The page
 * comes back as JSON (its bigints as text).
 */
export async function monthOverview(
  actor: Actor,
  opts: { month: string; days: string[]; metric: QuotaMetric; after: string | null; before: string | null; limit: number; pageDays?: boolean },
): Promise<MonthOverview> {
  await usageWritten(); // what this process counted and has not written yet, too
  const page = { month: opts.month, after: opts.after, before: opts.before, limit: opts.limit };
  const { after, before } = pageRequest(page);
  const cursor = after ?? before;
  const position = cursor ? { cursor, inclusive: Boolean(after) } : null;
  const [summary, [row], top] = await Promise.all([
    monthSummary(actor, { month: opts.month, position }),
    db().$queryRaw<{ page_rows: PageJson[] | null; day_rows: DayJson[] | null }[]>`
      WITH pg AS (${pageSql(actor, page)})
      SELECT
        (SELECT json_agg(json_build_object(
                  'principal_id', r.principal_id, 'name', r.name, 'kind', r.kind, 'deleted', r.deleted,
                  'sessions', r.sessions::text, 'endpoints', r.endpoints::text, 'bytes_in', r.bytes_in::text, 'bytes_out', r.bytes_out::text,
                  'tunnel_requests', r.tunnel_requests::text, 'api_requests', r.api_requests::text)
                ORDER BY ${orderSql(Prisma.sql`r.bw`, "r", before !== null)})
         FROM pg r) AS page_rows,
        ${
          opts.pageDays
            ? Prisma.sql`(SELECT json_agg(json_build_array(u.principal_id, to_char(u.day, 'YYYY-MM-DD'), u.sessions::text, u.endpoints::text, (u.bytes_in + u.bytes_out)::text, u.api_requests::text))
                FROM usage_daily u
                WHERE u.account_id = ${actor.account.id} AND u.principal_id IN (SELECT principal_id FROM pg)
                  AND u.day >= ${opts.month}::date AND u.day < (${opts.month}::date + interval '1 month'))`
            : Prisma.sql`NULL`
        } AS day_rows`,
    topSeries(actor, { metric: opts.metric, month: opts.month, days: opts.days }),
  ]);
  const shown = pageOf((row?.page_rows ?? []).map(pageRowOf), page);
  // The cursor led back to the top or past the end: the first page, as a link to it would show it.
  if (!shown) return monthOverview(actor, { ...opts, after: null, before: null });
  const pageDays = opts.pageDays
    ? (row!.day_rows ?? []).map(([principalId, day, sessions, endpoints, bandwidth, apiRequests]) => ({
        principalId,
        day,
        values: { sessions: Number(sessions), endpoints: Number(endpoints), bandwidth: Number(bandwidth), apiRequests: Number(apiRequests) },
      }))
    : null;
  return { summary, page: shown, top, pageDays };
}
