import { db } from "@/lib/db/client";
import type { Actor } from "@/lib/domain/access/types";
import { canManage } from "@/lib/domain/permissions";
import { utcDay } from "@/lib/domain/usage/record-usage";
import type { Quotas } from "@/lib/validation/account";
import { QUOTA_METRICS, quotaLimit, quotasOf, type QuotaMetric } from "./plan-quotas";

export type MetricValues = Record<QuotaMetric, number>;

export interface QuotaMeter {
  metric: QuotaMetric;
  /** The account's usage this month (every principal, whoever looks). */
  used: number;
  /** The quota in the metric's unit (bandwidth in bytes). */
  limit: number;
  over: boolean;
}

export interface PrincipalQuotaRow {
  principal: { id: string; name: string; kind: "person" | "bot"; deleted: boolean };
  used: MetricValues;
  /**
   * Per metric, how much of this principal's usage lies beyond the quota
   * (0 when none): > 0 means it pushed the account over (see accountQuotaUsage).
   */
  overBy: MetricValues;
}

export interface QuotaUsage {
  plan: string;
  quotas: Quotas;
  /** First day of the month and today (UTC), `YYYY-MM-DD`. */
  from: string;
  to: string;
  meters: QuotaMeter[];
  /** The principals the actor may see, most bandwidth first. */
  principals: PrincipalQuotaRow[];
  /** Every day of the month so far, for charts. */
  days: string[];
  /** Per day and visible principal, each metric: `daily[principalId][metric][dayIndex]`. */
  daily: Record<string, MetricValues[]>;
}

interface Row {
  principal_id: string;
  day: Date;
  name: string | null;
  kind: string | null;
  deleted: boolean | null;
  sessions: number;
  endpoints: number;
  bandwidth: bigint;
  api_requests: bigint;
}

const zero = (): MetricValues => ({ sessions: 0, endpoints: 0, bandwidth: 0, apiRequests: 0 });

/** The month's usage_daily rows of an account: one index range of (account_id, day), at most one row per principal per day. */
async function monthRows(accountId: string, from: string, to: string): Promise<Row[]> {
  return db().$queryRaw<Row[]>`
    SELECT u.principal_id, u.day, p.name, p.kind::text AS kind, p.deleted_at IS NOT NULL AS deleted,
           u.sessions, u.endpoints, (u.bytes_in + u.bytes_out)::bigint AS bandwidth, u.api_requests
    FROM usage_daily u
    LEFT JOIN principals p ON p.id = u.principal_id
    WHERE u.account_id = ${accountId} AND u.day >= ${from}::date AND u.day <= ${to}::date`;
}

const valuesOf = (r: Row): MetricValues => ({
  sessions: Number(r.sessions),
  endpoints: Number(r.endpoints),
  bandwidth: Number(r.bandwidth),
  apiRequests: Number(r.api_requests),
});

/**
 * Which principals pushed the account over a quota, and by how much. Usage is
 * metered per principal per UTC day, so it "accrues" in day order; within one
 * day the order of requests is not kept, so rows of the same day count largest
 * first (then by principal id, to be deterministic). Walking the rows in that
 * order with a running total, a row pushes over by
 * `max(0, after - max(before, quota))`: the crossing row by what exceeds the
 * quota, every later row by all of its usage. Reaching the quota exactly is not
 * over. The amounts over sum to `total - quota` when over, else 0.
 */
