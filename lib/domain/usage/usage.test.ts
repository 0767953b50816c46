import { afterAll, describe, expect, it } from "vitest";
import { createPrismaClient, db } from "@/lib/db/client";
import { actorOf, createTestAccount, createTestBot, createTestPerson } from "@/lib/test-support/factories";
import { race } from "@/lib/test-support/races";
import { recordUsage } from "./record-usage";
import { usageThisMonth } from "./usage-this-month";

// A second pool, as a second app instance would have.
const otherInstance = createPrismaClient(process.env.DATABASE_URL!, 10);
afterAll(() => otherInstance.$disconnect());

const NOW = new Date("2026-11-28T12:00:00Z");

async function row(accountId: string, principalId: string, day: string) {
  return db().usageDaily.findUnique({ where: { accountId_principalId_day: { accountId, principalId, day: new Date(`${day}T00:00:00Z`) } } });
}

describe("recordUsage", () => {
  it("loses no increment with 40 concurrent callers on two instances, also when they all create the day's row at once", async () => {
    const { account } = await createTestAccount();
    const bot = await createTestBot(account.id);
    const results = await race(5, async (trial) => {
      const day = new Date(Date.UTC(2026, 10, 1 + trial, 8));
      return Array.from({ length: 40 }, (_, i) => () =>
        recordUsage(i % 2 ? db() : otherInstance, { accountId: account.id, principalId: bot.id, day, apiRequests: 1, bytesIn: 1000, bytesOut: i, sessions: i % 4 === 0 ? 1 : 0 }),
      );
    });
    expect(results.flat().filter((r) => r.status === "rejected")).toEqual([]);
    for (let trial = 0; trial < 5; trial++) {
      const r = await row(account.id, bot.id, `2026-11-0${1 + trial}`);
      expect(r).toMatchObject({ apiRequests: 40n, bytesIn: 40_000n, bytesOut: BigInt((39 * 40) / 2), sessions: 10, endpoints: 0 });
    }
  });

  it("counts the UTC day of the moment given, and adds only the fields given", async () => {
    const { account } = await createTestAccount();
    const bot = await createTestBot(account.id);
    // 23:30 in New York on Nov 27 is Nov 28 in UTC.
    await recordUsage(db(), { accountId: account.id, principalId: bot.id, day: new Date("2026-11-28T04:30:00Z"), endpoints: 2 });
    await recordUsage(db(), { accountId: account.id, principalId: bot.id, day: new Date("2026-11-28T23:59:59.999Z"), tunnelRequests: 7 });
    await recordUsage(db(), { accountId: account.id, principalId: bot.id, day: new Date("2026-11-29T00:00:00Z"), endpoints: 1 });
    expect(await row(account.id, bot.id, "2026-11-28")).toMatchObject({ endpoints: 2, tunnelRequests: 7n, sessions: 0, apiRequests: 0n });
    expect(await row(account.id, bot.id, "2026-11-29")).toMatchObject({ endpoints: 1, tunnelRequests: 0n });
  });

  it("refuses negative and fractional amounts, writing nothing", async () => {
    const { account } = await createTestAccount();
    const bot = await createTestBot(account.id);
    await expect(recordUsage(db(), { accountId: account.id, principalId: bot.id, bytesIn: -1 })).rejects.toThrow(RangeError);
    await expect(recordUsage(db(), { accountId: account.id, principalId: bot.id, apiRequests: 1.5 })).rejects.toThrow(RangeError);
    expect(await db().usageDaily.count({ where: { principalId: bot.id } })).toBe(0);
  });

  it("meters nothing when the transaction it was given rolls back", async () => {
    const { account } = await createTestAccount();
    const bot = await createTestBot(account.id);
    await expect(
      db().$transaction(async (tx) => {
        await recordUsage(tx, { accountId: account.id, principalId: bot.id, day: NOW, sessions: 1 });
        throw new Error("bind failed");
      }),
    ).rejects.toThrow("bind failed");
    expect(await row(account.id, bot.id, "2026-11-28")).toBeNull();
  });
});

describe("usageThisMonth", () => {
  it("sums this calendar month's days per principal (UTC), and leaves out last month and next month", async () => {
    const { account, owner } = await createTestAccount();
    const bot = await createTestBot(account.id);
    const at = (iso: string) => new Date(iso);
    await recordUsage(db(), { accountId: account.id, principalId: bot.id, day: at("2026-10-31T23:59:59Z"), bytesIn: 1 });
    await recordUsage(db(), { accountId: account.id, principalId: bot.id, day: at("2026-11-01T00:00:00Z"), bytesIn: 10, sessions: 1 });
    await recordUsage(db(), { accountId: account.id, principalId: bot.id, day: at("2026-11-28T10:00:00Z"), bytesIn: 100, bytesOut: 5, endpoints: 3 });
    await recordUsage(db(), { accountId: account.id, principalId: bot.id, day: at("2026-12-01T00:00:00Z"), bytesIn: 1000 });
    await recordUsage(db(), { accountId: account.id, principalId: owner.id, day: at("2026-11-15T00:00:00Z"), apiRequests: 4 });
    const usage = await usageThisMonth(actorOf(account, owner, "owner"), { now: NOW });
    expect(usage.from).toBe("2026-11-01");
    expect(usage.to).toBe("2026-11-28");
    expect(usage.principals).toEqual([
      { principal: { id: bot.id, name: bot.name, kind: "bot", deleted: false }, sessions: 1, endpoints: 3, bytesIn: 110, bytesOut: 5, tunnelRequests: 0, apiRequests: 0, cursor: `115.0.${bot.id}` },
      { principal: { id: owner.id, name: owner.name, kind: "person", deleted: false }, sessions: 0, endpoints: 0, bytesIn: 0, bytesOut: 0, tunnelRequests: 0, apiRequests: 4, cursor: `0.4.${owner.id}` },
    ]);
    expect(usage.next).toBeNull();
    expect(usage.total).toEqual({ sessions: 1, endpoints: 3, bytesIn: 110, bytesOut: 5, tunnelRequests: 0, apiRequests: 4 });
    const onlyBot = await usageThisMonth(actorOf(account, owner, "owner"), { now: NOW, principalId: bot.id });
    expect(onlyBot.principals.map((p) => p.principal.id)).toEqual([bot.id]);
  });

  it("shows a member their own usage and the bots', never another person's nor another account's", async () => {
    const { account, owner } = await createTestAccount();
    const member = await createTestPerson(account.id, "member");
    const bot = await createTestBot(account.id);
    const other = await createTestAccount();
    const otherBot = await createTestBot(other.account.id);
    for (const [accountId, principalId] of [[account.id, owner.id], [account.id, member.id], [account.id, bot.id], [other.account.id, otherBot.id]] as const) {
      await recordUsage(db(), { accountId, principalId, day: NOW, apiRequests: 1 });
    }
    const seen = await usageThisMonth(actorOf(account, member, "member"), { now: NOW });
    expect(seen.principals.map((p) => p.principal.id).sort()).toEqual([member.id, bot.id].sort());
    expect((await usageThisMonth(actorOf(account, member, "member"), { now: NOW, principalId: owner.id })).principals).toEqual([]);
    const admin = await usageThisMonth(actorOf(account, owner, "owner"), { now: NOW });
    expect(admin.principals.map((p) => p.principal.id).sort()).toEqual([owner.id, member.id, bot.id].sort());
  });
});
