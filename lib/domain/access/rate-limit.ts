import { log } from "@/lib/server/log";
import { db, queryHot } from "@/lib/db/client";
import { Prisma } from "@/lib/db/generated/client";

export type RateLimitState = { limited: false } | { limited: true; retryAfterSeconds: number };

/** One fixed-window counter: at most `max` attempts per `windowSeconds` under `key`. */
export interface Counter {
  key: string;
  max: number;
  windowSeconds: number;
}

/** A counter after this attempt was counted. */
export interface CounterState extends Counter {
  count: number;
  remaining: number;
  /** Seconds until this counter's window ends (and it starts over). */
  resetSeconds: number;
  limited: boolean;
}

/**
 * THE rate limiter: fixed-window counters kept in the database, so every app
 * instance sharing it enforces the same limit (sign-in per email and per IP,
 * the REST API per key and per account, recorded credential refusals per
 * credential).
 *
 * Counts one attempt against each counter and answers where each stands in
 * ONE statement (insert-or-increment, returning the new counts): the row lock
 * PostgreSQL takes for `ON CONFLICT DO UPDATE` serializes concurrent attempts,
 * from any number of processes, so N parallel attempts see the counts 1..N and
 * exactly `max` of them get through. Rows are written in key order, so two
 * callers never wait on each other's rows crosswise. Each row keeps its own
 * window, so one sweep (purgeExpiredRateLimits) serves every kind of counter.
 */
export async function consumeRateLimits(counters: Counter[]): Promise<CounterState[]> {
  purgeExpiredSometimes();
  const sorted = [...counters].sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0));
  // The SET expressions read the row as it was before this statement, so the window either
  // continues (count + 1) or starts over (1, now). LEAST keeps a flood from overflowing the int column.
  const rows = await queryHot<{ key: string; count: number; retry: number }>(Prisma.sql`/* prepared */
    INSERT INTO rate_limits AS r (key, window_start, count, window_seconds)
    SELECT k, now(), 1, w FROM unnest(${sorted.map((c) => c.key)}::text[], ${sorted.map((c) => c.windowSeconds)}::int[]) WITH ORDINALITY AS t(k, w, n)
    ORDER BY n
    ON CONFLICT (key) DO UPDATE SET
      count = CASE WHEN r.window_start > now() - make_interval(secs => excluded.window_seconds) THEN LEAST(r.count + 1, 1000000000) ELSE 1 END,
      window_start = CASE WHEN r.window_start > now() - make_interval(secs => excluded.window_seconds) THEN r.window_start ELSE now() END,
      window_seconds = excluded.window_seconds
    RETURNING key, count, CEIL(EXTRACT(EPOCH FROM (window_start + make_interval(secs => window_seconds) - now())))::int AS retry`);
  return counters.map((counter) => {
    const row = rows.find((r) => r.key === counter.key)!;
    return {
      ...counter,
      count: row.count,
      remaining: Math.max(0, counter.max - row.count),
      resetSeconds: Math.max(1, row.retry),
      limited: row.count > counter.max,
    };
  });
}

/** One counter (consumeRateLimits): limited, with when to try again, once `max` attempts were made in its window. */
export async function consumeRateLimit(key: string, max: number, windowSeconds: number): Promise<RateLimitState> {
  const [state] = await consumeRateLimits([{ key, max, windowSeconds }]);
  return state!.limited ? { limited: true, retryAfterSeconds: state!.resetSeconds } : { limited: false };
}

/** Gives back one counted attempt (a sign-in that succeeded is not a failure). */
export async function refundRateLimit(key: string): Promise<void> {
  await db().$executeRaw`UPDATE rate_limits SET count = GREATEST(count - 1, 0) WHERE key = ${key}`;
}

export async function clearRateLimit(key: string): Promise<void> {
  await db().rateLimit.deleteMany({ where: { key } });
}

/**
 * Deletes every counter whose own window has ended (it would only start over
 * at 1). SKIP LOCKED: the sweep never waits for a row an attempt holds, so it
 * can never deadlock with one.
 */
export async function purgeExpiredRateLimits(): Promise<number> {
  return db().$executeRaw`DELETE FROM rate_limits WHERE key IN (
    SELECT key FROM rate_limits WHERE window_start <= now() - make_interval(secs => window_seconds)
    FOR UPDATE SKIP LOCKED)`;
}

// Each distinct email, IP, key and account leaves a row behind; sweeping at
// most once a minute per process keeps the table at about one window's worth
// of keys without a scheduler, and costs nothing on the attempt that triggers it.
let lastPurge = 0;
function purgeExpiredSometimes(): void {
  const now = Date.now();
  if (now - lastPurge < 60_000) return;
  lastPurge = now;
  purgeExpiredRateLimits().catch((error: unknown) => {
    log.error("rate-limit", "purging expired counters failed", { error: error instanceof Error ? error.message : error });
  });
}