export function overQuotaShares(rows: { principalId: string; day: string; amount: number }[], quota: number): Map<string, number> {
  const ordered = [...rows].filter((r) => r.amount > 0).sort((a, b) => a.day.localeCompare(b.day) || b.amount - a.amount || a.principalId.localeCompare(b.principalId));
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

export function monthDays(now: Date): { from: string; to: string; days: string[] } {
  const to = utcDay(now);
  const from = `${to.slice(0, 8)}01`;
  const days: string[] = [];
  for (let d = 1; d <= Number(to.slice(8, 10)); d++) days.push(`${to.slice(0, 8)}${String(d).padStart(2, "0")}`);
  return { from, to, days };
}

/**
 * The account's month so far (UTC) against its plan's quotas: a meter per
 * quota with the ACCOUNT's total (every principal), and per principal its
 * usage, per-day series and how much of it lies beyond each quota
 * (overQuotaShares). Admins see every principal's row; members their own and
 * the bots' (as usageThisMonth), while the meters and marks are always computed
 * over the whole account.
 */
export async function accountQuotaUsage(actor: Actor, opts: { now?: Date } = {}): Promise<QuotaUsage> {
  const { from, to, days } = monthDays(opts.now ?? new Date());
  const [account, rows] = await Promise.all([
    db().account.findUniqueOrThrow({ where: { id: actor.account.id }, select: { plan: true, quotas: true } }),
    monthRows(actor.account.id, from, to),
  ]);
  const quotas = quotasOf(account.plan, account.quotas);
  const dayIndex = new Map(days.map((d, i) => [d, i]));
  const byPrincipal = new Map<string, PrincipalQuotaRow & { series: MetricValues[] }>();
  const total = zero();
  for (const r of rows) {
    const v = valuesOf(r);
    let p = byPrincipal.get(r.principal_id);
    if (!p) {
      p = {
        principal: { id: r.principal_id, name: r.name ?? r.principal_id, kind: (r.kind ?? "bot") as "person" | "bot", deleted: Boolean(r.deleted) },
        used: zero(),
        overBy: zero(),
        series: days.map(zero),
      };
      byPrincipal.set(r.principal_id, p);
    }
    const i = dayIndex.get(utcDay(r.day));
    for (const m of QUOTA_METRICS) {
      p.used[m] += v[m];
      total[m] += v[m];
      if (i !== undefined) p.series[i]![m] += v[m];
    }
  }
  const meters: QuotaMeter[] = QUOTA_METRICS.map((metric) => {
    const limit = quotaLimit(quotas, metric);
    const shares = overQuotaShares(
      rows.map((r) => ({ principalId: r.principal_id, day: utcDay(r.day), amount: valuesOf(r)[metric] })),
      limit,
    );
    for (const [id, n] of shares) byPrincipal.get(id)!.overBy[metric] = n;
    return { metric, used: total[metric], limit, over: total[metric] > limit };
  });
  const everyone = canManage(actor);
  const visible = [...byPrincipal.values()]
    .filter((p) => everyone || p.principal.id === actor.principal.id || p.principal.kind === "bot")
    .sort((a, b) => b.used.bandwidth - a.used.bandwidth || b.used.apiRequests - a.used.apiRequests || a.principal.id.localeCompare(b.principal.id));
  return {
    plan: account.plan,
    quotas,
    from,
    to,
    meters,
    principals: visible.map(({ principal, used, overBy }) => ({ principal, used, overBy })),
    days,
    daily: Object.fromEntries(visible.map((p) => [p.principal.id, p.series])),
  };
}

const cache = new Map<string, { at: number; over: QuotaMetric[] }>();

/**
 * The quotas the account is over this month, for the admins' banner on every
 * page: cached a minute per account and process (the month's rows are read
 * once a minute, not on every page view).
 */
export async function quotasOver(actor: Actor, now: Date = new Date()): Promise<QuotaMetric[]> {
  const hit = cache.get(actor.account.id);
  if (hit && now.getTime() - hit.at < 60_000 && hit.at <= now.getTime()) return hit.over;
  const usage = await accountQuotaUsage(actor, { now });
  const over = usage.meters.filter((m) => m.over).map((m) => m.metric);
  cache.set(actor.account.id, { at: now.getTime(), over });
  return over;
}

/** Forget the cached banner state of an account (after its quotas change). */
export function forgetQuotaCache(accountId: string): void {
  cache.delete(accountId);
}
