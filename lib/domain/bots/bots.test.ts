import { describe, expect, it } from "vitest";
import { db } from "../../db/client";
import { actorOf, createTestAccount, createTestBot, createTestCredential, createTestPerson } from "../../test-support/factories";
import { listEvents } from "../events/list-events";
import { eventsQuerySchema } from "../../validation/events";
import { NOT_ADMIN_BOTS } from "../permissions";
import { createBot } from "./create-bot";
import { deleteBots } from "./delete-bots";
import { getBot } from "./get-bot";
import { listBots } from "./list-bots";
import { renameBot } from "./rename-bot";
import { setBotsActive } from "./set-bots-active";
import { updateBot } from "./update-bot";
import { listBotsQuerySchema } from "../../validation/bots";

const ctx = { ip: "192.0.2.55", userAgent: "vitest" };

async function adminSetup() {
  const { account, owner } = await createTestAccount();
  return { account, owner, admin: actorOf(account, owner, "owner") };
}

describe("createBot", () => {
  it("creates a trimmed bot and records one event by the person, naming the bot", async () => {
    const { account, admin } = await adminSetup();
    const result = await createBot(admin, { name: "  deploy-bot  " }, ctx);
    expect(result).toMatchObject({ ok: true, data: { name: "deploy-bot" } });
    const id = result.ok ? result.data.id : "";
    expect(id).toMatch(/^bot_[0-9A-Za-z]{22}$/);
    const bot = await db().principal.findUniqueOrThrow({ where: { id } });
    expect(bot).toMatchObject({ kind: "bot", accountId: account.id, email: null, passwordHash: null, createdById: admin.principal.id });
    const events = await db().event.findMany({ where: { subjectId: id } });
    expect(events).toHaveLength(1);
    expect(events[0]).toMatchObject({ type: "bot.created", principalId: admin.principal.id, source: "dashboard", subjectName: "deploy-bot", ip: ctx.ip });
  });

  it("says which name rule failed: empty, too long in bytes, taken ignoring case", async () => {
    const { admin } = await adminSetup();
    expect(await createBot(admin, { name: "   " }, ctx)).toMatchObject({ ok: false, fieldErrors: { name: "Enter a name: it can't be empty" } });
    // 128 two-byte characters = 256 bytes, one over the limit, though only 128 characters.
    expect(await createBot(admin, { name: "é".repeat(128) }, ctx)).toMatchObject({ ok: false, fieldErrors: { name: "Use at most 255 bytes" } });
    expect(await createBot(admin, { name: "é".repeat(127) + "a" }, ctx)).toMatchObject({ ok: true });
    await createBot(admin, { name: "Builder" }, ctx);
    expect(await createBot(admin, { name: "builder" }, ctx)).toMatchObject({ ok: false, code: "bot_name_taken", fieldErrors: { name: expect.stringContaining("taken") } });
  });

  it("allows the same name in another account", async () => {
    const a = await adminSetup();
    const b = await adminSetup();
    expect(await createBot(a.admin, { name: "shared-name" }, ctx)).toMatchObject({ ok: true });
    expect(await createBot(b.admin, { name: "shared-name" }, ctx)).toMatchObject({ ok: true });
  });

  it("refuses a member whatever they send, and changes nothing", async () => {
    const { account } = await adminSetup();
    const person = await createTestPerson(account.id, "member");
    const member = actorOf(account, person, "member");
    const before = await db().principal.count({ where: { accountId: account.id } });
    expect(await createBot(member, { name: "sneaky" }, ctx)).toEqual({ ok: false, code: "not_admin", message: NOT_ADMIN_BOTS });
    expect(await db().principal.count({ where: { accountId: account.id } })).toBe(before);
    expect(await db().event.count({ where: { principalId: person.id } })).toBe(0);
  });
});

