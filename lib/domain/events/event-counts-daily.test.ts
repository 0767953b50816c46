import { describe, expect, it } from "vitest";
import { db } from "../../db/client";
import { newId } from "../../ids";
import { actorOf, createTestAccount, createTestBot } from "../../test-support/factories";
import { renameBot } from "../bots/rename-bot";
import type { EventType } from "./catalogue";
import { compactEventCounts } from "./compact-event-counts";
import { eventsPerDay } from "./events-per-day";
import { purgeExpiredEvents } from "./purge-expired-events";
import { recordEvent } from "./record-event";

const DAY = 86_400_000;
const ctx = { ip: null, userAgent: null };

type Counts = Record<string, number>;

/** The roll-up for an account, as `day type → n`: its compacted rows plus its pending deltas, zeros left out. */
async function rollUp(accountId: string): Promise<Counts> {
  const rows = await db().$queryRaw<{ day: string; type: string; n: number }[]>`
    SELECT to_char(day, 'YYYY-MM-DD') AS day, type, sum(n)::int AS n FROM (
      SELECT day, type, n FROM event_counts_daily WHERE account_id = ${accountId}
      UNION ALL SELECT day, type, n FROM event_counts_daily_pending WHERE account_id = ${accountId}) c
    GROUP BY 1, 2 HAVING sum(n) <> 0`;
  return Object.fromEntries(rows.map((r) => [`${r.day} ${r.type}`, r.n]));
}

/** The compacted table alone (what is left once every delta is folded in). */
async function compacted(accountId: string): Promise<Counts> {
  const rows = await db().$queryRaw<{ day: string; type: string; n: number }[]>`
    SELECT to_char(day, 'YYYY-MM-DD') AS day, type, n FROM event_counts_daily WHERE account_id = ${accountId}`;
  return Object.fromEntries(rows.map((r) => [`${r.day} ${r.type}`, r.n]));
}

async function pendingRows(accountId: string): Promise<number> {
  const [row] = await db().$queryRaw<{ n: number }[]>`SELECT count(*)::int AS n FROM event_counts_daily_pending WHERE account_id = ${accountId}`;
  return row!.n;
}

/** A promise and the function that settles it: lets a test hold a transaction open at a chosen point. */
function gate(): { opened: Promise<void>; open: () => void } {
  let open!: () => void;
  const opened = new Promise<void>((resolve) => (open = resolve));
  return { opened, open };
}

/** The same, counted over the events themselves. */
async function counted(accountId: string): Promise<Counts> {
  const rows = await db().$queryRaw<{ day: string; type: string; n: number }[]>`
    SELECT to_char(created_at AT TIME ZONE 'UTC', 'YYYY-MM-DD') AS day, type, count(*)::int AS n
    FROM events WHERE account_id = ${accountId} GROUP BY 1, 2`;
  return Object.fromEntries(rows.map((r) => [`${r.day} ${r.type}`, r.n]));
}

/** A bot's roll-up (bot_event_counts_daily plus its pending deltas), as `day type → n`, zeros left out. */
async function botRollUp(botId: string): Promise<Counts> {
  const rows = await db().$queryRaw<{ day: string; type: string; n: number }[]>`
    SELECT to_char(day, 'YYYY-MM-DD') AS day, type, sum(n)::int AS n FROM (
      SELECT day, type, n FROM bot_event_counts_daily WHERE bot_id = ${botId}
      UNION ALL SELECT day, type, n FROM event_counts_daily_pending WHERE bot_id = ${botId}) c
    GROUP BY 1, 2 HAVING sum(n) <> 0`;
  return Object.fromEntries(rows.map((r) => [`${r.day} ${r.type}`, r.n]));
}

/** The bot's compacted rows alone. */
async function botCompacted(botId: string): Promise<Counts> {
  const rows = await db().$queryRaw<{ day: string; type: string; n: number }[]>`
    SELECT to_char(day, 'YYYY-MM-DD') AS day, type, n FROM bot_event_counts_daily WHERE bot_id = ${botId}`;
  return Object.fromEntries(rows.map((r) => [`${r.day} ${r.type}`, r.n]));
}

/** The events concerning the bot (bot_id), counted. */
async function botCounted(botId: string): Promise<Counts> {
  const rows = await db().$queryRaw<{ day: string; type: string; n: number }[]>`
    SELECT to_char(created_at AT TIME ZONE 'UTC', 'YYYY-MM-DD') AS day, type, count(*)::int AS n
    FROM events WHERE bot_id = ${botId} GROUP BY 1, 2`;
  return Object.fromEntries(rows.map((r) => [`${r.day} ${r.type}`, r.n]));
}

