import pg from "pg";
import { afterEach, describe, expect, it } from "vitest";
import { db } from "@/lib/db/client";
import { actorOf, createTestAccount, createTestBot } from "@/lib/test-support/factories";
import { recordUsage } from "@/lib/domain/usage/record-usage";
import { updateAccount } from "@/lib/domain/accounts/update-account";
import { PLAN_QUOTAS } from "./plan-quotas";
import { quotasOver } from "./quota-usage";

// The over-quota banner's check runs for every admin's page view. At expiry it
// must be computed once per account and process, however many requests are in
// flight: the others wait for that one (here on a real PostgreSQL, with the
// usage tables locked by a second connection so the computation cannot finish
// until the callers have all arrived).

const NOW = new Date("2026-11-28T12:00:00Z");
const ctx = { ip: "198.51.100.7", userAgent: "vitest-quotas-over" };
const held: pg.Client[] = [];
afterEach(async () => {
  for (const c of held.splice(0)) await c.end().catch(() => undefined);
});

/** A second connection holding both usage tables locked until released: any read of them waits. */
async function lockUsageTables(): Promise<{ release: () => Promise<void> }> {
  const client = new pg.Client({ connectionString: process.env.DATABASE_URL });
  await client.connect();
  held.push(client);
  await client.query("BEGIN");
  await client.query("LOCK TABLE usage_daily, usage_monthly IN ACCESS EXCLUSIVE MODE");
  return { release: async () => void (await client.query("COMMIT")) };
}

/** The app's statements now waiting on a lock in this database that read usage (asked on a connection of its own: the app's pool may be all waiting). */
async function waitingUsageReads(): Promise<number> {
  const client = new pg.Client({ connectionString: process.env.DATABASE_URL });
  await client.connect();
  try {
    const { rows } = await client.query<{ n: number }>(
      "SELECT count(*)::int AS n FROM pg_stat_activity WHERE datname = current_database() AND wait_event_type = 'Lock' AND query ILIKE '%usage_%' AND pid <> pg_backend_pid()",
    );
    return rows[0]!.n;
  } finally {
    await client.end();
  }
}

async function until(check: () => Promise<boolean>, ms = 10_000): Promise<void> {
  const end = Date.now() + ms;
  while (!(await check())) {
    if (Date.now() > end) throw new Error("timed out");
    await new Promise((r) => setTimeout(r, 25));
  }
}

describe("quotasOver (the over-quota banner)", () => {
  it("computes once for 30 callers arriving together at expiry; they all get that one answer", async () => {
    const { account, owner } = await createTestAccount();
    await db().account.update({ where: { id: account.id }, data: { quotas: { ...PLAN_QUOTAS.team, apiRequests: 10 } } });
    const bot = await createTestBot(account.id);
    await recordUsage(db(), { accountId: account.id, principalId: bot.id, day: NOW, apiRequests: 11 });
    const actor = actorOf(account, owner, "owner");
    expect(await quotasOver(actor, NOW)).toEqual(["apiRequests"]);

    // A minute later the entry has expired: 30 page views at once, while the usage tables are locked.
    const later = new Date(NOW.getTime() + 61_000);
    const lock = await lockUsageTables();
    const callers = Array.from({ length: 30 }, () => quotasOver(actor, later));
    await until(async () => (await waitingUsageReads()) >= 1);
    // Give every caller time to reach the database if it were going to (the pool has 10 connections).
    await new Promise((r) => setTimeout(r, 500));
    expect(await waitingUsageReads()).toBe(1);
    await lock.release();
    expect(await Promise.all(callers)).toEqual(Array.from({ length: 30 }, () => ["apiRequests"]));
    // And it is kept: within the minute nobody reads the tables again.
    const again = await lockUsageTables();
    expect(await quotasOver(actor, new Date(later.getTime() + 30_000))).toEqual(["apiRequests"]);
    await again.release();
  });

  it("follows a quota change at once (as before), and sums only this month's usage", async () => {
    const { account, owner } = await createTestAccount();
    const bot = await createTestBot(account.id);
    await recordUsage(db(), { accountId: account.id, principalId: bot.id, day: new Date("2026-10-31T23:00:00Z"), apiRequests: 1_000 });
    await recordUsage(db(), { accountId: account.id, principalId: bot.id, day: NOW, apiRequests: 50, bytesOut: 2_000_000_000 });
    const actor = actorOf(account, owner, "owner");
    expect(await quotasOver(actor, NOW)).toEqual([]);
    // A computation in flight when the quotas change is not kept: the next caller sees the change.
    const lock = await lockUsageTables();
    const stale = quotasOver(actor, new Date(NOW.getTime() + 61_000));
    await until(async () => (await waitingUsageReads()) >= 1);
    expect(await updateAccount(actor, { quotas: { ...PLAN_QUOTAS.team, apiRequests: 49, bandwidthGb: 1 } }, ctx)).toMatchObject({ ok: true });
    await lock.release();
    await stale;
    expect(await quotasOver(actor, new Date(NOW.getTime() + 62_000))).toEqual(["bandwidth", "apiRequests"]);
  });
});
