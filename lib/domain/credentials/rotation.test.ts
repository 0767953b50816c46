import { describe, expect, it } from "vitest";
import { db } from "../../db/client";
import { actorOf, createTestAccount, createTestBot, createTestPerson } from "../../test-support/factories";
import { createCredential } from "./create-credential";
import { revokeCredentials } from "./revoke-credentials";
import { ROTATE_EXPIRED, rotateCredential } from "./rotate-credential";
import { verifyCredential } from "./verify-credential";

const ctx = { ip: "192.0.2.94", userAgent: "vitest" };
const DAY = 86_400_000;
const inDays = (n: number) => new Date(Date.now() + n * DAY).toISOString().slice(0, 10);

async function setup() {
  const { account, owner } = await createTestAccount();
  const admin = actorOf(account, owner, "owner");
  const member = actorOf(account, await createTestPerson(account.id, "member"), "member");
  const bot = await createTestBot(account.id);
  return { admin, member, bot };
}

async function issue(actor: ReturnType<typeof actorOf>, input: Record<string, unknown>) {
  const r = await createCredential(actor, input, ctx);
  if (!r.ok) throw new Error(r.message);
  return { ...r.data, token: r.data.token! };
}

describe("rotation never extends a credential's life", () => {
  it("the new credential keeps the old expiry, also when that falls inside the grace period", async () => {
    const { admin, member, bot } = await setup();
    for (const [actor, ownerId] of [[admin, bot.id], [member, undefined]] as const) {
      const old = await issue(actor, { kind: "api_key", ownerId, expiry: "date", expiresOn: inDays(2) });
      const rotated = await rotateCredential(actor, { id: old.credential.id, grace: "7d" }, ctx);
      if (!rotated.ok) throw new Error(rotated.message);
      expect(rotated.data.credential.expiresAt).toEqual(old.credential.expiresAt);
      expect(rotated.data.previous.expiresAt).toEqual(old.credential.expiresAt);
      const afterExpiry = new Date(old.credential.expiresAt!.getTime() + 1000);
      expect(await verifyCredential(rotated.data.token, { now: afterExpiry })).toMatchObject({ ok: false, reason: "expired" });
      const event = await db().event.findFirstOrThrow({ where: { subjectId: rotated.data.credential.id, type: "credential.rotated" } });
      expect(event.data).toMatchObject({ from: old.credential.id, expiresAt: old.credential.expiresAt!.toISOString() });
    }
  });

  it("a credential without expiry rotates into one without expiry; the old one ends after the grace period", async () => {
    const { admin, bot } = await setup();
    const old = await issue(admin, { kind: "authtoken", ownerId: bot.id });
    const rotated = await rotateCredential(admin, { id: old.credential.id, grace: "1h" }, ctx);
    if (!rotated.ok) throw new Error(rotated.message);
    expect(rotated.data.credential.expiresAt).toBeNull();
    const later = new Date(Date.now() + 3601_000);
    expect(await verifyCredential(old.token, { now: later })).toMatchObject({ ok: false, reason: "expired" });
    expect(await verifyCredential(rotated.data.token, { now: later })).toMatchObject({ ok: true });
  });

  it("an expired credential cannot be rotated, by an admin or by a member on their own key", async () => {
    const { admin, member, bot } = await setup();
    for (const [actor, ownerId] of [[admin, bot.id], [member, undefined]] as const) {
      const old = await issue(actor, { kind: "api_key", ownerId, expiry: "30" });
      await db().credential.update({ where: { id: old.credential.id }, data: { expiresAt: new Date(Date.now() - 1000) } });
      expect(await rotateCredential(actor, { id: old.credential.id }, ctx)).toEqual({ ok: false, code: "expired", message: ROTATE_EXPIRED });
      expect(await db().credential.count({ where: { rotatedFromId: old.credential.id } })).toBe(0);
      expect(await verifyCredential(old.token)).toMatchObject({ ok: false, reason: "expired" });
    }
  });

  it("a revoked credential cannot be rotated", async () => {
    const { admin, member } = await setup();
    for (const actor of [admin, member]) {
      const old = await issue(actor, { kind: "authtoken" });
      expect(await revokeCredentials(actor, { ids: [old.credential.id] }, ctx)).toMatchObject({ ok: true });
      expect(await rotateCredential(actor, { id: old.credential.id }, ctx)).toMatchObject({ ok: false, code: "not_found" });
      expect(await db().credential.count({ where: { rotatedFromId: old.credential.id } })).toBe(0);
    }
  });
});
