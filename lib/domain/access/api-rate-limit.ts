import { consumeRateLimits } from "./rate-limit";

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
 * counters, through the one rate limiter (consumeRateLimits, rate-limit.ts):
 * one statement on the database every instance shares, so parallel requests
 * from any number of instances see consecutive counts and exactly `max` per
 * window get through.
 */
export async function consumeApiRateLimits(
  ids: { credentialId: string; accountId: string },
  limits: { perKey: number; perAccount: number; windowSeconds: number },
): Promise<ApiRateLimitResult> {
  const accountKey = `${PREFIX}account:${ids.accountId}`;
  const states = await consumeRateLimits([
    { key: accountKey, max: limits.perAccount, windowSeconds: limits.windowSeconds },
    { key: `${PREFIX}key:${ids.credentialId}`, max: limits.perKey, windowSeconds: limits.windowSeconds },
  ]);
  const scoped = states.map((s): ApiLimitState & { limited: boolean } => ({
    scope: s.key === accountKey ? "account" : "key",
    limit: s.max,
    remaining: s.remaining,
    resetSeconds: s.resetSeconds,
    limited: s.limited,
  }));
  const exceeded = scoped.filter((s) => s.limited);
  const tightest = [...scoped].sort((a, b) => a.remaining - b.remaining || b.resetSeconds - a.resetSeconds)[0]!;
  return {
    limited: exceeded.length > 0,
    tightest: { scope: tightest.scope, limit: tightest.limit, remaining: tightest.remaining, resetSeconds: tightest.resetSeconds },
    retryAfterSeconds: Math.max(0, ...exceeded.map((s) => s.resetSeconds)),
  };
}
