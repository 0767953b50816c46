import { describe, expect, it } from "vitest";
import { db } from "../../db/client";
import { newId } from "../../ids";
import { actorOf, createTestAccount, createTestBot, createTestPerson } from "../../test-support/factories";
import { eventsQuerySchema } from "../../validation/events";
import { createBot } from "../bots/create-bot";
import { deleteBots } from "../bots/delete-bots";
import { renameBot } from "../bots/rename-bot";
import { createCredential } from "../credentials/create-credential";
import { revokeCredentials } from "../credentials/revoke-credentials";
import { countNewerEvents, getEvent, listEvents, streamEvents } from "./list-events";

const ctx = { ip: "198.51.100.10", userAgent: "vitest-agent" };
const q = (raw: Record<string, unknown> = {}) => eventsQuerySchema.parse(raw);

async function setup() {
  const { account, owner } = await createTestAccount();
  const admin = actorOf(account, owner, "owner");
  const member = actorOf(account, await createTestPerson(account.id, "member"), "member");
  return { account, admin, member };
}

/** `n` agent sessions started by a principal (source agent), one a second from `t0`, oldest first. */
async function requests(accountId: string, principalId: string, n: number, t0: number, extra: Record<string, unknown> = {}) {
  const rows = Array.from({ length: n }, (_, i) => ({
    id: newId("event", t0 + i * 1000),
    accountId,
    type: "agent.session_started",
    source: "agent",
    principalId,
    createdAt: new Date(t0 + i * 1000),
    ...extra,
  }));
  await db().event.createMany({ data: rows });
  return rows.map((r) => r.id);
}

