import { quotasSchema, type Quotas } from "@/lib/validation/account";
import type { QuotaMetric } from "./quota-metrics";

export { QUOTA_LABELS, QUOTA_METRICS, QUOTA_NOUNS, type QuotaMetric } from "./quota-metrics";

/**
 * Each plan's monthly quotas, used for any quota the account has not set
 * (accounts.quotas holds only what an owner changed or the account was made
 * with). An unknown plan gets the team plan's.
 */
export const PLAN_QUOTAS: Record<string, Quotas> = {
  free: { sessions: 10, endpoints: 20, bandwidthGb: 1, apiRequests: 10_000 },
  team: { sessions: 50, endpoints: 200, bandwidthGb: 100, apiRequests: 1_000_000 },
  business: { sessions: 500, endpoints: 2_000, bandwidthGb: 1_000, apiRequests: 10_000_000 },
};

/** The quotas in force: each stored valid value, else the plan's default. Never throws on odd stored JSON. */
export function quotasOf(plan: string, stored: unknown): Quotas {
  const defaults = PLAN_QUOTAS[plan] ?? PLAN_QUOTAS.team!;
  const out = { ...defaults };
  if (stored && typeof stored === "object") {
    for (const key of Object.keys(quotasSchema.shape) as (keyof Quotas)[]) {
      const parsed = quotasSchema.shape[key].safeParse((stored as Record<string, unknown>)[key]);
      if (parsed.success && (stored as Record<string, unknown>)[key] !== undefined && (stored as Record<string, unknown>)[key] !== null) out[key] = parsed.data;
    }
  }
  return out;
}

/** A metric's quota in its metered unit (bandwidth in bytes: 1 GB = 10^9 bytes). */
export function quotaLimit(quotas: Quotas, metric: QuotaMetric): number {
  switch (metric) {
    case "sessions":
      return quotas.sessions;
    case "endpoints":
      return quotas.endpoints;
    case "bandwidth":
      return quotas.bandwidthGb * 1e9;
    case "apiRequests":
      return quotas.apiRequests;
  }
}
