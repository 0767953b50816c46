import { describe, expect, it } from "vitest";
import { db } from "../../db/client";
import { newId } from "../../ids";
import { actorOf, createTestAccount, createTestBot } from "../../test-support/factories";
import { listPrincipalEvents } from "./list-recent-events";

// A bot's feed is "events by it" and "events about it", newest first. It is read as two index
// walks merged in code (see listPrincipalEvents): the merge must keep the order, the limit,
// and show an event that is both by and about the bot once.
describe("a principal's feed", () => {
  it("merges events by it and about it, newest first, each once, within the limit and the account", async () => {
    const { account, owner } = await createTestAccount();
    const admin = actorOf(account, owner, "owner");
    const bot = await createTestBot(account.id);
    const { account: other } = await createTestAccount();
    const t0 = Date.now() - 60_000;
    const at = (s: number) => new Date(t0 + s * 1000);
    const event = (s: number, by: string, about: string | null, accountId = account.id) =>
      ({ id: newId("event", at(s).getTime()), accountId, type: "api.request", source: "api", principalId: by, subjectId: about, createdAt: at(s) });
    const rows = [
      event(1, bot.id, null), // by it
      event(2, owner.id, bot.id), // about it
      event(3, bot.id, bot.id), // by and about it: once
      event(4, owner.id, null), // neither
      event(5, bot.id, null),
      event(6, owner.id, bot.id),
    ];
    await db().event.createMany({ data: rows });
    // Another account's event naming the same id is never shown.
    const stranger = await createTestBot(other.id);
    await db().event.create({ data: { ...event(7, stranger.id, bot.id, other.id) } });

    const feed = await listPrincipalEvents(admin, bot.id, 20);
    const mine = feed.filter((e) => rows.some((r) => r.id === e.id)).map((e) => e.id);
    expect(mine).toEqual([rows[5]!.id, rows[4]!.id, rows[2]!.id, rows[1]!.id, rows[0]!.id]);
    expect(feed.every((e) => e.id !== rows[3]!.id)).toBe(true);
    expect(feed.some((e) => e.actor.id === stranger.id)).toBe(false);

    const newestTwo = await listPrincipalEvents(admin, bot.id, 2);
    expect(newestTwo.map((e) => e.id)).toEqual([rows[5]!.id, rows[4]!.id]);
  });
});
