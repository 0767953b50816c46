import { describe, expect, it } from "vitest";
import { db } from "@/lib/db/client";
import { actorOf, createTestAccount, createTestBot, createTestPerson } from "@/lib/test-support/factories";
import { recordUsage } from "@/lib/domain/usage/record-usage";
import { updateAccount } from "@/lib/domain/accounts/update-account";
import { accountQuotaUsage, overQuotaShares, quotasOver } from "./quota-usage";
import { PLAN_QUOTAS, quotasOf } from "./plan-quotas";

const NOW = new Date("2026-11-28T12:00:00Z");
const ctx = { ip: "198.51.100.7", userAgent: "vitest-quotas" };
const at = (day: string) => new Date(`${day}T10:00:00Z`);

async function withQuotas(quotas: Partial<typeof PLAN_QUOTAS.team>) {
  const t = await createTestAccount();
  await db().account.update({ where: { id: t.account.id }, data: { quotas: { ...PLAN_QUOTAS.team, ...quotas } } });
  return t;
}

describe("quotasOf", () => {
  it("takes each valid stored quota and the plan's default for the rest (an unknown plan gets team's)", () => {
    expect(quotasOf("team", {})).toEqual(PLAN_QUOTAS.team);
    expect(quotasOf("free", { apiRequests: 5, sessions: -1, endpoints: "x" })).toEqual({ ...PLAN_QUOTAS.free, apiRequests: 5 });
    expect(quotasOf("gold", null)).toEqual(PLAN_QUOTAS.team);
  });
});

describe("overQuotaShares", () => {
  it("marks no one when the total reaches the quota exactly, and the crossing principal by one over it", () => {
    const rows = [
      { principalId: "a", day: "2026-11-01", amount: 60 },
      { principalId: "b", day: "2026-11-02", amount: 40 },
    ];
    expect(overQuotaShares(rows, 100)).toEqual(new Map());
    expect(overQuotaShares([...rows, { principalId: "c", day: "2026-11-03", amount: 1 }], 100)).toEqual(new Map([["c", 1]]));
  });

  it("counts the crossing row by what exceeds the quota and every later row in full, in day order; the shares sum to total − quota", () => {
    const rows = [
      { principalId: "late", day: "2026-11-05", amount: 7 },
      { principalId: "early", day: "2026-11-01", amount: 90 },
      { principalId: "cross", day: "2026-11-03", amount: 20 },
      { principalId: "early", day: "2026-11-04", amount: 3 },
    ];
    const shares = overQuotaShares(rows, 100);
    expect(shares).toEqual(new Map([["cross", 10], ["early", 3], ["late", 7]]));
    expect([...shares.values()].reduce((a, b) => a + b)).toBe(120 - 100);
  });

  it("orders one day's rows largest first, then by id", () => {
    const rows = [
      { principalId: "small", day: "2026-11-01", amount: 5 },
      { principalId: "big", day: "2026-11-01", amount: 50 },
    ];
    expect(overQuotaShares(rows, 50)).toEqual(new Map([["small", 5]]));
    expect(overQuotaShares(rows, 0)).toEqual(new Map([["big", 50], ["small", 5]]));
  });
});

