import { describe, expect, it } from "vitest";
import { db } from "@/lib/db/client";
import { actorOf, createTestAccount, createTestBot, createTestPerson } from "@/lib/test-support/factories";
import { createCredential } from "@/lib/domain/credentials/create-credential";
import { authenticateCredential } from "@/lib/domain/access/authenticate-credential";
import { admitPrincipal } from "@/lib/domain/access/admit-principal";
import { getInsights } from "./get-insights";

const ctx = { ip: "198.51.100.9", userAgent: "vitest-insights" };
const DAY = 86_400_000;
const ago = (days: number, now = Date.now()) => new Date(now - days * DAY);

describe("getInsights", () => {
  it("lists bots idle for 90 days, credentials never used, unused for 90 days and expiring within 7 days, at the boundaries", async () => {
    const now = new Date();
    const { account, owner } = await createTestAccount();
    const admin = actorOf(account, owner, "owner");
    const bot = async (name: string, created: number, last: number | null, status: "active" | "deactivated" = "active") => {
      const b = await createTestBot(account.id, name);
      await db().principal.update({ where: { id: b.id }, data: { createdAt: ago(created, now.getTime()), lastActivityAt: last === null ? null : ago(last, now.getTime()), status } });
      return b;
    };
    await bot("idle-91", 200, 91);
    await bot("never-active-old", 120, null);
    await bot("never-active-new", 10, null); // too new to count as idle
    await bot("active-89", 200, 89);
    await bot("idle-but-deactivated", 200, 150, "deactivated"); // nothing to act on
    const cred = async (description: string, data: { lastUsedAt?: Date | null; expiresAt?: Date | null; revokedAt?: Date | null }) => {
      const r = await createCredential(admin, { kind: "api_key", description }, ctx);
      if (!r.ok) throw new Error(r.message);
      await db().credential.update({ where: { id: r.data.credential.id }, data });
      return r.data;
    };
    await cred("never", {});
    await cred("used-91", { lastUsedAt: ago(91, now.getTime()) });
    await cred("used-89", { lastUsedAt: ago(89, now.getTime()) });
    await cred("expires-6d", { lastUsedAt: now, expiresAt: new Date(now.getTime() + 6 * DAY) });
    await cred("expires-8d", { lastUsedAt: now, expiresAt: new Date(now.getTime() + 8 * DAY) });
    await cred("expired", { expiresAt: ago(1, now.getTime()) }); // already expired: not "never used", not expiring
    await cred("revoked", { revokedAt: now });

    const insights = (await getInsights(admin, now))!;
    expect(insights.inactiveBots.items.map((i) => i.name)).toEqual(["never-active-old", "idle-91"]);
    expect(insights.inactiveBots.count).toBe(2);
    expect(insights.neverUsed.items.map((i) => `${i.name} · ${i.owner}`)).toEqual([`never · ${owner.name}`]);
    expect(insights.unused.items.map((i) => `${i.name} · ${i.owner}`)).toEqual([`used-91 · ${owner.name}`]);
    expect(insights.expiring).toMatchObject({ count: 1, items: [{ name: "expires-6d", owner: owner.name }] });
  });

  it("only real use counts: a bot's refused sign-in and a refused (revoked) key leave the bot idle and the key unused", async () => {
    const { account, owner } = await createTestAccount();
    const admin = actorOf(account, owner, "owner");
    const b = await createTestBot(account.id, "dormant");
    await db().principal.update({ where: { id: b.id }, data: { createdAt: ago(100) } });
    const key = await createCredential(admin, { kind: "api_key", ownerId: b.id, description: "old" }, ctx);
    if (!key.ok) throw new Error(key.message);
    // Creating the key is the owner's activity, not the bot's.
    await db().credential.update({ where: { id: key.data.credential.id }, data: { revokedAt: new Date() } });
    const principal = await db().principal.findUniqueOrThrow({ where: { id: b.id }, select: { id: true, kind: true, status: true, name: true, accountId: true } });
    expect((await admitPrincipal(principal, "password", ctx)).ok).toBe(false);
    expect((await authenticateCredential({ secret: key.data.token!, kinds: ["api_key"] }, { source: "api", path: "/api/v1/bot_users", ctx })).ok).toBe(false);
    expect(await db().event.count({ where: { principalId: b.id } })).toBe(2); // both refusals recorded...
    const after = await db().principal.findUniqueOrThrow({ where: { id: b.id } });
    expect(after.lastActivityAt).toBeNull(); // ...neither made the bot active
    expect((await db().credential.findUniqueOrThrow({ where: { id: key.data.credential.id } })).lastUsedAt).toBeNull();
    expect((await getInsights(admin))!.inactiveBots.items.map((i) => i.name)).toEqual(["dormant"]);
  });

  it("is for owners and admins only", async () => {
    const { account } = await createTestAccount();
    const member = await createTestPerson(account.id, "member");
    expect(await getInsights(actorOf(account, member, "member"))).toBeNull();
  });
});