describe("the daily roll-up of events (event_counts_daily)", () => {
  it("equals a count over the events after recorded events, bulk inserts, a rolled-back change and the retention purge", async () => {
    const { account, owner } = await createTestAccount();
    const admin = actorOf(account, owner, "owner");
    const bot = await createTestBot(account.id);
    const now = new Date();
    const ev = (type: string, createdAt: Date) => ({ id: newId("event", createdAt.getTime()), accountId: account.id, type, source: "api", principalId: bot.id, botId: bot.id, createdAt });

    // A recorded event (recordEvent's insert inside a CTE) and bulk inserts spanning days, also 500 days back.
    expect((await renameBot(admin, { id: bot.id, name: "renamed-1" }, ctx)).ok).toBe(true);
    await db().event.createMany({
      data: [
        ...Array.from({ length: 7 }, (_, i) => ev("credential.refused", new Date(now.getTime() - i * 3_600_000))),
        ev("login.refused", new Date(now.getTime() - 2 * DAY)),
        ...Array.from({ length: 3 }, (_, i) => ev("login.refused", new Date(now.getTime() - 500 * DAY - i * 1000))),
      ],
    });
    // A change that rolls back leaves the roll-up as it was.
    await expect(
      db().$transaction(async (tx) => {
        await tx.event.create({ data: ev("credential.refused", now) });
        throw new Error("rolled back");
      }),
    ).rejects.toThrow("rolled back");
    expect(await rollUp(account.id)).toEqual(await counted(account.id));
    const oldDay = new Date(now.getTime() - 500 * DAY).toISOString().slice(0, 10);
    expect((await rollUp(account.id))[`${oldDay} login.refused`]).toBe(3);

    // Folding the deltas in changes nothing the roll-up says; the compacted table alone then holds it all.
    const chartBefore = await eventsPerDay(admin, {}, now);
    expect(await pendingRows(account.id)).toBeGreaterThan(0);
    expect(await compactEventCounts()).toBeGreaterThan(0);
    expect(await pendingRows(account.id)).toBe(0);
    expect(await compacted(account.id)).toEqual(await counted(account.id));
    expect(await eventsPerDay(admin, {}, now)).toEqual(chartBefore);

    // The purge subtracts what it deletes and drops the day it emptied (adding its own events.purged).
    expect(await purgeExpiredEvents(now, 2)).toBe(3);
    const after = await rollUp(account.id);
    expect(after).toEqual(await counted(account.id));
    expect(Object.keys(after).some((k) => k.startsWith(oldDay))).toBe(false);
    expect(after[`${now.toISOString().slice(0, 10)} events.purged`]).toBe(2);

    // The chart reads it: the renames, refusals and purge records of the last 30 days; the same once compacted,
    // when the emptied day's row is gone from the table itself.
    const chart = await eventsPerDay(admin, {}, now);
    expect(chart.total).toBe(Object.values(after).reduce((a, b) => a + b, 0));
    expect(chart.total).toBe(1 + 7 + 1 + 2);
    expect(chart.series.bots.at(-1)).toBe(1);
    await compactEventCounts();
    expect(await compacted(account.id)).toEqual(after);
    expect(await eventsPerDay(admin, {}, now)).toEqual(chart);
  });

  it("keeps each bot's roll-up (its page's chart) equal to a count over the events concerning it, through compaction and the purge", async () => {
    const { account, owner } = await createTestAccount();
    const admin = actorOf(account, owner, "owner");
    const [busy, quiet] = await Promise.all([createTestBot(account.id), createTestBot(account.id)]);
    const now = new Date();
    const ev = (botId: string | null, type: string, createdAt: Date) => ({ id: newId("event", createdAt.getTime()), accountId: account.id, type, source: "api", principalId: botId ?? owner.id, botId, createdAt });
    expect((await renameBot(admin, { id: busy.id, name: "busy-renamed" }, ctx)).ok).toBe(true);
    await db().event.createMany({
      data: [
        ...Array.from({ length: 7 }, (_, i) => ev(busy.id, "credential.refused", new Date(now.getTime() - i * 3_600_000))),
        ev(busy.id, "login.refused", new Date(now.getTime() - 3 * DAY)),
        ...Array.from({ length: 3 }, (_, i) => ev(busy.id, "login.refused", new Date(now.getTime() - 500 * DAY - i * 1000))),
        ...Array.from({ length: 2 }, () => ev(quiet.id, "credential.refused", now)),
        // Concerning no bot: the account's chart only.
        ev(null, "login.refused", now),
      ],
    });
    for (const bot of [busy, quiet]) expect(await botRollUp(bot.id)).toEqual(await botCounted(bot.id));
    const busyChart = await eventsPerDay(admin, { bot: busy.id }, now);
    expect(busyChart.total).toBe(1 + 7 + 1);
    expect(busyChart.series.bots.at(-1)).toBe(1);
    expect((await eventsPerDay(admin, { bot: quiet.id }, now)).total).toBe(2);
    expect((await eventsPerDay(admin, {}, now)).total).toBe(1 + 7 + 1 + 2 + 1);

    // Folded in: the same charts, from the compacted rows alone.
    await compactEventCounts();
    expect(await botCompacted(busy.id)).toEqual(await botCounted(busy.id));
    expect(await eventsPerDay(admin, { bot: busy.id }, now)).toEqual(busyChart);

    // The purge's deletions come off the bot's roll-up too, and its emptied day goes once folded in.
    const oldDay = new Date(now.getTime() - 500 * DAY).toISOString().slice(0, 10);
    expect(Object.keys(await botCompacted(busy.id)).some((k) => k.startsWith(oldDay))).toBe(true);
    expect(await purgeExpiredEvents(now, 2)).toBe(3);
    expect(await botRollUp(busy.id)).toEqual(await botCounted(busy.id));
    await compactEventCounts();
    expect(await botCompacted(busy.id)).toEqual(await botCounted(busy.id));
    expect(Object.keys(await botCompacted(busy.id)).some((k) => k.startsWith(oldDay))).toBe(false);
    expect(await eventsPerDay(admin, { bot: busy.id }, now)).toEqual(busyChart);
  });

  it("counts events recorded concurrently in one account and type without losing any", async () => {
    const { account, owner } = await createTestAccount();
    const admin = actorOf(account, owner, "owner");
    const bots = await Promise.all(Array.from({ length: 12 }, () => createTestBot(account.id)));
    const results = await Promise.all(bots.map((b, i) => renameBot(admin, { id: b.id, name: `racer-${i}` }, ctx)));
    expect(results.every((r) => r.ok)).toBe(true);
    const today = `${new Date().toISOString().slice(0, 10)} bot.renamed`;
    expect((await rollUp(account.id))[today]).toBe(12);
    expect(await rollUp(account.id)).toEqual(await counted(account.id));
  });

  it("lets a transaction record an event while another that recorded the same type in the same account and day is still open", async () => {
    const { account, owner } = await createTestAccount();
    const admin = actorOf(account, owner, "owner");
    const bot = await createTestBot(account.id);
    const ev = (principalId: string) => ({ accountId: account.id, type: "bot.renamed" as const, principalId, source: "dashboard" as const, subject: { id: bot.id, name: bot.name } });
    const recordedByA = gate();
    const finishA = gate();
    const a = db().$transaction(
      async (tx) => {
        await recordEvent(tx, ev(owner.id));
        recordedByA.open();
        await finishA.opened;
      },
      { timeout: 30_000 },
    );
    try {
      await recordedByA.opened;
      // B waits at most 200 ms for any lock: with a shared roll-up row it would wait for A's commit and fail.
      await db().$transaction(async (tx) => {
        await tx.$executeRaw`SET LOCAL lock_timeout = '200ms'`;
        await recordEvent(tx, ev(bot.id));
      });
      // B's event is committed and counted while A is still open.
      expect((await eventsPerDay(admin)).total).toBe(1);
    } finally {
      finishA.open();
      await a;
    }
    expect((await eventsPerDay(admin)).total).toBe(2);
    expect(await rollUp(account.id)).toEqual(await counted(account.id));
  });

  it("does not deadlock two transactions recording two types in opposite orders", async () => {
    const { account, owner } = await createTestAccount();
    const bot = await createTestBot(account.id);
    const ev = (principalId: string, type: EventType) => ({ accountId: account.id, type, principalId, source: "api" as const, subject: { id: bot.id, name: bot.name } });
    const firstByA = gate();
    const firstByB = gate();
    // A: renamed, then deactivated; B: deactivated, then renamed. Each takes its second step only once both took their first.
    const a = db().$transaction(
      async (tx) => {
        await recordEvent(tx, ev(owner.id, "bot.renamed"));
        firstByA.open();
        await firstByB.opened;
        await recordEvent(tx, ev(owner.id, "bot.deactivated"));
      },
      { timeout: 30_000 },
    );
    const b = db().$transaction(
      async (tx) => {
        await recordEvent(tx, ev(bot.id, "bot.deactivated"));
        firstByB.open();
        await firstByA.opened;
        await recordEvent(tx, ev(bot.id, "bot.renamed"));
      },
      { timeout: 30_000 },
    );
    const results = await Promise.allSettled([a, b]);
    expect(results.map((r) => (r.status === "rejected" ? String(r.reason) : "committed"))).toEqual(["committed", "committed"]);
    const today = new Date().toISOString().slice(0, 10);
    expect(await rollUp(account.id)).toEqual({ [`${today} bot.renamed`]: 2, [`${today} bot.deactivated`]: 2 });
    expect(await rollUp(account.id)).toEqual(await counted(account.id));
  });

  it("keeps the roll-up equal to a count over events while compactions race with each other and with writers", async () => {
    const { account, owner } = await createTestAccount();
    const admin = actorOf(account, owner, "owner");
    const bots = await Promise.all(Array.from({ length: 4 }, () => createTestBot(account.id)));
    const types: EventType[] = ["bot.renamed", "bot.deactivated", "bot.reactivated"];
    const now = new Date();
    let compactions: (number | null)[] = [];
    for (let round = 0; round < 5; round++) {
      const writers = bots.flatMap((b, i) =>
        types.map((type, j) => () =>
          db().$transaction(async (tx) => {
            await recordEvent(tx, { accountId: account.id, type, principalId: b.id, source: "agent", activity: false });
            await recordEvent(tx, { accountId: account.id, type: types[(j + 1) % types.length]!, principalId: b.id, source: "agent", activity: false, createdAt: new Date(now.getTime() - (i + round) * DAY) });
          }),
        ),
      );
      const bulk = () =>
        db().event.createMany({
          data: Array.from({ length: 20 }, (_, k) => ({ id: newId("event", now.getTime() - k * 3_600_000), accountId: account.id, type: "credential.refused", source: "api", principalId: bots[k % 4]!.id, createdAt: new Date(now.getTime() - k * 3_600_000) })),
        });
      const compactors = Array.from({ length: 3 }, () => () => compactEventCounts());
      const settled = await Promise.all([...writers, bulk, ...compactors].map((run) => run()));
      compactions = compactions.concat(settled.slice(-3) as (number | null)[]);
      expect(await rollUp(account.id)).toEqual(await counted(account.id));
    }
    // Some compactions ran while writers did; none counted a delta twice or lost one.
    expect(compactions.some((n) => n !== null && n > 0)).toBe(true);
    const chart = await eventsPerDay(admin, {}, now);
    await compactEventCounts();
    expect(await pendingRows(account.id)).toBe(0);
    expect(await compacted(account.id)).toEqual(await counted(account.id));
    expect(Object.values(await compacted(account.id)).reduce((x, y) => x + y, 0)).toBe(5 * (4 * 3 * 2 + 20));
    expect(await eventsPerDay(admin, {}, now)).toEqual(chart);
  });

  it("runs one compaction at a time: a second one returns at once while the first is open, and nothing is folded twice", async () => {
    const { account, owner } = await createTestAccount();
    const bot = await createTestBot(account.id);
    await db().$transaction((tx) => recordEvent(tx, { accountId: account.id, type: "bot.renamed", principalId: owner.id, source: "dashboard", subject: { id: bot.id, name: bot.name } }));
    const firstFolded = gate();
    const finishFirst = gate();
    let folded: bigint | null = null;
    const first = db().$transaction(
      async (tx) => {
        const [row] = await tx.$queryRaw<{ folded: bigint | null }[]>`SELECT event_counts_daily_compact() AS folded`;
        folded = row!.folded;
        firstFolded.open();
        await finishFirst.opened;
      },
      { timeout: 30_000 },
    );
    try {
      await firstFolded.opened;
      expect(Number(folded)).toBeGreaterThan(0);
      // A second compaction neither waits for the first nor takes the deltas it holds.
      const started = Date.now();
      expect(await compactEventCounts()).toBeNull();
      expect(Date.now() - started).toBeLessThan(5_000);
      // The chart still counts the event exactly once (it sees the first compaction's state before its commit).
      expect(await rollUp(account.id)).toEqual(await counted(account.id));
    } finally {
      finishFirst.open();
      await first;
    }
    expect(await compactEventCounts()).toBe(0);
    expect(await compacted(account.id)).toEqual(await counted(account.id));
  });
});