describe("renameBot", () => {
  it("renames and records before → after; another account's id is answered like an unknown id", async () => {
    const { account, admin } = await adminSetup();
    const bot = await createTestBot(account.id, "old-name");
    expect(await renameBot(admin, { id: bot.id, name: "new-name" }, ctx)).toEqual({ ok: true, data: { id: bot.id, name: "new-name" } });
    const event = await db().event.findFirstOrThrow({ where: { subjectId: bot.id, type: "bot.renamed" } });
    expect(event.data).toEqual({ before: { name: "old-name" }, after: { name: "new-name" } });

    const other = await adminSetup();
    const foreign = await createTestBot(other.account.id, "theirs");
    const foreignResult = await renameBot(admin, { id: foreign.id, name: "mine-now" }, ctx);
    const unknownResult = await renameBot(admin, { id: "bot_doesnotexist", name: "mine-now" }, ctx);
    expect(foreignResult).toEqual(unknownResult);
    expect(foreignResult).toMatchObject({ ok: false, code: "not_found" });
    expect((await db().principal.findUniqueOrThrow({ where: { id: foreign.id } })).name).toBe("theirs");
  });

  it("refuses a taken name, keeping the old one", async () => {
    const { account, admin } = await adminSetup();
    await createTestBot(account.id, "alpha");
    const beta = await createTestBot(account.id, "beta");
    expect(await renameBot(admin, { id: beta.id, name: "ALPHA" }, ctx)).toMatchObject({ ok: false, code: "bot_name_taken" });
    expect((await db().principal.findUniqueOrThrow({ where: { id: beta.id } })).name).toBe("beta");
  });
});

describe("setBotsActive", () => {
  it("deactivates and reactivates several bots at once, one event per bot changed, credentials kept", async () => {
    const { account, admin } = await adminSetup();
    const [a, b] = [await createTestBot(account.id), await createTestBot(account.id)];
    await createTestCredential(account.id, a.id);
    expect(await setBotsActive(admin, { ids: [a.id, b.id], active: false }, ctx)).toEqual({ ok: true, data: { count: 2, changed: 2 } });
    expect(await db().principal.count({ where: { id: { in: [a.id, b.id] }, status: "deactivated" } })).toBe(2);
    expect(await db().credential.count({ where: { ownerId: a.id } })).toBe(1);
    expect(await db().event.count({ where: { subjectId: { in: [a.id, b.id] }, type: "bot.deactivated" } })).toBe(2);

    await setBotsActive(admin, { ids: [a.id], active: true }, ctx);
    // a was already active again: the answer says 1 of the 2 changed (the toast must not say "Reactivated 2 bots").
    expect(await setBotsActive(admin, { ids: [a.id, b.id], active: true }, ctx)).toEqual({ ok: true, data: { count: 2, changed: 1 } });
    // a was already active: only b's reactivation is recorded by the second call.
    expect(await db().event.count({ where: { subjectId: { in: [a.id, b.id] }, type: "bot.reactivated" } })).toBe(2);
  });

  it("changes none when one id is not the account's", async () => {
    const { account, admin } = await adminSetup();
    const mine = await createTestBot(account.id);
    const other = await adminSetup();
    const theirs = await createTestBot(other.account.id);
    const result = await setBotsActive(admin, { ids: [mine.id, theirs.id], active: false }, ctx);
    expect(result).toMatchObject({ ok: false, code: "not_found" });
    expect((await db().principal.findUniqueOrThrow({ where: { id: mine.id } })).status).toBe("active");
    expect((await db().principal.findUniqueOrThrow({ where: { id: theirs.id } })).status).toBe("active");
  });
});

