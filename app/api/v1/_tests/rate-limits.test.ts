import { describe, expect, it } from "vitest";
import { db } from "@/lib/db/client";
import { consumeApiRateLimits } from "@/lib/domain/access/api-rate-limit";
import { purgeExpiredRateLimits } from "@/lib/domain/access/rate-limit";
import { usageWritten } from "@/lib/domain/usage/usage-meter";
import { env } from "@/lib/env";
import { apiAccount, call } from "./client";

/** Sets a counter as if `count` requests had been made in the current window (what other instances' requests do). */
const fill = (key: string, count: number) =>
  db().$executeRaw`INSERT INTO rate_limits (key, window_start, count, window_seconds) VALUES (${key}, now(), ${count}, ${env.BOTDESK_API_WINDOW_SECONDS})
    ON CONFLICT (key) DO UPDATE SET window_start = now(), count = ${count}`;

describe("API rate limits (per key and per account, in the shared database)", () => {
  it("reports the tightest counter on every answer", async () => {
    const { owner } = await apiAccount();
    const res = await call("GET", "/bot_users", { key: owner.key.token });
    expect(res.status).toBe(200);
    expect(res.headers.get("x-ratelimit-limit")).toBe(String(env.BOTDESK_API_MAX_PER_KEY));
    expect(res.headers.get("x-ratelimit-remaining")).toBe(String(env.BOTDESK_API_MAX_PER_KEY - 1));
    expect(res.headers.get("x-ratelimit-scope")).toBe("key");
    expect(Number(res.headers.get("x-ratelimit-reset"))).toBeGreaterThan(0);
    expect(res.headers.get("retry-after")).toBeNull();
    // Errors after authentication carry them too.
    expect((await call("GET", "/bot_users/bot_0000000000000000000000", { key: owner.key.token })).headers.get("x-ratelimit-remaining")).toBe(
      String(env.BOTDESK_API_MAX_PER_KEY - 2),
    );
  });

  it("answers 429 with Retry-After once a key used its window, while the account's other keys go on", async () => {
    const { owner, admin } = await apiAccount();
    await fill(`api:key:${owner.key.id}`, env.BOTDESK_API_MAX_PER_KEY);
    const res = await call("POST", "/bot_users", { key: owner.key.token, body: { name: "not-made" } });
    expect(res.status).toBe(429);
    expect(res.body).toMatchObject({ error_code: "ERR_BOTDESK_429", status_code: 429 });
    const retry = Number(res.headers.get("retry-after"));
    expect(retry).toBeGreaterThanOrEqual(1);
    expect(retry).toBeLessThanOrEqual(env.BOTDESK_API_WINDOW_SECONDS);
    expect(res.headers.get("x-ratelimit-remaining")).toBe("0");
    expect(await db().principal.count({ where: { name: "not-made" } })).toBe(0);
    expect((await call("GET", "/bot_users", { key: admin.key.token })).status).toBe(200);
  });

  it("limits every key of an account together", async () => {
    const { owner, admin } = await apiAccount();
    await fill(`api:account:${owner.actor.account.id}`, env.BOTDESK_API_MAX_PER_ACCOUNT);
    for (const key of [owner.key.token, admin.key.token]) {
      const res = await call("GET", "/bot_users", { key });
      expect(res.status).toBe(429);
      expect(res.headers.get("x-ratelimit-scope")).toBe("account");
    }
  });

  it("starts a counter over once its window has passed", async () => {
    const { owner } = await apiAccount();
    await db().$executeRaw`INSERT INTO rate_limits (key, window_start, count, window_seconds)
      VALUES (${`api:key:${owner.key.id}`}, now() - make_interval(secs => ${env.BOTDESK_API_WINDOW_SECONDS + 1}), ${env.BOTDESK_API_MAX_PER_KEY + 5}, ${env.BOTDESK_API_WINDOW_SECONDS})`;
    const res = await call("GET", "/bot_users", { key: owner.key.token });
    expect(res.status).toBe(200);
    expect(res.headers.get("x-ratelimit-remaining")).toBe(String(env.BOTDESK_API_MAX_PER_KEY - 1));
  });

  it("lets exactly `max` of many parallel requests through (one statement per request, any number of instances)", async () => {
    const ids = { credentialId: `ak_race${Date.now()}`, accountId: `ac_race${Date.now()}` };
    const results = await Promise.all(Array.from({ length: 30 }, () => consumeApiRateLimits(ids, { perKey: 7, perAccount: 1000, windowSeconds: 60 })));
    expect(results.filter((r) => !r.limited)).toHaveLength(7);
    expect(new Set(results.filter((r) => !r.limited).map((r) => r.tightest.remaining))).toEqual(new Set([0, 1, 2, 3, 4, 5, 6]));
  });

  it("meters every request served as the key owner's API usage, and refused ones not", async () => {
    const { bot } = await apiAccount();
    const usage = async () => {
      await usageWritten(); // the API counts in memory and writes in batches (usage-meter.ts)
      const [row] = await db().$queryRaw<{ n: bigint }[]>`SELECT COALESCE(SUM(api_requests), 0)::bigint AS n FROM usage_daily WHERE principal_id = ${bot.principal.id}`;
      return Number(row?.n ?? 0);
    };
    await call("GET", "/bot_users", { key: bot.key.token });
    await call("GET", "/api_keys", { key: bot.key.token });
    expect(await usage()).toBe(2);
    await fill(`api:key:${bot.key.id}`, env.BOTDESK_API_MAX_PER_KEY);
    expect((await call("GET", "/bot_users", { key: bot.key.token })).status).toBe(429);
    expect(await usage()).toBe(2);
  });

  it("one sweep deletes every counter whose own window has ended, whatever kind it is, and no other", async () => {
    // Before, each limiter swept with one window for all its counters: a sweep started by a credential refusal
    // (a one-minute window) deleted sign-in counters two minutes into their fifteen.
    const old = (key: string, ageSeconds: number, windowSeconds: number) =>
      db().$executeRaw`INSERT INTO rate_limits (key, window_start, count, window_seconds) VALUES (${key}, now() - make_interval(secs => ${ageSeconds}), 1, ${windowSeconds})`;
    await old("api:key:ak_swept", 120, 60);
    await old("api:key:ak_current", 10, 60);
    await old("signin:email:swept@example.test", 1000, 900);
    await old("signin:email:current@example.test", 120, 900);
    await old("refused:cr_swept", 61, 60);
    await purgeExpiredRateLimits();
    const mine = ["api:key:ak_swept", "api:key:ak_current", "signin:email:swept@example.test", "signin:email:current@example.test", "refused:cr_swept"];
    const kept = (await db().rateLimit.findMany({ where: { key: { in: mine } }, select: { key: true } })).map((r) => r.key).sort();
    expect(kept).toEqual(["api:key:ak_current", "signin:email:current@example.test"]);
  });
});