describe("accountQuotaUsage", () => {
  it("sums the account's month per quota (bandwidth = in + out, in GB of 10^9 bytes) and marks who pushed it over", async () => {
    const { account, owner } = await withQuotas({ apiRequests: 100, bandwidthGb: 1 });
    const early = await createTestBot(account.id, "early-bot");
    const late = await createTestBot(account.id, "late-bot");
    await recordUsage(db(), { accountId: account.id, principalId: early.id, day: at("2026-10-31"), apiRequests: 1000 }); // last month
    await recordUsage(db(), { accountId: account.id, principalId: early.id, day: at("2026-11-01"), apiRequests: 100, bytesIn: 600_000_000 });
    await recordUsage(db(), { accountId: account.id, principalId: late.id, day: at("2026-11-20"), apiRequests: 1, bytesOut: 400_000_000 });
    const usage = await accountQuotaUsage(actorOf(account, owner, "owner"), { now: NOW });
    expect(usage.from).toBe("2026-11-01");
    expect(usage.chart.days).toHaveLength(28);
    expect(usage.meters).toEqual([
      { metric: "sessions", used: 0, limit: 50, over: false },
      { metric: "endpoints", used: 0, limit: 200, over: false },
      { metric: "bandwidth", used: 1e9, limit: 1e9, over: false },
      { metric: "apiRequests", used: 101, limit: 100, over: true },
    ]);
    const byName = Object.fromEntries(usage.principals.rows.map((p) => [p.principal.name, p]));
    expect(byName["early-bot"]!.overBy).toEqual({ sessions: 0, endpoints: 0, bandwidth: 0, apiRequests: 0 });
    expect(byName["late-bot"]!.overBy).toEqual({ sessions: 0, endpoints: 0, bandwidth: 0, apiRequests: 1 });
    // The chart of API requests: the early bot's 100 on the 1st, the late bot's 1 on the 20th (last month's 1,000 not counted).
    expect(usage.chart.top.map((s) => [s.principal.name, s.values[0], s.values[19]])).toEqual([
      ["early-bot", 100, 0],
      ["late-bot", 0, 1],
    ]);
    expect(usage.chart.others).toBeNull();
    expect(await quotasOver(actorOf(account, owner, "owner"), NOW)).toEqual(["apiRequests"]);
  });

  it("marks who went over two quotas at once by the amounts the rule gives, in one read for both", async () => {
    const { account, owner } = await withQuotas({ apiRequests: 100, sessions: 4 });
    const admin = actorOf(account, owner, "owner");
    const bots: Awaited<ReturnType<typeof createTestBot>>[] = [];
    for (let i = 0; i < 5; i++) bots.push(await createTestBot(account.id, `mark-bot-${i}`));
    const rows: { principalId: string; day: string; apiRequests: number; sessions: number }[] = [];
    const use = async (i: number, day: string, apiRequests: number, sessions: number) => {
      await recordUsage(db(), { accountId: account.id, principalId: bots[i]!.id, day: at(day), apiRequests, sessions });
      rows.push({ principalId: bots[i]!.id, day, apiRequests, sessions });
    };
    await use(0, "2026-11-03", 40, 1);
    await use(1, "2026-11-10", 30, 1);
    // Under every quota: no marks.
    const under = await accountQuotaUsage(admin, { now: NOW });
    expect(under.meters.some((m) => m.over)).toBe(false);
    expect(under.principals.rows.every((r) => Object.values(r.overBy).every((v) => v === 0))).toBe(true);
    // Today's usage takes it over two quotas.
    await use(2, "2026-11-28", 25, 2);
    await use(3, "2026-11-28", 25, 1);
    await use(0, "2026-11-28", 10, 1);
    const expected = (metric: "apiRequests" | "sessions", quota: number) =>
      overQuotaShares(rows.map((r) => ({ principalId: r.principalId, day: r.day, amount: r[metric] })), quota);
    const marks = (usage: Awaited<ReturnType<typeof accountQuotaUsage>>, metric: "apiRequests" | "sessions") =>
      new Map(usage.principals.rows.filter((r) => r.overBy[metric] > 0).map((r) => [r.principal.id, r.overBy[metric]]));
    const usage = await accountQuotaUsage(admin, { now: NOW });
    expect(usage.meters.filter((m) => m.over).map((m) => m.metric)).toEqual(["sessions", "apiRequests"]);
    expect(marks(usage, "apiRequests")).toEqual(expected("apiRequests", 100));
    expect(marks(usage, "sessions")).toEqual(expected("sessions", 4));
    expect([...expected("apiRequests", 100).values()].reduce((a, b) => a + b, 0)).toBe(30);
  });

  it("shows a member their own row and the bots', with the account's meters", async () => {
    const { account, owner } = await withQuotas({ sessions: 1 });
    const member = await createTestPerson(account.id, "member");
    const bot = await createTestBot(account.id);
    for (const id of [owner.id, member.id, bot.id]) await recordUsage(db(), { accountId: account.id, principalId: id, day: at("2026-11-02"), sessions: 1 });
    const usage = await accountQuotaUsage(actorOf(account, member, "member"), { now: NOW, metric: "sessions" });
    expect(usage.principals.rows.map((p) => p.principal.id).sort()).toEqual([member.id, bot.id].sort());
    expect(usage.meters[0]).toEqual({ metric: "sessions", used: 3, limit: 1, over: true });
    // The member's chart draws what they may see: 2 sessions on Nov 2 (theirs and the bot's), not the owner's.
    expect(usage.chart.top.map((s) => s.principal.id).sort()).toEqual([member.id, bot.id].sort());
    expect(usage.chart.top.reduce((sum, s) => sum + s.values[1]!, 0) + (usage.chart.others?.values[1] ?? 0)).toBe(2);
    expect(usage.chart.total).toBe(2);
  });
});