describe("activity feeds", () => {
  it("page by keyset, newest first, and stay stable while new events arrive", async () => {
    const { account, admin } = await setup();
    const bot = await createTestBot(account.id);
    const t0 = Date.now() - 3_600_000;
    const ids = (await requests(account.id, bot.id, 25, t0, { botId: bot.id })).reverse();

    const first = await listEvents(admin, q({ bot: bot.id, limit: "10" }));
    expect(first.rows.map((r) => r.id)).toEqual(ids.slice(0, 10));
    expect(first.newer).toBeNull();
    // New events arrive between pages: the next pages are unchanged.
    await requests(account.id, bot.id, 3, Date.now() - 1000, { botId: bot.id });
    const second = await listEvents(admin, q({ bot: bot.id, limit: "10", before: first.older }));
    expect(second.rows.map((r) => r.id)).toEqual(ids.slice(10, 20));
    const third = await listEvents(admin, q({ bot: bot.id, limit: "10", before: second.older }));
    expect(third.rows.map((r) => r.id)).toEqual(ids.slice(20));
    expect(third.older).toBeNull();
    // Back to newer pages: the same rows as before.
    const back = await listEvents(admin, q({ bot: bot.id, limit: "10", after: third.newer }));
    expect(back.rows.map((r) => r.id)).toEqual(ids.slice(10, 20));
    const top = await listEvents(admin, q({ bot: bot.id, limit: "10", after: back.newer }));
    expect(top.rows.map((r) => r.id)).toEqual(ids.slice(0, 10));
    expect(top.newer).not.toBeNull(); // the three that arrived
    expect(await countNewerEvents(admin, q({ bot: bot.id }), first.rows[0]!.cursor)).toBe(3);
    expect(await countNewerEvents(admin, q({ bot: bot.id }), first.rows[0]!.cursor, 2)).toBe(2);
  });

  it("filter by bot (everything about it and its credentials), principal, type, category, source, credential and time", async () => {
    const { account, admin, member } = await setup();
    const created = await createBot(admin, { name: "billing-sync" }, ctx);
    if (!created.ok) throw new Error("setup");
    const botId = created.data.id;
    const key = await createCredential(admin, { kind: "api_key", ownerId: botId }, ctx);
    if (!key.ok) throw new Error("setup");
    await renameBot(admin, { id: botId, name: "billing-sync-2" }, ctx);
    await revokeCredentials(admin, { ids: [key.data.credential.id] }, ctx);
    await createCredential(member, { kind: "api_key" }, ctx);
    const old = Date.now() - 40 * 86_400_000;
    await requests(account.id, botId, 2, old, { botId, credentialId: key.data.credential.id, credentialDisplay: key.data.credential.display });
    const { account: other, owner: stranger } = await createTestAccount();
    await requests(other.id, stranger.id, 2, Date.now() - 5000);

    const types = async (raw: Record<string, unknown>) => (await listEvents(admin, q(raw))).rows.map((r) => r.type);
    expect(await types({ bot: botId })).toEqual(["credential.revoked", "bot.renamed", "credential.created", "bot.created", "agent.session_started", "agent.session_started"]);
    expect(await types({ principal: member.principal.id })).toEqual(["credential.created"]);
    expect(await types({ type: "bot.renamed" })).toEqual(["bot.renamed"]);
    expect(await types({ category: "bots" })).toEqual(["bot.renamed", "bot.created"]);
    expect(await types({ category: "credentials" })).toEqual(["credential.created", "credential.revoked", "credential.created"]);
    expect(await types({ source: "agent" })).toEqual(["agent.session_started", "agent.session_started"]);
    expect(await types({ credential: key.data.credential.id })).toEqual(["credential.revoked", "credential.created", "agent.session_started", "agent.session_started"]);
    expect(await types({ bot: botId, range: "30d" })).toHaveLength(4);
    expect(await types({ bot: botId, range: "custom", to: new Date(old + 500).toISOString() })).toEqual(["agent.session_started"]);
    const day = new Date(old).toISOString().slice(0, 10);
    expect(await types({ bot: botId, range: "custom", from: day, to: day })).toEqual(["agent.session_started", "agent.session_started"]);
    // Another account's bot id shows nothing here.
    expect(await types({ principal: stranger.id })).toEqual([]);

    const [renamed] = (await listEvents(admin, q({ type: "bot.renamed" }))).rows;
    expect(renamed).toMatchObject({ label: "Bot renamed", category: "bots", source: "dashboard", subject: { id: botId, name: "billing-sync-2", kind: "bot" } });
    const detail = await getEvent(admin, renamed!.id);
    expect(detail?.data).toEqual({ before: { name: "billing-sync" }, after: { name: "billing-sync-2" } });
    expect(detail?.userAgent).toBe("vitest-agent");
    expect(detail?.bot).toEqual({ id: botId, name: "billing-sync-2", deleted: false });

    // A deleted bot's history stays, attributed to "name (deleted)".
    await deleteBots(admin, { ids: [botId] }, ctx);
    const afterDelete = await listEvents(admin, q({ bot: botId }));
    expect(afterDelete.rows[0]).toMatchObject({ type: "bot.deleted" });
    expect((await getEvent(admin, afterDelete.rows[0]!.id))?.bot).toEqual({ id: botId, name: "billing-sync-2", deleted: true });
    expect(afterDelete.rows.filter((r) => r.type === "agent.session_started").every((r) => r.actor.deleted && r.actor.name === "billing-sync-2")).toBe(true);
    // The credential used keeps its display after it was deleted with the bot, and its filter still finds its events.
    expect(await db().credential.count({ where: { id: key.data.credential.id } })).toBe(0);
    const used = { id: key.data.credential.id, display: key.data.credential.display };
    expect(afterDelete.rows.filter((r) => r.type === "agent.session_started").map((r) => r.credential)).toEqual([used, used]);
    expect(used.display).toMatch(/^bdak_…/);
    expect(await types({ credential: used.id })).toEqual(["credential.revoked", "credential.created", "agent.session_started", "agent.session_started"]);
  });

  it("everyone in the account sees every event; only admins see others' IPs and user agents; another account's event is not found", async () => {
    const { admin, member } = await setup();
    await createBot(admin, { name: "by-the-admin" }, ctx);
    await createCredential(member, { kind: "api_key" }, { ip: "198.51.100.20", userAgent: "member-agent" });
    const seen = async (who: typeof admin) => (await listEvents(who, q())).rows.map((r) => [r.type, r.ip]);
    expect(await seen(admin)).toEqual([["credential.created", "198.51.100.20"], ["bot.created", ctx.ip]]);
    expect(await seen(member)).toEqual([["credential.created", "198.51.100.20"], ["bot.created", null]]);
    const botCreated = (await listEvents(member, q({ type: "bot.created" }))).rows[0]!;
    expect(await getEvent(member, botCreated.id)).toMatchObject({ ip: null, userAgent: null });
    expect(await getEvent(admin, botCreated.id)).toMatchObject({ ip: ctx.ip, userAgent: "vitest-agent" });
    const { account: other, owner } = await createTestAccount();
    expect(await getEvent(actorOf(other, owner, "owner"), botCreated.id)).toBeNull();
  });

  it("streams every matching event in batches, in the feed's order", async () => {
    const { account, admin } = await setup();
    const bot = await createTestBot(account.id);
    const ids = (await requests(account.id, bot.id, 23, Date.now() - 100_000, { botId: bot.id })).reverse();
    const batches: string[][] = [];
    for await (const batch of streamEvents(admin, q({ bot: bot.id }), 10)) batches.push(batch.map((r) => r.id));
    expect(batches.map((b) => b.length)).toEqual([10, 10, 3]);
    expect(batches.flat()).toEqual(ids);
  });
});
