import { describe, expect, it } from "vitest";
import { db } from "@/lib/db/client";
import { newId } from "@/lib/ids";
import { actorOf, createTestAccount, createTestPerson } from "@/lib/test-support/factories";
import { accountQuotaUsage, overQuotaShares, USAGE_PAGE_SIZE, type QuotaUsage } from "@/lib/domain/quotas/quota-usage";
import { PLAN_QUOTAS } from "@/lib/domain/quotas/plan-quotas";
import { recordUsage } from "./record-usage";
import { usageThisMonth } from "./usage-this-month";

// /usage at the size that took the service down: thousands of principals with
// a month of usage. Every figure is checked against usage_daily itself (not the
// monthly roll-up the code reads), and what one call returns must not grow
// with the account.

const NOW = new Date("2026-11-20T12:00:00Z");
const BOTS = 3000;
const DAYS = 20;

interface DailyRow {
  principal_id: string;
  day: Date;
  sessions: number;
  bandwidth: bigint;
  api_requests: bigint;
}

/** An account with BOTS bots and a person, each with usage on most days of November 1–20 (bulk SQL, through the roll-up's trigger). */
async function bigAccount() {
  const { account, owner } = await createTestAccount();
  const member = await createTestPerson(account.id, "member");
  const ids = Array.from({ length: BOTS }, () => newId("bot"));
  await db().$executeRaw`
    INSERT INTO principals (id, kind, name, name_key, account_id)
    SELECT id, 'bot', 'scale-bot-' || lpad(n::text, 5, '0'), 'scale-bot-' || lpad(n::text, 5, '0'), ${account.id}
    FROM unnest(${ids}::text[]) WITH ORDINALITY AS t(id, n)`;
  // Ties on purpose: bandwidth repeats every 97 bots and API requests every 13, so the order falls back to the id.
  await db().$executeRaw`
    INSERT INTO usage_daily (account_id, principal_id, day, sessions, endpoints, bytes_in, bytes_out, api_requests)
    SELECT ${account.id}, id, date '2026-11-01' + d, (n + d) % 2, 0, ((n % 97) * 1000 + d)::bigint, 500, ((n * 7 + d) % 13)::bigint
    FROM unnest(${ids}::text[]) WITH ORDINALITY AS t(id, n), generate_series(0, ${DAYS - 1}) d
    WHERE (n + d) % 3 <> 0`;
  await recordUsage(db(), { accountId: account.id, principalId: member.id, day: NOW, apiRequests: 7, bytesIn: 10 });
  await recordUsage(db(), { accountId: account.id, principalId: owner.id, day: new Date("2026-11-02T08:00:00Z"), apiRequests: 5_000 });
  const rows = await db().$queryRaw<DailyRow[]>`
    SELECT principal_id, day, sessions, (bytes_in + bytes_out)::bigint AS bandwidth, api_requests FROM usage_daily WHERE account_id = ${account.id}`;
  const total = { sessions: 0, bandwidth: 0, apiRequests: 0 };
  for (const r of rows) {
    total.sessions += r.sessions;
    total.bandwidth += Number(r.bandwidth);
    total.apiRequests += Number(r.api_requests);
  }
  // Over two quotas, crossed mid-month: API requests and bandwidth; sessions stay under.
  const quotas = { ...PLAN_QUOTAS.team, sessions: total.sessions + 1, apiRequests: Math.floor(total.apiRequests * 0.6), bandwidthGb: 1 };
  await db().account.update({ where: { id: account.id }, data: { quotas } });
  return { account, owner, member, ids, rows, total, quotas };
}

/** Every page after the first, following `after` to the end. */
async function allPages(first: QuotaUsage, next: (after: string) => Promise<QuotaUsage>): Promise<QuotaUsage[]> {
  const pages = [first];
  while (pages.at(-1)!.principals.after) pages.push(await next(pages.at(-1)!.principals.after!));
  return pages;
}

