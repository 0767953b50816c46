import type { Prisma } from "@/lib/db/generated/client";

/** What one call adds to a principal's usage of one day; every amount is a non-negative whole number. */
export interface UsageIncrement {
  accountId: string;
  principalId: string;
  /** The moment the usage happened; its UTC day is the row. Default: now. */
  day?: Date;
  /** Agent (tunnel) sessions started. */
  sessions?: number;
  /** Endpoints bound (each successful bind counts once). */
  endpoints?: number;
  bytesIn?: number;
  bytesOut?: number;
  /** HTTP requests served through the principal's endpoints. */
  tunnelRequests?: number;
  /** REST API requests made with the principal's keys. */
  apiRequests?: number;
}

type UsageWriter = Pick<Prisma.TransactionClient, "$executeRaw">;

const FIELDS = ["sessions", "endpoints", "bytesIn", "bytesOut", "tunnelRequests", "apiRequests"] as const;

/** The UTC calendar day of a moment, as `YYYY-MM-DD`. */
export function utcDay(at: Date): string {
  return at.toISOString().slice(0, 10);
}

/**
 * Adds usage to a principal's row for one UTC day, creating the row on first
 * use. One statement (`INSERT … ON CONFLICT DO UPDATE SET x = x + excluded.x`):
 * PostgreSQL serializes concurrent callers on the row, so no increment is lost
 * with any number of callers in any number of app instances, and no caller
 * ever sees a unique violation. Counters saturate (bytes and requests at 2^53-1,
 * saturating_add in migration saturating_usage) rather than overflow: a flood of
 * usage never makes the account's usage pages fail. Call it with the transaction of the change it
 * meters (so a rolled-back bind meters nothing) or with `db()`.
 * Throws RangeError on a negative or fractional amount (a caller's bug).
 */
export async function recordUsage(tx: UsageWriter, input: UsageIncrement): Promise<void> {
  for (const field of FIELDS) {
    const v = input[field];
    if (v !== undefined && (!Number.isSafeInteger(v) || v < 0)) throw new RangeError(`recordUsage: ${field} must be a non-negative whole number, got ${v}`);
  }
  const day = utcDay(input.day ?? new Date());
  const n = (v: number | undefined) => v ?? 0;
  await tx.$executeRaw`/* prepared */
    INSERT INTO usage_daily AS u (account_id, principal_id, day, sessions, endpoints, bytes_in, bytes_out, tunnel_requests, api_requests, updated_at)
    VALUES (${input.accountId}, ${input.principalId}, ${day}::date, ${n(input.sessions)}, ${n(input.endpoints)},
            ${n(input.bytesIn)}::bigint, ${n(input.bytesOut)}::bigint, ${n(input.tunnelRequests)}::bigint, ${n(input.apiRequests)}::bigint, now())
    ON CONFLICT (account_id, principal_id, day) DO UPDATE SET
      sessions = LEAST(u.sessions::bigint + EXCLUDED.sessions, 2147483647)::int,
      endpoints = LEAST(u.endpoints::bigint + EXCLUDED.endpoints, 2147483647)::int,
      bytes_in = saturating_add(u.bytes_in, EXCLUDED.bytes_in),
      bytes_out = saturating_add(u.bytes_out, EXCLUDED.bytes_out),
      tunnel_requests = saturating_add(u.tunnel_requests, EXCLUDED.tunnel_requests),
      api_requests = saturating_add(u.api_requests, EXCLUDED.api_requests),
      updated_at = now()`;
}