describe("updateAccount", () => {
  it("lets an owner rename the account and change the seat limit and quotas, recording one account.updated with before → after", async () => {
    const { account, owner } = await createTestAccount({ seatLimit: 5 });
    const r = await updateAccount(actorOf(account, owner, "owner"), { name: "  Acme  Robots ", seatLimit: "8", quotas: { ...PLAN_QUOTAS.team, apiRequests: "500" } }, ctx);
    expect(r).toMatchObject({ ok: true, data: { name: "Acme Robots", seatLimit: 8, quotas: { ...PLAN_QUOTAS.team, apiRequests: 500 } } });
    const row = await db().account.findUniqueOrThrow({ where: { id: account.id } });
    expect(row).toMatchObject({ name: "Acme Robots", seatLimit: 8, quotas: { ...PLAN_QUOTAS.team, apiRequests: 500 } });
    const events = await db().event.findMany({ where: { accountId: account.id, type: "account.updated" } });
    expect(events).toHaveLength(1);
    expect(events[0]).toMatchObject({
      principalId: owner.id,
      subjectId: account.id,
      subjectKind: "account",
      source: "dashboard",
      data: { before: { name: account.name, seatLimit: 5, quotas: { apiRequests: 1_000_000 } }, after: { name: "Acme Robots", seatLimit: 8, quotas: { apiRequests: 500 } } },
    });
    // The same values again change nothing and record nothing.
    await updateAccount(actorOf(account, owner, "owner"), { name: "Acme Robots", seatLimit: 8 }, ctx);
    expect(await db().event.count({ where: { accountId: account.id, type: "account.updated" } })).toBe(1);
  });

  it("refuses admins, members and bots before reading the input, changing and recording nothing", async () => {
    const { account } = await createTestAccount();
    const admin = await createTestPerson(account.id, "admin");
    const member = await createTestPerson(account.id, "member");
    const bot = await createTestBot(account.id);
    for (const actor of [actorOf(account, admin, "admin"), actorOf(account, member, "member"), actorOf(account, bot, "member")]) {
      expect(await updateAccount(actor, { seatLimit: 50 }, ctx)).toMatchObject({ ok: false, code: "not_owner" });
      expect(await updateAccount(actor, { seatLimit: "junk" }, ctx)).toMatchObject({ ok: false, code: "not_owner" });
    }
    expect(await db().account.findUniqueOrThrow({ where: { id: account.id } })).toMatchObject({ seatLimit: account.seatLimit, name: account.name });
    expect(await db().event.count({ where: { accountId: account.id, type: "account.updated" } })).toBe(0);
  });

  it("never sets the seat limit below the seats in use (bots and deactivated people use none); exactly the seats in use is allowed", async () => {
    const { account, owner } = await createTestAccount({ seatLimit: 5 });
    await createTestPerson(account.id);
    const gone = await createTestPerson(account.id);
    await db().membership.update({ where: { accountId_principalId: { accountId: account.id, principalId: gone.id } }, data: { status: "deactivated" } });
    await createTestBot(account.id);
    const actor = actorOf(account, owner, "owner");
    expect(await updateAccount(actor, { seatLimit: 1 }, ctx)).toMatchObject({ ok: false, code: "seats_in_use", fieldErrors: { seatLimit: "At least 2 (the seats in use)" } });
    expect(await updateAccount(actor, { seatLimit: 0 }, ctx)).toMatchObject({ ok: false, code: "invalid_input" });
    expect(await updateAccount(actor, { seatLimit: 2 }, ctx)).toMatchObject({ ok: true, data: { seatLimit: 2 } });
    expect(await db().event.count({ where: { accountId: account.id, type: "account.updated" } })).toBe(1);
  });

  it("refuses bad quotas with the field named", async () => {
    const { account, owner } = await createTestAccount();
    const r = await updateAccount(actorOf(account, owner, "owner"), { quotas: { ...PLAN_QUOTAS.team, bandwidthGb: "-3" } }, ctx);
    expect(r).toMatchObject({ ok: false, code: "invalid_input", fieldErrors: { "quotas.bandwidthGb": "At least 0" } });
  });
});
