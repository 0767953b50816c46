import { db } from "@/lib/db/client";

export type RateLimitState = { limited: false } | { limited: true; retryAfterSeconds: number };

/**
 * Fixed-window counters kept in the database, so every app instance sharing it
 * enforces the same limit.
 *
 * `consumeRateLimit` counts one attempt and answers whether it is over the
 * limit in ONE statement (insert-or-increment, returning the new count): the
 * row lock PostgreSQL takes for `ON CONFLICT DO UPDATE` serializes concurrent
 * attempts, from any number of processes, so N parallel attempts see the counts
 * 1..N and exactly `max` of them get through. Checking first and counting after
 * the slow password check let a parallel burst through unchecked.
 */
export async function consumeRateLimit(key: string, max: number, windowSeconds: number): Promise<RateLimitState> {
  purgeExpiredSometimes(windowSeconds);
  // The SET expressions read the row as it was before this statement, so the
  // window either continues (count + 1) or starts over (1, now). LEAST keeps a
  // flood from overflowing the int column.
  const [row] = await db().$queryRaw<{ count: number; retry: number }[]>`
    INSERT INTO rate_limits (key, window_start, count) VALUES (${key}, now(), 1)
    ON CONFLICT (key) DO UPDATE SET
      count = CASE WHEN rate_limits.window_start > now() - make_interval(secs => ${windowSeconds})
                   THEN LEAST(rate_limits.count + 1, 1000000) ELSE 1 END,
      window_start = CASE WHEN rate_limits.window_start > now() - make_interval(secs => ${windowSeconds})
                          THEN rate_limits.window_start ELSE now() END
    RETURNING count, CEIL(EXTRACT(EPOCH FROM (window_start + make_interval(secs => ${windowSeconds}) - now())))::int AS retry`;
  if (row && row.count > max) return { limited: true, retryAfterSeconds: Math.max(1, row.retry) };
  return { limited: false };
}

/** Gives back one counted attempt (a sign-in that succeeded is not a failure). */
export async function refundRateLimit(key: string): Promise<void> {
  await db().$executeRaw`UPDATE rate_limits SET count = GREATEST(count - 1, 0) WHERE key = ${key}`;
}

export async function clearRateLimit(key: string): Promise<void> {
  await db().rateLimit.deleteMany({ where: { key } });
}

/**
 * Deletes counters whose window has ended; they would only be restarted at 1.
 * Not the API's (`api:…`, lib/domain/access/api-rate-limit.ts): their window
 * is their own, and they purge themselves.
 */
export async function purgeExpiredRateLimits(windowSeconds: number): Promise<number> {
  return db().$executeRaw`DELETE FROM rate_limits WHERE key NOT LIKE 'api:%' AND window_start <= now() - make_interval(secs => ${windowSeconds})`;
}

// Each distinct email and IP leaves a row behind; sweeping at most once a
// minute per process keeps the table at about one window's worth of keys
// without a scheduler, and costs nothing on the attempt that triggers it.
let lastPurge = 0;
function purgeExpiredSometimes(windowSeconds: number): void {
  const now = Date.now();
  if (now - lastPurge < 60_000) return;
  lastPurge = now;
  purgeExpiredRateLimits(windowSeconds).catch((error: unknown) => {
    console.error("[rate-limit] purging expired counters failed:", error instanceof Error ? error.message : error);
  });
}
