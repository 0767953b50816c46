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
import { updateCredential } from "../credentials/update-credential";
import { addPerson } from "../people/add-person";
import { changeRole } from "../people/change-role";
import { setPersonActive } from "../people/set-person-active";
import { removePerson } from "../people/remove-person";
import { resetPassword } from "../people/reset-password";
import { updateAccount } from "../accounts/update-account";
import { setEventRetention } from "./set-event-retention";

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

  it("people, the account and credentials' fields: one event each, by the admin from the dashboard, about the person or account, no bot, no credential", async () => {
    const { account, owner } = await createTestAccount();
    const admin = actorOf(account, owner, "owner");
    const envelope = (e: { principalId: string; source: string; botId: string | null; credentialId: string | null; ip: string | null; userAgent: string | null }) => [
      e.principalId, e.source, e.botId, e.credentialId, e.ip, e.userAgent,
    ];
    const byAdmin = [owner.id, "dashboard", null, null, ctx.ip, ctx.userAgent];

    let personId = "";
    const added = await recorded(account.id, async () => {
      const r = await addPerson(admin, { email: `attr-${Date.now()}@example.com`, name: "Pat Person", role: "member" }, ctx);
      if (r.ok) personId = r.data.id;
    });
    expect(added.map((e) => [e.type, e.subjectId, e.subjectKind, ...envelope(e)])).toEqual([["person.added", personId, "person", ...byAdmin]]);
    expect(added[0]!.data).toMatchObject({ after: { role: "member" } });

    const steps: [string, () => Promise<unknown>, object][] = [
      ["person.role_changed", () => changeRole(admin, { personId, role: "admin" }, ctx), { before: { role: "member" }, after: { role: "admin" } }],
      ["person.deactivated", () => setPersonActive(admin, { personId, active: false }, ctx), { before: { active: true }, after: { active: false } }],
      ["person.reactivated", () => setPersonActive(admin, { personId, active: true }, ctx), { before: { active: false }, after: { active: true } }],
      ["person.password_reset", () => resetPassword(admin, { personId }, ctx), { mustChangePassword: true }],
      ["person.removed", () => removePerson(admin, { personId }, ctx), { before: { role: "admin" } }],
    ];
    for (const [type, run, data] of steps) {
      const events = await recorded(account.id, run);
      expect(events.map((e) => [e.type, e.subjectId, e.subjectKind, ...envelope(e)]), type).toEqual([[type, personId, "person", ...byAdmin]]);
      expect(events[0]!.data, type).toMatchObject(data);
    }

    const settings = await recorded(account.id, () => updateAccount(admin, { name: "Renamed Inc", seatLimit: String(account.seatLimit) }, ctx));
    expect(settings.map((e) => [e.type, e.subjectId, e.subjectKind, ...envelope(e)])).toEqual([["account.updated", account.id, "account", ...byAdmin]]);
    expect(settings[0]!.data).toMatchObject({ before: { name: account.name }, after: { name: "Renamed Inc" } });
    const retention = await recorded(account.id, () => setEventRetention(admin, { days: "30" }, ctx));
    expect(retention.map((e) => [e.type, e.subjectId, ...envelope(e)])).toEqual([["account.updated", account.id, ...byAdmin]]);

    // A credential's fields, changed by its owner bot through the API with another of its keys.
    const bot = await createBot(admin, { name: "attr-bot" }, ctx);
    if (!bot.ok) throw new Error("setup");
    const keys = await Promise.all([1, 2].map(() => createCredential(admin, { kind: "api_key", ownerId: bot.data.id }, ctx)));
    const [used, changed] = keys.map((k) => (k.ok ? k.data.credential : null));
    const asBot: Actor = { principal: { id: bot.data.id, name: "attr-bot", kind: "bot" }, account, role: "member", source: "api", credential: { id: used!.id, display: used!.display } };
    const updated = await recorded(account.id, () => updateCredential(asBot, { id: changed!.id, metadata: "deploy 42" }, ctx));
    expect(updated.map((e) => [e.type, e.principalId, e.source, e.subjectId, e.subjectKind, e.botId, e.credentialId, e.credentialDisplay])).toEqual([
      ["credential.updated", bot.data.id, "api", changed!.id, "credential", bot.data.id, used!.id, used!.display],
    ]);
    expect(updated[0]!.data).toMatchObject({ before: { metadata: "" }, after: { metadata: "deploy 42" } });
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
