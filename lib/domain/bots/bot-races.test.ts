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

describe("look-alike names racing (real PostgreSQL)", () => {
  // Each round, several creates and renames start at once, each with a different look-alike of one
  // name: the unique indexes on the name keys let exactly one win, the others are told it is taken.
  const twinsOf = (i: number) => [
    `paypal-${i}`, `p\u0430ypal-${i}`, `paypaI-${i}`, `P\u0410YPAL-${i}`, `\uFF50\uFF41\uFF59\uFF50\uFF41\uFF4C-${i}`,
    `\u{1D429}\u{1D41A}\u{1D432}\u{1D429}\u{1D41A}\u{1D425}-${i}`, `paypa1-${i}`, `\u0440\u0430\u0443\u0440\u0430l-${i}`,
  ];

  it("creates and renames to twins of one name: exactly one wins each round", async () => {
    const { account, admin } = await setup();
    const spares = await Promise.all([1, 2, 3, 4].map((n) => createTestBot(account.id, `spare-${n}`)));
    for (let i = 0; i < 25; i++) {
      const [round] = await race(1, async () =>
        twinsOf(i).map((name, k) => async () => {
          const spare = spares[k % spares.length]!;
          return k < 4 ? createBot(admin, { name }, ctx) : renameBot(admin, { id: spare.id, name }, ctx);
        }),
      );
      // Every answer of the round, so a failure shows what each racer got.
      const shown = `round ${i}: ${JSON.stringify(round!.map((r) => (r.status === "rejected" ? `threw ${String(r.reason).slice(0, 300)}` : r.value)))}`;
      expect(round!.filter((r) => r.status === "rejected"), shown).toEqual([]);
      const results = round!.map((r) => (r as PromiseFulfilledResult<{ ok: boolean; code?: string }>).value);
      expect(results.filter((r) => r.ok), shown).toHaveLength(1);
      expect(results.filter((r) => !r.ok).every((r) => r.code === "bot_name_taken"), shown).toBe(true);
      // Checked right away: a later round may rename a spare that won this one.
      const live = await db().principal.findMany({ where: { accountId: account.id, kind: "bot", deletedAt: null }, select: { name: true } });
      expect(live.filter((b) => twinsOf(i).includes(b.name)), shown).toHaveLength(1);
    }
  });
});

