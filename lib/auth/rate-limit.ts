import { db } from "@/lib/db/client";

export type RateLimitState = { limited: false } | { limited: true; retryAfterSeconds: number };

/**
 * Fixed-window counters kept in the database, so every app instance sharing it
 * enforces the same limit. `check` reads without counting; `hit` counts one.
 */
export async function checkRateLimit(key: string, max: number, windowSeconds: number): Promise<RateLimitState> {
  const rows = await db().$queryRaw<{ count: number; retry: number }[]>`
    SELECT count, CEIL(EXTRACT(EPOCH FROM (window_start + make_interval(secs => ${windowSeconds}) - now())))::int AS retry
    FROM rate_limits
    WHERE key = ${key} AND window_start > now() - make_interval(secs => ${windowSeconds})`;
  const row = rows[0];
  if (row && row.count >= max) return { limited: true, retryAfterSeconds: Math.max(1, row.retry) };
  return { limited: false };
}

export async function hitRateLimit(key: string, windowSeconds: number): Promise<void> {
  await db().$executeRaw`
    INSERT INTO rate_limits (key, window_start, count) VALUES (${key}, now(), 1)
    ON CONFLICT (key) DO UPDATE SET
      count = CASE WHEN rate_limits.window_start > now() - make_interval(secs => ${windowSeconds}) THEN rate_limits.count + 1 ELSE 1 END,
      window_start = CASE WHEN rate_limits.window_start > now() - make_interval(secs => ${windowSeconds}) THEN rate_limits.window_start ELSE now() END`;
}

export async function clearRateLimit(key: string): Promise<void> {
  await db().rateLimit.deleteMany({ where: { key } });
}
