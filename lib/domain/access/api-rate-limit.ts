import { db } from "@/lib/db/client";

/** One counter's state after this request was counted. */
export interface ApiLimitState {
  scope: "key" | "account";
  limit: number;
  remaining: number;
  /** Seconds until this counter's window ends (and it starts over). */
  resetSeconds: number;
}

export interface ApiRateLimitResult {
  limited: boolean;
  /** The counter closest to its limit: what X-RateLimit-* report. */
  tightest: ApiLimitState;
  /** When limited: seconds until every exceeded counter has started over. */
  retryAfterSeconds: number;
}

/** Counter keys in the shared rate_limits table; the prefix keeps the API's apart from sign-in's. */
const PREFIX = "api:";

/**
 * Counts one API request against its key's and its account's fixed-window
 * counters, in ONE statement on the database every instance shares (like the
 * sign-in limits, lib/domain/access/rate-limit.ts): insert-or-increment both
 * rows and return the new counts, so parallel requests from any number of
 * instances see consecutive counts and exactly `max` per window get through.
 * Rows are written in key order ("api:account:…" before "api:key:…"), so two
 * requests never wait on each other's rows in opposite orders.
 */
export async function consumeApiRateLimits(
  ids: { credentialId: string; accountId: string },
  limits: { perKey: number; perAccount: number; windowSeconds: number },
): Promise<ApiRateLimitResult> {
  purgeExpiredSometimes(limits.windowSeconds);
  const accountKey = `${PREFIX}account:${ids.accountId}`;
  const credentialKey = `${PREFIX}key:${ids.credentialId}`;
  const w = limits.windowSeconds;
  const rows = await db().$queryRaw<{ key: string; count: number; retry: number }[]>`/* prepared */
    INSERT INTO rate_limits AS r (key, window_start, count) VALUES (${accountKey}, now(), 1), (${credentialKey}, now(), 1)
    ON CONFLICT (key) DO UPDATE SET
      count = CASE WHEN r.window_start > now() - make_interval(secs => ${w}) THEN LEAST(r.count + 1, 1000000000) ELSE 1 END,
      window_start = CASE WHEN r.window_start > now() - make_interval(secs => ${w}) THEN r.window_start ELSE now() END
    RETURNING key, count, CEIL(EXTRACT(EPOCH FROM (window_start + make_interval(secs => ${w}) - now())))::int AS retry`;
  const states = rows.map((row): ApiLimitState & { count: number } => {
    const scope = row.key === accountKey ? "account" : "key";
    const limit = scope === "account" ? limits.perAccount : limits.perKey;
    return { scope, limit, count: row.count, remaining: Math.max(0, limit - row.count), resetSeconds: Math.max(1, row.retry) };
  });
  const exceeded = states.filter((s) => s.count > s.limit);
  const tightest = [...states].sort((a, b) => a.remaining - b.remaining || b.resetSeconds - a.resetSeconds)[0]!;
  return {
    limited: exceeded.length > 0,
    tightest: { scope: tightest.scope, limit: tightest.limit, remaining: tightest.remaining, resetSeconds: tightest.resetSeconds },
    retryAfterSeconds: Math.max(0, ...exceeded.map((s) => s.resetSeconds)),
  };
}

/**
 * Deletes the API's counters whose window has ended (only the API's: sign-in
 * windows are longer). SKIP LOCKED: the sweep never waits for a row a request
 * holds, so it can never deadlock with one.
 */
export async function purgeExpiredApiRateLimits(windowSeconds: number): Promise<number> {
  return db().$executeRaw`DELETE FROM rate_limits WHERE key IN (
    SELECT key FROM rate_limits WHERE key LIKE ${`${PREFIX}%`} AND window_start <= now() - make_interval(secs => ${windowSeconds})
    FOR UPDATE SKIP LOCKED)`;
}

// Every key and account leaves a row; ended windows are swept at most once a
// minute per process, without a scheduler.
let lastPurge = 0;
function purgeExpiredSometimes(windowSeconds: number): void {
  const now = Date.now();
  if (now - lastPurge < 60_000) return;
  lastPurge = now;
  purgeExpiredApiRateLimits(windowSeconds).catch((error: unknown) =>
    console.error("[api-rate-limit] purging expired counters failed:", error instanceof Error ? error.message : error),
  );
}
