import { describe, expect, it } from "vitest";
import { db } from "@/lib/db/client";
import { newId } from "@/lib/ids";
import { actorOf, createTestAccount, createTestBot, createTestCredential, createTestPerson } from "@/lib/test-support/factories";
import { SESSION_TIMEOUT_SECONDS } from "@/lib/domain/agent-sessions/limits";
import { deactivationImpact } from "./deactivation-impact";

async function insertSession(accountId: string, principalId: string, credentialId: string, lastHeartbeatAt: Date, endedAt: Date | null = null) {
  await db().tunnelSession.create({
    data: {
      id: newId("tunnelSession"), accountId, principalId, credentialId, credentialDisplay: "cr_…", transport: "ngrok/v2",
      agentVersion: "3.18.4", os: "linux", arch: "amd64", lastHeartbeatAt, endedAt, endReason: endedAt ? "agent_closed" : null,
    },
  });
}

describe("what a deactivation stops", () => {
  it("counts live sessions (open, heard from within the timeout) and working credentials of the given principals in the actor's account only", async () => {
    const { account, owner } = await createTestAccount();
    const admin = actorOf(account, owner, "owner");
    const bot = await createTestBot(account.id);
    const person = await createTestPerson(account.id);
    const now = new Date();
    const token = await createTestCredential(account.id, bot.id);
    await createTestCredential(account.id, bot.id, "api_key");
    const revoked = await createTestCredential(account.id, person.id);
    await db().credential.update({ where: { id: revoked.id }, data: { revokedAt: now } });
    const expired = await createTestCredential(account.id, person.id, "api_key");
    await db().credential.update({ where: { id: expired.id }, data: { expiresAt: new Date(now.getTime() - 1000) } });
    await createTestCredential(account.id, person.id);
    await insertSession(account.id, bot.id, token.id, now);
    await insertSession(account.id, bot.id, token.id, new Date(now.getTime() - (SESSION_TIMEOUT_SECONDS - 5) * 1000));
    await insertSession(account.id, bot.id, token.id, new Date(now.getTime() - (SESSION_TIMEOUT_SECONDS + 5) * 1000)); // stale: the sweep ends it
    await insertSession(account.id, bot.id, token.id, now, now); // ended
    await insertSession(account.id, person.id, token.id, now);

    // Bot: 2 live sessions (not the stale or ended ones), 2 working keys.
    expect(await deactivationImpact(admin, { ids: [bot.id] }, { now })).toEqual({ ok: true, data: { credentials: 2, sessions: 2 } });
    // Person: 1 working key (not the revoked or expired ones), 1 live session; both principals together.
    expect(await deactivationImpact(admin, { ids: [person.id] }, { now })).toEqual({ ok: true, data: { credentials: 1, sessions: 1 } });
    expect(await deactivationImpact(admin, { ids: [bot.id, person.id] }, { now })).toEqual({ ok: true, data: { credentials: 3, sessions: 3 } });

    // Another account's admin learns nothing about these principals; a member may not ask.
    const other = await createTestAccount();
    const otherAdmin = actorOf(other.account, other.owner, "owner");
    expect(await deactivationImpact(otherAdmin, { ids: [bot.id, person.id] }, { now })).toEqual({ ok: true, data: { credentials: 0, sessions: 0 } });
    const member = actorOf(account, person, "member");
    expect(await deactivationImpact(member, { ids: [bot.id] })).toMatchObject({ ok: false, code: "not_admin" });
    expect(await deactivationImpact(admin, { ids: ["'; DROP TABLE x"] })).toMatchObject({ ok: false, code: "invalid_input" });
    expect(await deactivationImpact(admin, { ids: [] })).toMatchObject({ ok: false, code: "invalid_input" });
  });
});
