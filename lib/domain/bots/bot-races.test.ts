import { describe, expect, it } from "vitest";
import { db } from "../../db/client";
import { actorOf, createTestAccount, createTestBot } from "../../test-support/factories";
import { race } from "../../test-support/races";
import { createCredential } from "../credentials/create-credential";
import { rotateCredential } from "../credentials/rotate-credential";
import { verifyCredential } from "../credentials/verify-credential";
import { createBot } from "./create-bot";
import { deleteBots } from "./delete-bots";
import { renameBot } from "./rename-bot";

// Each trial starts two changes of the same bot at the same moment. Without the
// bot's row lock the losing interleaving shows up in most runs of these sizes
// (the review saw 39 of 60 and 25 of 30); with it, never.
const ctx = { ip: "192.0.2.90", userAgent: "vitest-races" };

async function setup() {
  const { account, owner } = await createTestAccount();
  return { account, admin: actorOf(account, owner, "owner") };
}

describe("bot changes racing a delete of the same bot (real PostgreSQL)", () => {
  it("rename vs delete: a deleted bot never keeps a name, and is never renamed after deletion", async () => {
    const { account, admin } = await setup();
    const rounds = await race(60, async (i) => {
      const bot = await createTestBot(account.id, `racer-${i}`);
      return [
        async () => (await renameBot(admin, { id: bot.id, name: `renamed-${i}` }, ctx), bot.id),
        async () => (await deleteBots(admin, { ids: [bot.id] }, ctx), bot.id),
      ];
    });
    for (const [i, results] of rounds.entries()) {
      expect(results.map((r) => r.status)).toEqual(["fulfilled", "fulfilled"]);
      const botId = (results[0] as PromiseFulfilledResult<string>).value;
      const tombstone = await db().principal.findUniqueOrThrow({ where: { id: botId } });
      expect(tombstone.deletedAt).not.toBeNull();
      expect(tombstone.nameKey).toBeNull();
      // A rename that won was recorded before the deletion, or did not happen at all.
      const types = (await db().event.findMany({ where: { subjectId: botId }, orderBy: [{ createdAt: "asc" }, { id: "asc" }] })).map((e) => e.type);
      if (types.includes("bot.renamed")) expect(types.indexOf("bot.renamed")).toBeLessThan(types.indexOf("bot.deleted"));
      expect(types.filter((t) => t === "bot.deleted")).toHaveLength(1);
      // What a user would notice: the names are free again.
      expect(await createBot(admin, { name: `renamed-${i}` }, ctx)).toMatchObject({ ok: true });
    }
  });

  it("create credential vs delete: a deleted bot never owns a credential, and no handed-out token works", async () => {
    const { account, admin } = await setup();
    const tokens: string[] = [];
    const rounds = await race(40, async () => {
      const bot = await createTestBot(account.id);
      return [
        async () => {
          const r = await createCredential(admin, { kind: "authtoken", ownerId: bot.id }, ctx);
          if (r.ok && r.data.token) tokens.push(r.data.token);
          return bot.id;
        },
        async () => (await deleteBots(admin, { ids: [bot.id] }, ctx), bot.id),
      ];
    });
    for (const results of rounds) {
      expect(results.map((r) => r.status)).toEqual(["fulfilled", "fulfilled"]);
      const botId = (results[0] as PromiseFulfilledResult<string>).value;
      expect(await db().credential.count({ where: { ownerId: botId } })).toBe(0);
    }
    for (const token of tokens) expect(await verifyCredential(token)).toMatchObject({ ok: false });
  });

  it("rotate vs delete: the rotated credential goes with the bot", async () => {
    const { account, admin } = await setup();
    const tokens: string[] = [];
    const rounds = await race(40, async () => {
      const bot = await createTestBot(account.id);
      const created = await createCredential(admin, { kind: "api_key", ownerId: bot.id }, ctx);
      if (!created.ok) throw new Error(created.message);
      return [
        async () => {
          const r = await rotateCredential(admin, { id: created.data.credential.id }, ctx);
          if (r.ok) tokens.push(r.data.token);
          return bot.id;
        },
        async () => (await deleteBots(admin, { ids: [bot.id] }, ctx), bot.id),
      ];
    });
    for (const results of rounds) {
      expect(results.map((r) => r.status)).toEqual(["fulfilled", "fulfilled"]);
      const botId = (results[0] as PromiseFulfilledResult<string>).value;
      expect(await db().credential.count({ where: { ownerId: botId } })).toBe(0);
    }
    for (const token of tokens) expect(await verifyCredential(token)).toMatchObject({ ok: false });
  });
});