describe("deleteBots", () => {
  it("revokes and deletes every credential the bot owns, tombstones it, frees its name, keeps its events attributed", async () => {
    const { account, admin } = await adminSetup();
    const bot = await createTestBot(account.id, "doomed");
    await createTestCredential(account.id, bot.id, "authtoken");
    await createTestCredential(account.id, bot.id, "api_key");
    const revoked = await createTestCredential(account.id, bot.id, "api_key");
    await db().credential.update({ where: { id: revoked.id }, data: { revokedAt: new Date() } });
    const bystander = await createTestBot(account.id);
    await createTestCredential(account.id, bystander.id);
    await db().event.create({ data: { id: `ev_t${Date.now()}`, accountId: account.id, type: "agent.session_started", principalId: bot.id, botId: bot.id, source: "agent" } });

    expect(await deleteBots(admin, { ids: [bot.id] }, ctx)).toEqual({ ok: true, data: { count: 1, credentialsDeleted: 3, credentialsRevoked: 2 } });
    expect(await db().credential.count({ where: { ownerId: bot.id } })).toBe(0);
    expect(await db().credential.count({ where: { ownerId: bystander.id } })).toBe(1);
    expect(await getBot(account.id, bot.id)).toBeNull();
    const tombstone = await db().principal.findUniqueOrThrow({ where: { id: bot.id } });
    expect(tombstone.deletedAt).not.toBeNull();
    expect(tombstone.name).toBe("doomed");

    const events = (await listEvents(admin, eventsQuerySchema.parse({ bot: bot.id }))).rows;
    expect(events.find((e) => e.type === "agent.session_started")?.actor).toMatchObject({ name: "doomed", deleted: true });
    const deleted = events.find((e) => e.type === "bot.deleted");
    expect((deleted && (await db().event.findUniqueOrThrow({ where: { id: deleted.id } })).data) as object).toMatchObject({
      credentialsDeleted: expect.arrayContaining([
        expect.objectContaining({ kind: expect.any(String) }),
        expect.objectContaining({ id: revoked.id, alreadyRevoked: true }),
      ]),
    });

    expect(await createBot(admin, { name: "DOOMED" }, ctx)).toMatchObject({ ok: true });
    expect((await listBots(account.id, listBotsQuerySchema.parse({ q: "doomed" }))).total).toBe(1);
  });

  it("a failure midway leaves every bot and credential as it was", async () => {
    const { account, admin } = await adminSetup();
    const first = await createTestBot(account.id, `first-${Date.now()}`);
    const boomName = `boom-${Date.now()}`;
    const boom = await createTestBot(account.id, boomName);
    await createTestCredential(account.id, first.id);
    await createTestCredential(account.id, boom.id);
    // A real database failure in the middle of the transaction: after the
    // credentials are deleted and the bots tombstoned, recording the boom bot's event fails.
    const fn = `fail_${boom.id.toLowerCase()}`;
    await db().$executeRawUnsafe(`CREATE FUNCTION ${fn}() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN RAISE EXCEPTION 'injected failure'; END; $$`);
    await db().$executeRawUnsafe(`CREATE TRIGGER ${fn} BEFORE INSERT ON events FOR EACH ROW WHEN (NEW.subject_name = '${boomName}') EXECUTE FUNCTION ${fn}()`);
    try {
      await expect(deleteBots(admin, { ids: [first.id, boom.id] }, ctx)).rejects.toThrow(/injected failure/);
    } finally {
      await db().$executeRawUnsafe(`DROP TRIGGER ${fn} ON events`);
      await db().$executeRawUnsafe(`DROP FUNCTION ${fn}()`);
    }
    for (const bot of [first, boom]) {
      expect(await db().principal.findUniqueOrThrow({ where: { id: bot.id } })).toMatchObject({ deletedAt: null, status: "active" });
      expect(await db().credential.count({ where: { ownerId: bot.id } })).toBe(1);
    }
    expect(await db().event.count({ where: { subjectId: { in: [first.id, boom.id] }, type: "bot.deleted" } })).toBe(0);
  });

  it("refuses a member's forged delete and deletes nothing", async () => {
    const { account } = await adminSetup();
    const bot = await createTestBot(account.id);
    const member = actorOf(account, await createTestPerson(account.id, "member"), "member");
    expect(await deleteBots(member, { ids: [bot.id] }, ctx)).toEqual({ ok: false, code: "not_admin", message: NOT_ADMIN_BOTS });
    expect(await getBot(account.id, bot.id)).not.toBeNull();
  });
});

describe("listBots", () => {
  it("filters, sorts and pages on the server", async () => {
    const { account } = await adminSetup();
    for (let i = 0; i < 23; i++) await createTestBot(account.id, `svc-${String(i).padStart(2, "0")}`);
    await createTestBot(account.id, "other-thing");
    const off = await createTestBot(account.id, "svc-off");
    await db().principal.update({ where: { id: off.id }, data: { status: "deactivated" } });

    const page2 = await listBots(account.id, listBotsQuerySchema.parse({ q: "SVC", sort: "name", dir: "asc", page: "2", size: "10" }));
    expect(page2.total).toBe(24);
    expect(page2.pageCount).toBe(3);
    expect(page2.rows.map((r) => r.name)).toEqual(["svc-10", "svc-11", "svc-12", "svc-13", "svc-14", "svc-15", "svc-16", "svc-17", "svc-18", "svc-19"]);

    const deactivated = await listBots(account.id, listBotsQuerySchema.parse({ status: "deactivated" }));
    expect(deactivated.rows.map((r) => r.name)).toEqual(["svc-off"]);

    const beyond = await listBots(account.id, listBotsQuerySchema.parse({ q: "svc", page: "99", size: "10" }));
    expect(beyond.page).toBe(3);
    expect(beyond.rows).toHaveLength(4);

    const garbage = listBotsQuerySchema.parse({ sort: "password_hash", dir: "sideways", size: "7", page: "-3" });
    expect(garbage).toEqual({ q: "", status: "all", sort: "created", dir: "desc", page: 1, size: 25 });
  });
});

