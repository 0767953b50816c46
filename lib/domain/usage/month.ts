import { Prisma } from "@/lib/db/generated/client";
import type { Actor } from "@/lib/domain/access/types";
import { canManage } from "@/lib/domain/permissions";
import type { QuotaMetric } from "@/lib/domain/quotas/plan-quotas";
import { utcDay } from "./record-usage";

export type MetricValues = Record<QuotaMetric, number>;

export const zeroMetrics = (): MetricValues => ({ sessions: 0, endpoints: 0, bandwidth: 0, apiRequests: 0 });

/** The month so far (UTC): its first day (usage_monthly's `month`), today, and every day from the one to the other, `YYYY-MM-DD`. */
export function monthDays(now: Date): { from: string; to: string; days: string[] } {
  const to = utcDay(now);
  const from = `${to.slice(0, 8)}01`;
  const days: string[] = [];
  for (let d = 1; d <= Number(to.slice(8, 10)); d++) days.push(`${to.slice(0, 8)}${String(d).padStart(2, "0")}`);
  return { from, to, days };
}

/**
 * A quota metric of a usage_daily or usage_monthly row aliased `alias`, as a
 * bigint SQL expression (bandwidth is bytes in + out). Metric names come from
 * QUOTA_METRICS only, never from a request.
 */
export function metricSql(alias: string, metric: QuotaMetric): Prisma.Sql {
  const a = Prisma.raw(alias);
  switch (metric) {
    case "sessions":
      return Prisma.sql`${a}.sessions::bigint`;
    case "endpoints":
      return Prisma.sql`${a}.endpoints::bigint`;
    case "bandwidth":
      return Prisma.sql`(${a}.bytes_in + ${a}.bytes_out)`;
    case "apiRequests":
      return Prisma.sql`${a}.api_requests`;
  }
}

/**
 * Whose usage the actor may see, on a usage row aliased `alias`: admins
 * everyone's; members and bots their own and the bots' (bots are the account's
 * shared integrations), never another person's. The account's totals and the
 * over-quota marks are always over everyone.
 */
export function visibleUsageSql(actor: Actor, alias: string): Prisma.Sql {
  if (canManage(actor)) return Prisma.sql`TRUE`;
  const a = Prisma.raw(alias);
  return Prisma.sql`(${a}.principal_id = ${actor.principal.id} OR EXISTS (SELECT 1 FROM principals vp WHERE vp.id = ${a}.principal_id AND vp.kind = 'bot'))`;
}

/** A principal as usage lists show it (a deleted bot keeps its name). */
export interface UsagePrincipal {
  id: string;
  name: string;
  kind: "person" | "bot";
  deleted: boolean;
}

export const usagePrincipal = (id: string, name: string | null, kind: string | null, deleted: boolean | null): UsagePrincipal => ({
  id,
  name: name ?? id,
  kind: kind === "person" ? "person" : "bot",
  deleted: Boolean(deleted),
});
