import { describe, expect, it } from "vitest";
import { db } from "@/lib/db/client";
import { authenticateCredential } from "@/lib/domain/access/authenticate-credential";
import { createCredential } from "@/lib/domain/credentials/create-credential";
import { revokeCredentials } from "@/lib/domain/credentials/revoke-credentials";
import { sshKeygen } from "@/lib/test-support/ssh-keys";
import { NO_CTX, sdkSession, until, withAgentListener } from "@/lib/test-support/ngrok-agents";
import { apiAccount, call } from "./client";

// ngrok's own agent SDK against a real listener, re-checking its credential every 300 ms (RECHECK_MS).
const h = withAgentListener();
const activityOf = async (id: string) => (await db().principal.findUniqueOrThrow({ where: { id } })).lastActivityAt;
const lastUsedOf = async (id: string) => (await db().credential.findUniqueOrThrow({ where: { id } })).lastUsedAt;
const setActivity = (id: string, at: Date | null) => db().principal.update({ where: { id }, data: { lastActivityAt: at } });
const setLastUsed = (id: string, at: Date | null) => db().credential.update({ where: { id }, data: { lastUsedAt: at } });
const secondsAgo = (s: number) => new Date(Date.now() - s * 1000);

describe("real use marks the principal active", () => {
  it("an API read (no event) sets the key's owner's last activity with the key's last used; a refused key sets neither", async () => {
    const { bot, owner } = await apiAccount();
    expect(await activityOf(bot.principal.id)).toBeNull();
    const before = Date.now();
    expect((await call("GET", "/bot_users", { key: bot.key.token })).status).toBe(200);
    const at = await activityOf(bot.principal.id);
    expect(at!.getTime()).toBeGreaterThanOrEqual(before - 1000);
    expect((await lastUsedOf(bot.key.id))!.getTime()).toBe(at!.getTime());

    // Revoked: refused, and neither the key's last used nor the bot's activity moves.
    await setActivity(bot.principal.id, null);
    await setLastUsed(bot.key.id, null);
    expect((await revokeCredentials(owner.actor, { ids: [bot.key.id] }, NO_CTX)).ok).toBe(true);
    await setActivity(bot.principal.id, null); // the revocation's event concerns the bot but is the owner's activity
    expect((await call("GET", "/bot_users", { key: bot.key.token })).body.error_code).toBe("ERR_NGROK_300");
    expect(await activityOf(bot.principal.id)).toBeNull();
    expect(await lastUsedOf(bot.key.id)).toBeNull();
  });

  it("is written at most once a minute, also when only one of the two is stale", async () => {
    const { member } = await apiAccount();
    const recent = secondsAgo(30);
    await setActivity(member.principal.id, recent);
    await setLastUsed(member.key.id, recent);
    await call("GET", "/api_keys", { key: member.key.token });
    expect(await activityOf(member.principal.id)).toEqual(recent);
    expect(await lastUsedOf(member.key.id)).toEqual(recent);

    // The person was last active long ago (say through another key): this use marks them, the key stays as it was.
    const old = secondsAgo(600);
    await setActivity(member.principal.id, old);
    await call("GET", "/api_keys", { key: member.key.token });
    expect((await activityOf(member.principal.id))!.getTime()).toBeGreaterThan(recent.getTime());
    expect(await lastUsedOf(member.key.id)).toEqual(recent);
  });

  it("a connected agent's heartbeat re-check marks the authtoken's owner active", async () => {
    const { bot, owner } = await apiAccount();
    const created = await createCredential(owner.actor, { kind: "authtoken", ownerId: bot.principal.id }, NO_CTX);
    if (!created.ok) throw new Error(created.message);
    const tokenId = created.data.credential.id;
    const agent = await sdkSession(h, created.data.token!).connect();
    try {
      const old = secondsAgo(120);
      await setActivity(bot.principal.id, old);
      await setLastUsed(tokenId, old);
      // Nothing but the session's own re-checks runs from here on.
      const at = await until(() => activityOf(bot.principal.id), (a) => a!.getTime() > old.getTime());
      expect(at!.getTime()).toBeGreaterThan(old.getTime());
      expect((await lastUsedOf(tokenId))!.getTime()).toBeGreaterThan(old.getTime());
    } finally {
      await agent.close();
    }
  });

  it("an accepted SSH key marks its owner active; a revoked one does not", async () => {
    const { bot, owner } = await apiAccount();
    const key = sshKeygen("ed25519");
    const created = await createCredential(owner.actor, { kind: "ssh_key", ownerId: bot.principal.id, publicKey: key.publicKey }, NO_CTX);
    if (!created.ok) throw new Error(created.message);
    await setActivity(bot.principal.id, null);
    const ssh = { source: "agent", path: "ssh", ctx: { ip: "127.0.0.1", userAgent: null } } as const;
    expect((await authenticateCredential({ sshKey: { fingerprint: key.fingerprint, accountId: null } }, ssh)).ok).toBe(true);
    expect(await activityOf(bot.principal.id)).not.toBeNull();
    expect(await lastUsedOf(created.data.credential.id)).not.toBeNull();

    expect((await revokeCredentials(owner.actor, { ids: [created.data.credential.id] }, NO_CTX)).ok).toBe(true);
    await setActivity(bot.principal.id, null);
    await setLastUsed(created.data.credential.id, null);
    const blob = Buffer.from(key.publicKey.split(" ")[1]!, "base64");
    const refused = await authenticateCredential({ sshKey: { fingerprint: key.fingerprint, accountId: null, blob } }, ssh);
    expect(refused).toMatchObject({ ok: false, reason: "revoked" });
    expect(await activityOf(bot.principal.id)).toBeNull();
    expect(await lastUsedOf(created.data.credential.id)).toBeNull();
  });
});
