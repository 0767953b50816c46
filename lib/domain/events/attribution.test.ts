import { describe, expect, it } from "vitest";
import { db } from "../../db/client";
import { actorOf, createTestAccount } from "../../test-support/factories";
import type { Actor } from "../access/types";
import { createBot } from "../bots/create-bot";
import { deleteBots } from "../bots/delete-bots";
import { renameBot } from "../bots/rename-bot";
import { setBotsActive } from "../bots/set-bots-active";
import { createCredential } from "../credentials/create-credential";
import { revokeCredentials } from "../credentials/revoke-credentials";
import { rotateCredential } from "../credentials/rotate-credential";

const ctx = { ip: "198.51.100.30", userAgent: "vitest-attribution" };

/** The events recorded while `run` ran, oldest first. */
async function recorded(accountId: string, run: () => Promise<unknown>) {
  const before = new Date(Date.now() - 1);
  await run();
  return db().event.findMany({ where: { accountId, createdAt: { gte: before } }, orderBy: [{ createdAt: "asc" }, { id: "asc" }] });
}

describe("attribution: every mutation writes exactly one event per change, with its principal, source, subject, bot and credential", () => {
  it("bots and their credentials, from the dashboard and through the API as the bot itself", async () => {
    const { account, owner } = await createTestAccount();
    const admin = actorOf(account, owner, "owner");
    let botId = "";
    const [created] = await recorded(account.id, async () => {
      const r = await createBot(admin, { name: "billing-sync" }, ctx);
      if (r.ok) botId = r.data.id;
    });
    expect(created).toMatchObject({ type: "bot.created", principalId: owner.id, source: "dashboard", subjectId: botId, subjectKind: "bot", botId, credentialId: null, ip: ctx.ip });

    const renamed = await recorded(account.id, () => renameBot(admin, { id: botId, name: "billing-sync-2" }, ctx));
    expect(renamed.map((e) => [e.type, e.botId, e.data])).toEqual([["bot.renamed", botId, { before: { name: "billing-sync" }, after: { name: "billing-sync-2" } }]]);

    let keyId = "";
    let display = "";
    const keyCreated = await recorded(account.id, async () => {
      const r = await createCredential(admin, { kind: "api_key", ownerId: botId }, ctx);
      if (r.ok) [keyId, display] = [r.data.credential.id, r.data.credential.display];
    });
    expect(keyCreated.map((e) => [e.type, e.principalId, e.subjectId, e.subjectKind, e.botId])).toEqual([["credential.created", owner.id, keyId, "credential", botId]]);

    // The bot, through the API with that key: the key is recorded on what it does.
    const asBot: Actor = { principal: { id: botId, name: "billing-sync-2", kind: "bot" }, account, role: "member", source: "api", credential: { id: keyId, display } };
    let ownKey = "";
    const byBot = await recorded(account.id, async () => {
      const r = await createCredential(asBot, { kind: "authtoken" }, ctx);
      if (r.ok) ownKey = r.data.credential.id;
    });
    expect(byBot.map((e) => [e.type, e.principalId, e.source, e.credentialId, e.credentialDisplay, e.subjectId, e.botId])).toEqual([
      ["credential.created", botId, "api", keyId, display, ownKey, botId],
    ]);
    const rotated = await recorded(account.id, () => rotateCredential(asBot, { id: ownKey, grace: "1h" }, ctx));
    expect(rotated.map((e) => [e.type, e.principalId, e.source, e.credentialId, e.botId])).toEqual([["credential.rotated", botId, "api", keyId, botId]]);

    const deactivated = await recorded(account.id, () => setBotsActive(admin, { ids: [botId], active: false }, ctx));
    expect(deactivated.map((e) => [e.type, e.botId, e.data])).toEqual([["bot.deactivated", botId, { before: { active: true }, after: { active: false } }]]);
    // Nothing changes, nothing is recorded.
    expect(await recorded(account.id, () => setBotsActive(admin, { ids: [botId], active: false }, ctx))).toEqual([]);

    const revoked = await recorded(account.id, () => revokeCredentials(admin, { ids: [keyId] }, ctx));
    expect(revoked.map((e) => [e.type, e.subjectId, e.botId])).toEqual([["credential.revoked", keyId, botId]]);

    const deleted = await recorded(account.id, () => deleteBots(admin, { ids: [botId] }, ctx));
    expect(deleted.map((e) => [e.type, e.principalId, e.subjectId, e.botId])).toEqual([["bot.deleted", owner.id, botId, botId]]);
    // Every credential it owned goes with it, revoked and rotated-away ones too, each named with its display.
    const gone = (deleted[0]!.data as { credentialsDeleted: { id: string; display: string }[] }).credentialsDeleted;
    expect(gone.map((c) => c.id)).toEqual(expect.arrayContaining([keyId, ownKey]));
    expect(gone).toHaveLength(3);
    expect(gone.find((c) => c.id === keyId)?.display).toBe(display);
  });

  it("a refused or rolled-back change writes no event", async () => {
    const { account, owner } = await createTestAccount();
    const admin = actorOf(account, owner, "owner");
    await createBot(admin, { name: "taken" }, ctx);
    const refused = await recorded(account.id, async () => {
      expect(await createBot(admin, { name: "TAKEN" }, ctx)).toMatchObject({ ok: false }); // the unique index rolls the transaction back
      expect(await renameBot(admin, { id: "bot_0000000000000000000000", name: "x" }, ctx)).toMatchObject({ ok: false });
      expect(await deleteBots(admin, { ids: ["bot_0000000000000000000000"] }, ctx)).toMatchObject({ ok: false });
    });
    expect(refused).toEqual([]);
  });
});