describe("/usage's data at thousands of principals", () => {
  it("answers one bounded page with the account's exact totals, pages through everyone in order both ways, and marks exactly who went over", { timeout: 240_000 }, async () => {
    const { account, owner, member, ids, rows, total, quotas } = await bigAccount();
    const admin = actorOf(account, owner, "owner");
    const first = await accountQuotaUsage(admin, { now: NOW });

    // Bounded: one page of rows, six named series and "others", a value per day, whatever the account's size.
    expect(first.principals.rows).toHaveLength(USAGE_PAGE_SIZE);
    expect(first.principals.count).toBe(BOTS + 2);
    expect(first.principals.start).toBe(1);
    expect(first.chart.top).toHaveLength(6);
    expect(first.chart.days).toHaveLength(20);
    expect(JSON.stringify(first).length).toBeLessThan(40_000);

    // The meters are the account's exact month.
    const meter = (m: string) => first.meters.find((x) => x.metric === m)!;
    expect(meter("sessions")).toEqual({ metric: "sessions", used: total.sessions, limit: quotas.sessions, over: false });
    expect(meter("bandwidth")).toEqual({ metric: "bandwidth", used: total.bandwidth, limit: 1e9, over: total.bandwidth > 1e9 });
    expect(meter("apiRequests")).toEqual({ metric: "apiRequests", used: total.apiRequests, limit: quotas.apiRequests, over: true });

    // The chart: per day, the named series and "others" add up to the day's API requests; "others" counts everyone else with any.
    const perDay = new Map<string, number>();
    for (const r of rows) perDay.set(r.day.toISOString().slice(0, 10), (perDay.get(r.day.toISOString().slice(0, 10)) ?? 0) + Number(r.api_requests));
    first.chart.days.forEach((day, i) => {
      const drawn = first.chart.top.reduce((sum, s) => sum + s.values[i]!, 0) + (first.chart.others?.values[i] ?? 0);
      expect(drawn, day).toBe(perDay.get(day) ?? 0);
    });
    const users = new Set(rows.filter((r) => r.api_requests > 0n).map((r) => r.principal_id));
    expect(first.chart.others!.count).toBe(users.size - 6);
    expect(first.chart.top[0]!.principal.id).toBe(owner.id);

    // Every principal once, in the order: most bandwidth, then most API requests, then id.
    const pages = await allPages(first, (after) => accountQuotaUsage(admin, { now: NOW, after }));
    expect(pages.length).toBe(Math.ceil((BOTS + 2) / USAGE_PAGE_SIZE));
    const listed = pages.flatMap((p) => p.principals.rows);
    const month = new Map<string, { bandwidth: number; apiRequests: number; sessions: number }>();
    for (const r of rows) {
      const m = month.get(r.principal_id) ?? { bandwidth: 0, apiRequests: 0, sessions: 0 };
      m.bandwidth += Number(r.bandwidth);
      m.apiRequests += Number(r.api_requests);
      m.sessions += r.sessions;
      month.set(r.principal_id, m);
    }
    const expected = [...month.entries()]
      .sort(([a, x], [b, y]) => y.bandwidth - x.bandwidth || y.apiRequests - x.apiRequests || (a < b ? -1 : 1))
      .map(([id]) => id);
    expect(listed.map((r) => r.principal.id)).toEqual(expected);
    for (const r of listed) expect(r.used, r.principal.id).toMatchObject(month.get(r.principal.id)!);
    pages.forEach((p, i) => expect(p.principals.start).toBe(i * USAGE_PAGE_SIZE + 1));

    // Back from the last page with `before`: the same pages in reverse.
    let back = pages.at(-1)!;
    for (let i = pages.length - 2; i >= 0; i--) {
      back = await accountQuotaUsage(admin, { now: NOW, before: back.principals.before! });
      expect(back.principals.rows.map((r) => r.principal.id)).toEqual(pages[i]!.principals.rows.map((r) => r.principal.id));
      expect(back.principals.start).toBe(i * USAGE_PAGE_SIZE + 1);
    }
    expect(back.principals.before).toBeNull();

    // The over marks equal the rule's reference (overQuotaShares over every row of the month), for everyone, on every page.
    for (const metric of ["apiRequests", "bandwidth"] as const) {
      const reference = overQuotaShares(
        rows.map((r) => ({ principalId: r.principal_id, day: r.day.toISOString().slice(0, 10), amount: Number(metric === "bandwidth" ? r.bandwidth : r.api_requests) })),
        metric === "bandwidth" ? 1e9 : quotas.apiRequests,
      );
      for (const r of listed) expect(r.overBy[metric], `${metric} ${r.principal.id}`).toBe(reference.get(r.principal.id) ?? 0);
      const sum = listed.reduce((s, r) => s + r.overBy[metric], 0);
      expect(sum).toBe(metric === "bandwidth" ? total.bandwidth - 1e9 : total.apiRequests - quotas.apiRequests);
    }
    expect(listed.every((r) => r.overBy.sessions === 0)).toBe(true);

    // A member: their own row and the bots', the account's meters.
    const seen = await accountQuotaUsage(actorOf(account, member, "member"), { now: NOW, size: 100 });
    expect(seen.principals.count).toBe(BOTS + 1);
    expect(seen.principals.rows).toHaveLength(100);
    expect(seen.principals.rows.some((r) => r.principal.id === owner.id)).toBe(false);
    expect(seen.meters).toEqual(first.meters);

    // The API's list: pages of at most 100 by cursor, the total over everyone.
    const api = await usageThisMonth(admin, { now: NOW, limit: 100 });
    expect(api.principals).toHaveLength(100);
    expect(api.principals.map((p) => p.principal.id)).toEqual(expected.slice(0, 100));
    expect(api.total.apiRequests).toBe(total.apiRequests);
    const second = await usageThisMonth(admin, { now: NOW, limit: 100, after: api.next });
    expect(second.principals.map((p) => p.principal.id)).toEqual(expected.slice(100, 200));
    expect(ids).toHaveLength(BOTS);
  });

  it("keeps the monthly roll-up equal to usage_daily through upserts, updates, deletes and month boundaries", async () => {
    const { account } = await createTestAccount();
    const bots = Array.from({ length: 20 }, () => newId("bot"));
    await db().$executeRaw`
      INSERT INTO principals (id, kind, name, name_key, account_id)
      SELECT id, 'bot', 'rollup-' || n, 'rollup-' || n, ${account.id} FROM unnest(${bots}::text[]) WITH ORDINALITY AS t(id, n)`;
    const days = ["2026-10-31", "2026-11-01", "2026-11-15", "2026-11-30", "2026-12-01"];
    await Promise.all(
      Array.from({ length: 200 }, (_, i) =>
        recordUsage(db(), { accountId: account.id, principalId: bots[i % 20]!, day: new Date(`${days[Math.floor(i / 20) % days.length]}T12:00:00Z`), apiRequests: i, bytesOut: 3, sessions: 1 }),
      ),
    );
    // An update within the month, one moving a row to the next month, one changing only counters.
    await db().$executeRaw`UPDATE usage_daily SET api_requests = api_requests + 5, day = '2026-12-02' WHERE account_id = ${account.id} AND principal_id = ${bots[0]!} AND day = '2026-12-01'`;
    await db().$executeRaw`UPDATE usage_daily SET day = '2026-12-03' WHERE account_id = ${account.id} AND principal_id = ${bots[1]!} AND day = '2026-11-30'`;
    await db().$executeRaw`UPDATE usage_daily SET bytes_out = 0 WHERE account_id = ${account.id} AND day = '2026-10-31'`;
    await db().$executeRaw`DELETE FROM usage_daily WHERE account_id = ${account.id} AND principal_id = ANY(${bots.slice(1, 4)}::text[]) AND day = '2026-11-15'`;
    await db().$executeRaw`DELETE FROM usage_daily WHERE account_id = ${account.id} AND principal_id = ${bots[5]!}`;
    const mismatch = await db().$queryRaw<unknown[]>`
      WITH daily AS (
        SELECT account_id, date_trunc('month', day::timestamp)::date AS month, principal_id, sum(sessions)::bigint AS sessions, sum(api_requests)::bigint AS api,
               sum(bytes_out)::bigint AS bytes_out, count(*)::int AS days
        FROM usage_daily WHERE account_id = ${account.id} GROUP BY 1, 2, 3
      ), monthly AS (
        SELECT account_id, month, principal_id, sessions, api_requests AS api, bytes_out, days FROM usage_monthly WHERE account_id = ${account.id}
      )
      (SELECT * FROM daily EXCEPT SELECT * FROM monthly) UNION ALL (SELECT * FROM monthly EXCEPT SELECT * FROM daily)`;
    expect(mismatch).toEqual([]);
    // No row for a principal whose month has no usage left.
    expect(await db().usageMonthly.count({ where: { principalId: bots[5]! } })).toBe(0);
    expect(await db().usageMonthly.count({ where: { accountId: account.id } })).toBeGreaterThan(20);
  });
});
