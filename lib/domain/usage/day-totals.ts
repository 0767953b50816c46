import { db } from "@/lib/db/client";
import type { Actor } from "@/lib/domain/access/types";
import { canManage } from "@/lib/domain/permissions";
import { QUOTA_METRICS } from "@/lib/domain/quotas/plan-quotas";
import { SingleFlightCache } from "@/lib/single-flight-cache";
import { zeroMetrics, type MetricValues } from "./month";
import { usageWritten } from "@/lib/domain/usage/usage-meter";

interface PastDays {
  /** Per day before today, every principal's usage. */
  all: MetricValues[];
  /** The same, bots only (what a member may see of others). */
  bots: MetricValues[];
}

/**
 * The days before today hardly change (usage is metered as it happens, on
 * today's row), and summing them reads every principal's row of every day of
 * the month: 300,000 rows at 10,000 bots. So they are summed once a minute per
 * process and account, by one caller at a time; today is the month's total
 * (usage_monthly, live) minus them, so the days always add up to the total.
 */
const pastCache = new SingleFlightCache<PastDays>(60_000, 1000);

interface DayRow {
  day: Date;
  bot: boolean;
  sessions: bigint;
  endpoints: bigint;
  bandwidth: bigint;
  api_requests: bigint;
}

const valuesOf = (r: DayRow): MetricValues => ({
  sessions: Number(r.sessions),
  endpoints: Number(r.endpoints),
  bandwidth: Number(r.bandwidth),
  apiRequests: Number(r.api_requests),
});

function add(into: MetricValues, v: MetricValues, sign = 1): void {
  for (const m of QUOTA_METRICS) into[m] += sign * v[m];
}

async function sumPastDays(accountId: string, days: string[]): Promise<PastDays> {
  const past = days.slice(0, -1);
  const all = past.map(zeroMetrics);
  const bots = past.map(zeroMetrics);
  if (past.length === 0) return { all, bots };
  const rows = await db().$queryRaw<DayRow[]>`
    SELECT u.day, (p.kind = 'bot') IS TRUE AS bot, sum(u.sessions)::bigint AS sessions, sum(u.endpoints)::bigint AS endpoints,
           sum(u.bytes_in + u.bytes_out)::bigint AS bandwidth, sum(u.api_requests)::bigint AS api_requests
    FROM usage_daily u
    LEFT JOIN principals p ON p.id = u.principal_id
    WHERE u.account_id = ${accountId} AND u.day >= ${past[0]}::date AND u.day <= ${past.at(-1)}::date
    GROUP BY 1, 2`;
  const index = new Map(past.map((d, i) => [d, i]));
  for (const r of rows) {
    const i = index.get(r.day.toISOString().slice(0, 10));
    if (i === undefined) continue;
    add(all[i]!, valuesOf(r));
    if (r.bot) add(bots[i]!, valuesOf(r));
  }
  return { all, bots };
}

/**
 * Per day of the month so far (`days`, ending today), the account's usage of
 * each metric (`all`: everyone, for the over-quota marks) and the part the
 * actor may see (`visible`: the chart). Today is `monthAll` / `monthVisible`
 * (this month's totals, usage_monthly) minus the days before.
 */
export async function dayTotals(
  actor: Actor,
  opts: { days: string[]; monthAll: MetricValues; monthVisible: MetricValues },
): Promise<{ all: MetricValues[]; visible: MetricValues[] }> {
  await usageWritten(); // what this process counted and has not written yet, too
  const everyone = canManage(actor);
  const [past, own] = await Promise.all([
    pastDayTotals(actor.account.id, opts.days),
    everyone || actor.principal.kind === "bot" ? null : ownPastDays(actor, opts.days),
  ]);
  const visiblePast = everyone ? past.all : past.bots.map((b, i) => (own ? sumOf(b, own[i]!) : b));
  const withToday = (pastDays: MetricValues[], month: MetricValues) => {
    const todayValues = { ...month };
    for (const d of pastDays) add(todayValues, d, -1);
    for (const m of QUOTA_METRICS) todayValues[m] = Math.max(0, todayValues[m]);
    return [...pastDays, todayValues];
  };
  return { all: withToday(past.all, opts.monthAll), visible: withToday(visiblePast, opts.monthVisible) };
}

/** The days before today (`days` ends today), from the per-process cache. */
function pastDayTotals(accountId: string, days: string[]): Promise<PastDays> {
  return pastCache.get(`${accountId}|${days.at(-1)}`, () => sumPastDays(accountId, days));
}

const sumOf = (a: MetricValues, b: MetricValues): MetricValues => {
  const out = { ...a };
  add(out, b);
  return out;
};

/** A person's own days before today (live: at most a row a day, by usage_daily's primary key). */
async function ownPastDays(actor: Actor, days: string[]): Promise<MetricValues[]> {
  const past = days.slice(0, -1);
  const out = past.map(zeroMetrics);
  if (past.length === 0) return out;
  const rows = await db().$queryRaw<DayRow[]>`
    SELECT day, FALSE AS bot, sessions::bigint AS sessions, endpoints::bigint AS endpoints, (bytes_in + bytes_out)::bigint AS bandwidth, api_requests
    FROM usage_daily
    WHERE account_id = ${actor.account.id} AND principal_id = ${actor.principal.id} AND day >= ${past[0]}::date AND day <= ${past.at(-1)}::date`;
  const index = new Map(past.map((d, i) => [d, i]));
  for (const r of rows) {
    const i = index.get(r.day.toISOString().slice(0, 10));
    if (i !== undefined) out[i] = valuesOf(r);
  }
  return out;
}