describe("listBots rows", () => {
  it("shows each bot's live and revoked credentials and this month's usage only; sorts by status and last activity, never-active last newest-first", async () => {
    const { account } = await adminSetup();
    const [a, b, c] = [await createTestBot(account.id, "a-bot"), await createTestBot(account.id, "b-bot"), await createTestBot(account.id, "c-bot")];
    for (let i = 0; i < 3; i++) await createTestCredential(account.id, a.id);
    const revoked = await createTestCredential(account.id, a.id, "api_key");
    await db().credential.update({ where: { id: revoked.id }, data: { revokedAt: new Date() } });
    await createTestCredential(account.id, b.id);
    const thisMonth = `${new Date().toISOString().slice(0, 8)}01`;
    // This month's two days count; the last day of last month does not.
    await db().$executeRaw`
      INSERT INTO usage_daily (account_id, principal_id, day, sessions, endpoints, bytes_in, bytes_out, api_requests)
      VALUES (${account.id}, ${a.id}, ${thisMonth}::date, 1, 0, 100, 20, 5), (${account.id}, ${a.id}, ${thisMonth}::date + 1, 2, 0, 1000, 0, 7),
             (${account.id}, ${a.id}, ${thisMonth}::date - 1, 50, 0, 9999, 9999, 999)`;
    await db().principal.update({ where: { id: c.id }, data: { status: "deactivated", lastActivityAt: new Date(Date.now() - 60_000) } });
    await db().principal.update({ where: { id: b.id }, data: { lastActivityAt: new Date() } });

    const rows = (await listBots(account.id, listBotsQuerySchema.parse({ sort: "name", dir: "asc" }))).rows;
    expect(rows.map((r) => [r.name, r.active, r.credentialCount, r.revokedCredentialCount, r.usage])).toEqual([
      ["a-bot", true, 3, 1, { apiRequests: 12, sessions: 3, bandwidth: 1120 }],
      ["b-bot", true, 1, 0, { apiRequests: 0, sessions: 0, bandwidth: 0 }],
      ["c-bot", false, 0, 0, { apiRequests: 0, sessions: 0, bandwidth: 0 }],
    ]);
    const names = async (sort: string, dir: string) => (await listBots(account.id, listBotsQuerySchema.parse({ sort, dir }))).rows.map((r) => r.name);
    expect(await names("lastActivity", "desc")).toEqual(["b-bot", "c-bot", "a-bot"]);
    expect(await names("lastActivity", "asc")).toEqual(["a-bot", "c-bot", "b-bot"]);
    expect((await names("status", "desc"))[0]).toBe("c-bot");
    expect(await names("created", "desc")).toEqual(["c-bot", "b-bot", "a-bot"]);
    expect(await listBots(account.id, listBotsQuerySchema.parse({ q: "nothing" }))).toMatchObject({ rows: [], total: 0, page: 1, pageCount: 1 });
  });
});

describe("listBots text filter", () => {
  it("matches % and _ literally", async () => {
    const { account } = await adminSetup();
    await createTestBot(account.id, "ci_deployer");
    await createTestBot(account.id, "ci-deployer");
    await createTestBot(account.id, "100%-uptime");
    const names = async (q: string) => (await listBots(account.id, listBotsQuerySchema.parse({ q, sort: "name", dir: "asc" }))).rows.map((r) => r.name);
    expect(await names("ci_")).toEqual(["ci_deployer"]);
    expect(await names("%")).toEqual(["100%-uptime"]);
    expect(await names("_")).toEqual(["ci_deployer"]);
  });
});

