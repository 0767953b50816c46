import { describe, expect, it } from "vitest";
import { db } from "../../db/client";
import { newId } from "../../ids";
import { actorOf, createTestAccount, createTestBot } from "../../test-support/factories";
import { eventsPerDay } from "./events-per-day";

const DAY = 86_400_000;

describe("events per day", () => {
  it("counts the last 30 UTC days by category, for the account or one bot", async () => {
    const { account, owner } = await createTestAccount();
    const admin = actorOf(account, owner, "owner");
    const bot = await createTestBot(account.id);
    const now = new Date("2026-11-28T12:00:00Z");
    const at = (iso: string) => new Date(iso);
    const ev = (type: string, createdAt: Date, principalId: string, botId: string | null) => ({
      id: newId("event", createdAt.getTime()), accountId: account.id, type, source: "agent", principalId, botId, createdAt,
    });
    await db().event.createMany({
      data: [
        ev("agent.session_started", at("2026-11-28T00:00:00Z"), bot.id, bot.id),
        ev("agent.session_started", at("2026-11-28T11:59:00Z"), bot.id, bot.id),
        ev("credential.created", at("2026-11-27T23:59:59Z"), owner.id, bot.id),
        ev("bot.renamed", at("2026-10-30T00:00:00Z"), owner.id, null), // the first of the 30 days
        ev("bot.renamed", at("2026-10-29T23:59:59Z"), owner.id, null), // before them
      ],
    });
    const all = await eventsPerDay(admin, {}, now);
    expect(all.days).toHaveLength(30);
    expect([all.days[0], all.days[29]]).toEqual(["2026-10-30", "2026-11-28"]);
    expect(all.series.agents[29]).toBe(2);
    expect(all.series.credentials[28]).toBe(1);
    expect(all.series.bots[0]).toBe(1);
    expect(all.total).toBe(4);
    const mine = await eventsPerDay(admin, { bot: bot.id }, new Date(now.getTime() + DAY / 4));
    expect(mine.total).toBe(3);
    expect(mine.series.bots.every((n) => n === 0)).toBe(true);
  });
});
