import { describe, expect, it } from "vitest";
import { db } from "../../db/client";
import { newId } from "../../ids";
import { actorOf, createTestAccount, createTestBot } from "../../test-support/factories";
import { renameBot } from "../bots/rename-bot";
import { purgeExpiredEvents } from "./purge-expired-events";
import { getEventRetention, setEventRetention } from "./set-event-retention";

const DAY = 86_400_000;
const ctx = { ip: "198.51.100.1", userAgent: "vitest" };

async function eventsAt(accountId: string, principalId: string, times: Date[]) {
  const rows = times.map((at) => ({ id: newId("event", at.getTime()), accountId, type: "credential.refused", source: "api", principalId, createdAt: at }));
  await db().event.createMany({ data: rows });
  return rows.map((r) => r.id);
}

describe("events are append-only", () => {
  it("refuses UPDATE, DELETE and TRUNCATE, from any statement, also the account's cascade", async () => {
    const { account, owner } = await createTestAccount();
    const bot = await createTestBot(account.id);
    expect((await renameBot(actorOf(account, owner, "owner"), { id: bot.id, name: "renamed" }, ctx)).ok).toBe(true);
    const event = await db().event.findFirstOrThrow({ where: { accountId: account.id, type: "bot.renamed" } });

    await expect(db().$executeRaw`UPDATE events SET data = '{}' WHERE id = ${event.id}`).rejects.toThrow(/append-only/);
    await expect(db().event.update({ where: { id: event.id }, data: { subjectName: "forged" } })).rejects.toThrow(/append-only/);
    await expect(db().$executeRaw`DELETE FROM events WHERE id = ${event.id}`).rejects.toThrow(/append-only/);
    await expect(db().event.deleteMany({ where: { accountId: account.id } })).rejects.toThrow(/append-only/);
    await expect(db().$executeRawUnsafe("TRUNCATE events")).rejects.toThrow(/append-only/);
    await expect(db().account.delete({ where: { id: account.id } })).rejects.toThrow();
    // The purge's flag allows deleting, never updating.
    await expect(
      db().$transaction(async (tx) => {
        await tx.$queryRaw`SELECT set_config('botdesk.purging', 'on', true)`;
        await tx.$executeRaw`UPDATE events SET subject_name = 'forged' WHERE id = ${event.id}`;
      }),
    ).rejects.toThrow(/append-only/);
    // The flag is transaction-local: it does not leak to the next statement on the connection.
    await db().$transaction(async (tx) => {
      await tx.$queryRaw`SELECT set_config('botdesk.purging', 'on', true)`;
    });
    await expect(db().$executeRaw`DELETE FROM events WHERE id = ${event.id}`).rejects.toThrow(/append-only/);

    expect(await db().event.findUniqueOrThrow({ where: { id: event.id } })).toEqual(event);
  });
});

describe("the retention purge", () => {
  it("deletes only events older than each account's retention, in batches, and records each batch", async () => {
    const now = new Date();
    const { account, owner } = await createTestAccount();
    const { account: keeper, owner: keeperOwner } = await createTestAccount();
    await db().account.update({ where: { id: keeper.id }, data: { eventRetentionDays: 1000 } });
    const old = (days: number, n: number) => Array.from({ length: n }, (_, i) => new Date(now.getTime() - days * DAY - i * 1000));
    const expired = await eventsAt(account.id, owner.id, old(401, 5));
    const kept = await eventsAt(account.id, owner.id, [...old(399, 3), new Date(now.getTime() - 400 * DAY + 60_000)]);
    const otherAccount = await eventsAt(keeper.id, keeperOwner.id, old(500, 2));

    expect(await purgeExpiredEvents(now, 2)).toBe(5);

    const left = (await db().event.findMany({ where: { accountId: account.id, type: "credential.refused" }, select: { id: true } })).map((e) => e.id);
    expect(left.sort()).toEqual([...kept].sort());
    expect(expired.some((id) => left.includes(id))).toBe(false);
    expect(await db().event.count({ where: { id: { in: otherAccount } } })).toBe(2);

    const purged = await db().event.findMany({ where: { accountId: account.id, type: "events.purged" }, orderBy: { id: "asc" } });
    expect(purged.map((e) => (e.data as { count: number }).count).sort()).toEqual([1, 2, 2]);
    expect(purged.every((e) => e.source === "system" && e.principalId === owner.id)).toBe(true);
    expect(purged[0]!.data).toMatchObject({ retentionDays: 400, before: new Date(now.getTime() - 400 * DAY).toISOString() });
    expect(await db().event.count({ where: { accountId: keeper.id, type: "events.purged" } })).toBe(0);

    // Nothing left to purge: nothing deleted, nothing recorded.
    expect(await purgeExpiredEvents(now, 2)).toBe(0);
    expect(await db().event.count({ where: { type: "events.purged", accountId: account.id } })).toBe(3);
  });
});

describe("the retention setting", () => {
  it("owners change it (recorded before → after); admins and members are refused; out-of-range values are refused", async () => {
    const { account, owner } = await createTestAccount();
    const ownerActor = actorOf(account, owner, "owner");
    const admin = actorOf(account, owner, "admin");
    expect(await setEventRetention(admin, { days: "30" }, ctx)).toMatchObject({ ok: false, code: "not_owner" });
    expect(await setEventRetention(ownerActor, { days: "0" }, ctx)).toMatchObject({ ok: false, code: "invalid_input" });
    expect(await setEventRetention(ownerActor, { days: "36501" }, ctx)).toMatchObject({ ok: false, code: "invalid_input" });
    expect(await setEventRetention(ownerActor, { days: "90" }, ctx)).toEqual({ ok: true, data: { days: 90 } });
    expect(await setEventRetention(ownerActor, { days: "90" }, ctx)).toEqual({ ok: true, data: { days: 90 } });
    expect(await getEventRetention(ownerActor)).toBe(90);
    const events = await db().event.findMany({ where: { accountId: account.id, type: "account.updated" } });
    expect(events.map((e) => [e.principalId, e.subjectId, e.subjectKind, e.data])).toEqual([
      [owner.id, account.id, "account", { before: { eventRetentionDays: 400 }, after: { eventRetentionDays: 90 } }],
    ]);
  });
});