describe("credential ownership", () => {
  it("can never be changed, even by a direct update", async () => {
    const { account } = await adminSetup();
    const a = await createTestBot(account.id);
    const b = await createTestBot(account.id);
    const credential = await createTestCredential(account.id, a.id);
    await expect(db().credential.update({ where: { id: credential.id }, data: { ownerId: b.id } })).rejects.toThrow(/never be changed/);
  });
});

describe("a bot's description and contact", () => {
  it("are set at creation and by updateBot, each change recorded before → after; the unchanged and too long record nothing", async () => {
    const { account, admin } = await adminSetup();
    const created = await createBot(admin, { name: "described", description: "deploys main", contact: "#platform" }, ctx);
    if (!created.ok) throw new Error("setup");
    const id = created.data.id;
    expect(await getBot(account.id, id)).toMatchObject({ description: "deploys main", contact: "#platform" });

    expect(await updateBot(admin, { id, description: "  deploys main and tags  ", contact: "#platform" }, ctx)).toEqual({ ok: true, data: { id } });
    expect(await getBot(account.id, id)).toMatchObject({ description: "deploys main and tags", contact: "#platform" });
    const updated = await db().event.findMany({ where: { subjectId: id, type: "bot.updated" } });
    expect(updated.map((e) => e.data)).toEqual([{ before: { description: "deploys main" }, after: { description: "deploys main and tags" } }]);

    // The same values again: nothing changes, nothing is recorded.
    await updateBot(admin, { id, description: "deploys main and tags" }, ctx);
    expect(await db().event.count({ where: { subjectId: id, type: "bot.updated" } })).toBe(1);

    const long = await updateBot(admin, { id, contact: "é".repeat(128) }, ctx);
    expect(long).toMatchObject({ ok: false, code: "invalid_input", fieldErrors: { contact: expect.stringContaining("255 bytes") } });
    const twoLines = await updateBot(admin, { id, description: "a\nb" }, ctx);
    expect(twoLines).toMatchObject({ ok: false, fieldErrors: { description: expect.any(String) } });
    expect(await getBot(account.id, id)).toMatchObject({ contact: "#platform" });

    // Cleared with an empty string.
    await updateBot(admin, { id, contact: "" }, ctx);
    expect((await getBot(account.id, id))?.contact).toBe("");
  });

  it("only admins change them", async () => {
    const { account, admin } = await adminSetup();
    const bot = await createTestBot(account.id);
    const member = await createTestPerson(account.id, "member");
    const refused = await updateBot(actorOf(account, member, "member"), { id: bot.id, description: "mine now" }, ctx);
    expect(refused).toMatchObject({ ok: false, message: NOT_ADMIN_BOTS });
    expect((await getBot(account.id, bot.id))?.description).toBe("");
    expect(admin).toBeDefined();
  });
});

describe("getBot", () => {
  it("answers the bot, who created it and its revoked credentials' count; null for another account's, a deleted or a person", async () => {
    const { account, owner, admin } = await adminSetup();
    const created = await createBot(admin, { name: "detailed", description: "reads", contact: "#ops" }, ctx);
    if (!created.ok) throw new Error("setup");
    const id = created.data.id;
    await createTestCredential(account.id, id); // working: not counted
    const revoked = [await createTestCredential(account.id, id), await createTestCredential(account.id, id)];
    await db().credential.updateMany({ where: { id: { in: revoked.map((c) => c.id) } }, data: { revokedAt: new Date() } });
    await setBotsActive(admin, { ids: [id], active: false }, ctx);
    const row = await db().principal.findUniqueOrThrow({ where: { id } });
    expect(await getBot(account.id, id)).toEqual({
      id,
      name: "detailed",
      active: false,
      createdAt: row.createdAt,
      createdBy: { id: owner.id, name: owner.name },
      lastActivityAt: row.lastActivityAt,
      description: "reads",
      contact: "#ops",
      revokedCredentialCount: 2,
    });

    const seeded = await createTestBot(account.id, "no-creator");
    expect(await getBot(account.id, seeded.id)).toMatchObject({ id: seeded.id, active: true, createdBy: null, revokedCredentialCount: 0 });
    const other = await createTestAccount();
    expect(await getBot(other.account.id, id)).toBeNull();
    expect(await getBot(account.id, owner.id)).toBeNull();
    expect(await getBot(account.id, "bot_\u0000")).toBeNull();
  });
});
