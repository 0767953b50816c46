import { db } from "@/lib/db/client";
import type { Actor } from "@/lib/domain/access/types";
import { monthDays } from "@/lib/domain/usage/month";
import { SingleFlightCache } from "@/lib/single-flight-cache";
import { QUOTA_METRICS, quotaLimit, quotasOf, type QuotaMetric } from "./plan-quotas";
import { usageWritten } from "@/lib/domain/usage/usage-meter";

/** The banner's answer per account, a minute at most; one computation in flight per account and process. */
const cache = new SingleFlightCache<QuotaMetric[]>(60_000, 10_000);

/** The quotas an account is over this month: its quotas and ONE sum over its usage_monthly rows (one per principal). */
async function computeQuotasOver(accountId: string, now: Date): Promise<QuotaMetric[]> {
  await usageWritten(); // what this process counted and has not written yet, too
  const [row] = await db().$queryRaw<{ plan: string; quotas: unknown; sessions: bigint; endpoints: bigint; bandwidth: bigint; api_requests: bigint }[]>`
    SELECT a.plan, a.quotas, COALESCE(sum(m.sessions), 0)::bigint AS sessions, COALESCE(sum(m.endpoints), 0)::bigint AS endpoints,
           COALESCE(sum(m.bytes_in + m.bytes_out), 0)::bigint AS bandwidth, COALESCE(sum(m.api_requests), 0)::bigint AS api_requests
    FROM accounts a
    LEFT JOIN usage_monthly m ON m.account_id = a.id AND m.month = ${monthDays(now).from}::date
    WHERE a.id = ${accountId}
    GROUP BY a.id`;
  if (!row) return [];
  const quotas = quotasOf(row.plan, row.quotas);
  const used = { sessions: row.sessions, endpoints: row.endpoints, bandwidth: row.bandwidth, apiRequests: row.api_requests };
  return QUOTA_METRICS.filter((m) => Number(used[m]) > quotaLimit(quotas, m));
}

/**
 * The quotas the account is over this month, for the admins' banner on every
 * dashboard page: kept a minute per account and process, and computed by one
 * caller at a time (the requests that arrive meanwhile wait for that one
 * instead of each summing the month again). forgetQuotaCache drops it when
 * the quotas change.
 */
export function quotasOver(actor: Actor, now: Date = new Date()): Promise<QuotaMetric[]> {
  return cache.get(actor.account.id, () => computeQuotasOver(actor.account.id, now), now.getTime());
}

/** Forget the cached banner state of an account (after its quotas change). */
export function forgetQuotaCache(accountId: string): void {
  cache.forget(accountId);
}
