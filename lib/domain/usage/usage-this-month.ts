import { db } from "@/lib/db/client";
import type { Actor } from "@/lib/domain/access/types";
import { canManage } from "@/lib/domain/permissions";
import { utcDay } from "./record-usage";

export interface UsageTotals {
  sessions: number;
  endpoints: number;
  bytesIn: number;
  bytesOut: number;
  tunnelRequests: number;
  apiRequests: number;
}

export interface PrincipalUsage extends UsageTotals {
  principal: { id: string; name: string; kind: "person" | "bot"; deleted: boolean };
}

export interface MonthUsage {
  /** First day of the month (UTC), `YYYY-MM-DD`. */
  from: string;
  /** The last day counted (today, UTC), `YYYY-MM-DD`. */
  to: string;
  /** One row per principal with usage this month, most bytes first. */
  principals: PrincipalUsage[];
  /** The sum over the rows shown. */
  total: UsageTotals;
}

interface Row {
  principal_id: string;
  name: string | null;
  kind: string | null;
  deleted: boolean | null;
  sessions: bigint;
  endpoints: bigint;
  bytes_in: bigint;
  bytes_out: bigint;
  tunnel_requests: bigint;
  api_requests: bigint;
}

const ZERO: UsageTotals = { sessions: 0, endpoints: 0, bytesIn: 0, bytesOut: 0, tunnelRequests: 0, apiRequests: 0 };

/**
 * Usage of the actor's account from the first of the month (UTC) to `now`,
 * per principal. Admins see every principal; members see their own usage and
 * the bots' (as with credentials: bots are the account's shared integrations),
 * never another person's. `principalId` narrows to one principal (nothing when
 * the actor may not see it). Reads the (account_id, day) index: at most one row
 * per principal per day.
 */
export async function usageThisMonth(actor: Actor, opts: { principalId?: string; now?: Date } = {}): Promise<MonthUsage> {
  const now = opts.now ?? new Date();
  const to = utcDay(now);
  const from = `${to.slice(0, 8)}01`;
  const everyone = canManage(actor);
  const rows = await db().$queryRaw<Row[]>`
    SELECT u.principal_id, p.name, p.kind::text AS kind, p.deleted_at IS NOT NULL AS deleted,
           SUM(u.sessions)::bigint AS sessions, SUM(u.endpoints)::bigint AS endpoints,
           SUM(u.bytes_in)::bigint AS bytes_in, SUM(u.bytes_out)::bigint AS bytes_out,
           SUM(u.tunnel_requests)::bigint AS tunnel_requests, SUM(u.api_requests)::bigint AS api_requests
    FROM usage_daily u
    LEFT JOIN principals p ON p.id = u.principal_id
    WHERE u.account_id = ${actor.account.id} AND u.day >= ${from}::date AND u.day <= ${to}::date
      AND (${opts.principalId ?? null}::text IS NULL OR u.principal_id = ${opts.principalId ?? null})
      AND (${everyone} OR u.principal_id = ${actor.principal.id} OR p.kind = 'bot')
    GROUP BY u.principal_id, p.name, p.kind, p.deleted_at
    ORDER BY SUM(u.bytes_in + u.bytes_out) DESC, u.principal_id`;
  const principals = rows.map((r) => ({
    principal: { id: r.principal_id, name: r.name ?? r.principal_id, kind: (r.kind ?? "bot") as "person" | "bot", deleted: Boolean(r.deleted) },
    sessions: Number(r.sessions),
    endpoints: Number(r.endpoints),
    bytesIn: Number(r.bytes_in),
    bytesOut: Number(r.bytes_out),
    tunnelRequests: Number(r.tunnel_requests),
    apiRequests: Number(r.api_requests),
  }));
  const total = { ...ZERO };
  for (const p of principals) for (const k of Object.keys(ZERO) as (keyof UsageTotals)[]) total[k] += p[k];
  return { from, to, principals, total };
}
