import { describe, expect, it } from "vitest";
import { db } from "../../db/client";
import { newId } from "../../ids";
import { actorOf, createTestAccount, createTestBot } from "../../test-support/factories";
import { renameBot } from "../bots/rename-bot";
import { eventsPerDay } from "./events-per-day";
import { purgeExpiredEvents } from "./purge-expired-events";

const DAY = 86_400_000;
const ctx = { ip: null, userAgent: null };

type Counts = Record<string, number>;

/** The roll-up's rows for an account, as `day type → n`. */
async function rollUp(accountId: string): Promise<Counts> {
  const rows = await db().$queryRaw<{ day: string; type: string; n: number }[]>`
    SELECT to_char(day, 'YYYY-MM-DD') AS day, type, n FROM event_counts_daily WHERE account_id = ${accountId}`;
  return Object.fromEntries(rows.map((r) => [`${r.day} ${r.type}`, r.n]));
}

/** The same, counted over the events themselves. */
async function counted(accountId: string): Promise<Counts> {
  const rows = await db().$queryRaw<{ day: string; type: string; n: number }[]>`
    SELECT to_char(created_at AT TIME ZONE 'UTC', 'YYYY-MM-DD') AS day, type, count(*)::int AS n
    FROM events WHERE account_id = ${accountId} GROUP BY 1, 2`;
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

    // The purge subtracts what it deletes and drops the day it emptied (adding its own events.purged).
    expect(await purgeExpiredEvents(now, 2)).toBe(3);
    const after = await rollUp(account.id);
    expect(after).toEqual(await counted(account.id));
    expect(Object.keys(after).some((k) => k.startsWith(oldDay))).toBe(false);
    expect(after[`${now.toISOString().slice(0, 10)} events.purged`]).toBe(2);

    // The chart reads it: the renames, refusals and purge records of the last 30 days.
    const chart = await eventsPerDay(admin, {}, now);
    expect(chart.total).toBe(Object.values(after).reduce((a, b) => a + b, 0));
    expect(chart.total).toBe(1 + 7 + 1 + 2);
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
});
