import { describe, expect, it } from "vitest";
import { signInWithPassword } from "../access/sign-in-with-password";
import { db } from "../../db/client";
import { actorOf, createTestAccount, createTestBot, createTestPerson, loginRefusals } from "../../test-support/factories";
import { sshKeygen } from "../../test-support/ssh-keys";
import { listCredentialsQuerySchema } from "../../validation/credentials";
import { deleteBots } from "../bots/delete-bots";
import { listEvents } from "../events/list-events";
import { eventsQuerySchema } from "../../validation/events";
import { setBotsActive } from "../bots/set-bots-active";
import { setPersonActive } from "../people/set-person-active";
import { removePerson } from "../people/remove-person";
import { createCredential, NOT_ADMIN_CREDENTIALS } from "./create-credential";
import { listCredentials, listOwnedCredentials } from "./list-credentials";
import { recordExpiredCredentials } from "./record-expired-credentials";
import { revokeCredentials } from "./revoke-credentials";
import { rotateCredential } from "./rotate-credential";
import { issueSecret } from "./token-format";
import { verifyCredential } from "./verify-credential";

const ctx = { ip: "192.0.2.77", userAgent: "vitest" };

async function setup() {
  const { account, owner } = await createTestAccount();
  const admin = actorOf(account, owner, "owner");
  const bot = await createTestBot(account.id);
  return { account, owner, admin, bot };
}

async function issue(actor: ReturnType<typeof actorOf>, input: Record<string, unknown>) {
  const result = await createCredential(actor, input, ctx);
  if (!result.ok) throw new Error(`${result.code}: ${result.message} ${JSON.stringify(result.fieldErrors)}`);
  return result.data;
}

describe("creating credentials", () => {
  it("shows the secret once, stores only its hash, and never puts it in an event or a later read", async () => {
    const { admin, bot } = await setup();
    const { credential, token } = await issue(admin, { kind: "api_key", ownerId: bot.id, description: "billing cron", metadata: '{"team":"billing"}' });
    expect(token).toMatch(/^bdak_/);
    expect(credential).toMatchObject({ kind: "api_key", owner: { id: bot.id, kind: "bot" }, status: "active", description: "billing cron" });
    expect(credential.display).toBe(`bdak_…${token!.slice(-4)}`);

    const secretPart = token!.split("_")[2]!;
    const row = await db().credential.findUniqueOrThrow({ where: { id: credential.id } });
    expect(JSON.stringify(row)).not.toContain(secretPart);
    const events = await db().event.findMany({ where: { subjectId: credential.id } });
    expect(events.map((e) => e.type)).toEqual(["credential.created"]);
    expect(events[0]!.data).toMatchObject({ kind: "api_key", owner: { id: bot.id, name: bot.name } });
    expect(JSON.stringify(events)).not.toContain(secretPart);
    const later = [await listOwnedCredentials(admin, bot.id), await listCredentials(admin, listCredentialsQuerySchema.parse({}))];
    expect(JSON.stringify(later)).not.toContain(secretPart);
    expect(JSON.stringify(later)).toContain(credential.id);
  });

  it("lets a member create only for themselves, even with a forged owner", async () => {
    const { account, bot } = await setup();
    const person = await createTestPerson(account.id, "member");
    const member = actorOf(account, person, "member");
    const before = await db().credential.count({ where: { accountId: account.id } });
    expect(await createCredential(member, { kind: "authtoken", ownerId: bot.id }, ctx)).toEqual({ ok: false, code: "not_admin", message: NOT_ADMIN_CREDENTIALS });
    expect(await db().credential.count({ where: { accountId: account.id } })).toBe(before);
    const own = await issue(member, { kind: "authtoken" });
    expect(own.credential.owner.id).toBe(person.id);
  });

  it("refuses owners outside the account exactly like unknown ones", async () => {
    const { admin } = await setup();
    const other = await setup();
    const foreign = await createCredential(admin, { kind: "authtoken", ownerId: other.bot.id }, ctx);
    const unknown = await createCredential(admin, { kind: "authtoken", ownerId: "bot_unknown" }, ctx);
    expect(foreign).toEqual(unknown);
    expect(foreign).toMatchObject({ ok: false, code: "not_found" });
  });

  it("registers an SSH key with its fingerprint, refuses a duplicate in the account, and a private key without storing it", async () => {
    const { account, admin, bot } = await setup();
    const key = sshKeygen("ed25519");
    const created = await issue(admin, { kind: "ssh_key", ownerId: bot.id, publicKey: key.publicKey, acl: "bind:*.example.com" });
    expect(created.token).toBeNull();
    expect(created.credential).toMatchObject({ display: key.fingerprint, acl: ["bind:*.example.com"] });
    expect(await createCredential(admin, { kind: "ssh_key", publicKey: key.publicKey }, ctx)).toMatchObject({ ok: false, code: "duplicate_key" });
    const other = await setup();
    expect(await createCredential(other.admin, { kind: "ssh_key", publicKey: key.publicKey }, ctx)).toMatchObject({ ok: true });

    const before = await db().credential.count({ where: { accountId: account.id } });
    const refused = await createCredential(admin, { kind: "ssh_key", publicKey: key.privateKey }, ctx);
    expect(refused).toMatchObject({ ok: false, fieldErrors: { publicKey: expect.stringMatching(/^That is a private key/) } });
    expect(await db().credential.count({ where: { accountId: account.id } })).toBe(before);
    const body = key.privateKey.split("\n")[1]!;
    expect(JSON.stringify(await db().event.findMany({ where: { accountId: account.id } }))).not.toContain(body);
  });

  it("names a bad ACL rule in the field error", async () => {
    const { admin } = await setup();
    expect(await createCredential(admin, { kind: "authtoken", acl: "bind:*.example.com\nbind:nodots" }, ctx)).toMatchObject({
      ok: false,
      fieldErrors: { acl: 'ACL rule 2 ("bind:nodots") is not valid: a domain needs at least two labels, like example.com' },
    });
  });
});

describe("verifyCredential", () => {
  it("accepts a good token and names its principal; refuses malformed and unknown ones without a principal", async () => {
    const { admin, bot } = await setup();
    const { token, credential } = await issue(admin, { kind: "authtoken", ownerId: bot.id });
    expect(await verifyCredential(token!)).toMatchObject({ ok: true, credential: { id: credential.id, kind: "authtoken" }, principal: { id: bot.id, kind: "bot" } });
    expect(await verifyCredential("not-a-token")).toEqual({ ok: false, reason: "malformed", message: "the credential is malformed", credentialId: null });
    expect(await verifyCredential(token!, { kinds: ["api_key"] })).toMatchObject({ ok: false, reason: "malformed" });
    const forged = issueSecret("authtoken", credential.id).token;
    // The id it claims comes back (to end a session it started, if that credential is gone), never a principal.
    expect(await verifyCredential(forged)).toEqual({ ok: false, reason: "unknown", message: "the credential is well formed but invalid", credentialId: credential.id });
    expect(await verifyCredential(issueSecret("authtoken", "cr_0000000000000000000000").token)).toMatchObject({ ok: false, reason: "unknown" });
  });

  it("refuses a deactivated bot's credentials and accepts them again after reactivation", async () => {
    const { admin, bot } = await setup();
    const { token } = await issue(admin, { kind: "api_key", ownerId: bot.id });
    await setBotsActive(admin, { ids: [bot.id], active: false }, ctx);
    expect(await verifyCredential(token!)).toMatchObject({ ok: false, reason: "owner_deactivated", message: "the credential's owner is deactivated" });
    await setBotsActive(admin, { ids: [bot.id], active: true }, ctx);
    expect(await verifyCredential(token!)).toMatchObject({ ok: true });
  });

  it("refuses revoked and expired credentials, and a deleted owner's", async () => {
    const { admin, bot } = await setup();
    const revoked = await issue(admin, { kind: "authtoken", ownerId: bot.id });
    await revokeCredentials(admin, { ids: [revoked.credential.id] }, ctx);
    expect(await verifyCredential(revoked.token!)).toMatchObject({ ok: false, reason: "revoked" });
    const expiring = await issue(admin, { kind: "authtoken", ownerId: bot.id, expiry: "30" });
    expect(await verifyCredential(expiring.token!, { now: new Date(Date.now() + 31 * 86_400_000) })).toMatchObject({ ok: false, reason: "expired" });

    const tombstoned = await issue(admin, { kind: "authtoken", ownerId: bot.id });
    await db().principal.update({ where: { id: bot.id }, data: { deletedAt: new Date(), nameKey: null } });
    expect(await verifyCredential(tombstoned.token!)).toMatchObject({ ok: false, reason: "owner_deleted" });
  });

  it("deleting the owner revokes and deletes its credentials: they are gone", async () => {
    const { admin, bot } = await setup();
    const { token, credential } = await issue(admin, { kind: "authtoken", ownerId: bot.id });
    await deleteBots(admin, { ids: [bot.id] }, ctx);
    expect(await db().credential.findUnique({ where: { id: credential.id } })).toBeNull();
    expect(await verifyCredential(token!)).toMatchObject({ ok: false, reason: "unknown" });
  });

  it("suspends a person's credentials while they are deactivated or removed from the account", async () => {
    const { account, admin } = await setup();
    const person = await createTestPerson(account.id, "member");
    const { token } = await issue(actorOf(account, person, "member"), { kind: "api_key" });
    await setPersonActive(admin, { personId: person.id, active: false }, ctx);
    expect(await verifyCredential(token!)).toMatchObject({ ok: false, reason: "owner_deactivated" });
    await setPersonActive(admin, { personId: person.id, active: true }, ctx);
    expect(await verifyCredential(token!)).toMatchObject({ ok: true });
    await removePerson(admin, { personId: person.id }, ctx);
    expect(await verifyCredential(token!)).toMatchObject({ ok: false, reason: "owner_deactivated" });
  });

  it("records last use at most once a minute", async () => {
    const { admin, bot } = await setup();
    const { token, credential } = await issue(admin, { kind: "api_key", ownerId: bot.id });
    const t0 = new Date();
    await verifyCredential(token!, { ip: "203.0.113.1", now: t0 });
    await verifyCredential(token!, { ip: "203.0.113.2", now: new Date(t0.getTime() + 30_000) });
    let row = await db().credential.findUniqueOrThrow({ where: { id: credential.id } });
    expect(row).toMatchObject({ lastUsedAt: t0, lastUsedIp: "203.0.113.1" });
    const t2 = new Date(t0.getTime() + 61_000);
    await verifyCredential(token!, { ip: "203.0.113.3", now: t2 });
    row = await db().credential.findUniqueOrThrow({ where: { id: credential.id } });
    expect(row).toMatchObject({ lastUsedAt: t2, lastUsedIp: "203.0.113.3" });
  });
});

describe("rotation", () => {
  it("keeps both valid during the grace period, then only the new one", async () => {
    const { admin, bot } = await setup();
    const old = await issue(admin, { kind: "authtoken", ownerId: bot.id, description: "edge", metadata: "m", acl: "bind:*.example.com" });
    const rotated = await rotateCredential(admin, { id: old.credential.id, grace: "1h" }, ctx);
    if (!rotated.ok) throw new Error(rotated.message);
    expect(rotated.data.credential).toMatchObject({
      owner: { id: bot.id }, description: "edge", metadata: "m", acl: ["bind:*.example.com"], rotatedFromId: old.credential.id,
    });
    expect(await verifyCredential(old.token!)).toMatchObject({ ok: true });
    expect(await verifyCredential(rotated.data.token)).toMatchObject({ ok: true });
    const after = new Date(Date.now() + 3601_000);
    expect(await verifyCredential(old.token!, { now: after })).toMatchObject({ ok: false, reason: "expired" });
    expect(await verifyCredential(rotated.data.token, { now: after })).toMatchObject({ ok: true });
    expect(await db().event.count({ where: { subjectId: rotated.data.credential.id, type: "credential.rotated" } })).toBe(1);
  });

  it("refuses SSH keys, and credentials the member does not own", async () => {
    const { account, admin, bot } = await setup();
    const ssh = await issue(admin, { kind: "ssh_key", ownerId: bot.id, publicKey: sshKeygen("ed25519").publicKey });
    expect(await rotateCredential(admin, { id: ssh.credential.id }, ctx)).toMatchObject({ ok: false, code: "not_rotatable" });
    const botKey = await issue(admin, { kind: "api_key", ownerId: bot.id });
    const member = actorOf(account, await createTestPerson(account.id, "member"), "member");
    expect(await rotateCredential(member, { id: botKey.credential.id }, ctx)).toMatchObject({ ok: false, code: "not_found" });
    expect(await revokeCredentials(member, { ids: [botKey.credential.id] }, ctx)).toMatchObject({ ok: false, code: "not_found" });
    expect(await verifyCredential(botKey.token!)).toMatchObject({ ok: true });
  });
});

describe("expiry events", () => {
  it("records each expiry once, attributed to the owner, on the bot's activity", async () => {
    const { admin, bot } = await setup();
    const { credential } = await issue(admin, { kind: "api_key", ownerId: bot.id, expiry: "30" });
    const later = new Date(Date.now() + 31 * 86_400_000);
    // Other tests' credentials may be due too, and a sweep takes at most 500:
    // sweep until nothing is left, so the outcome does not depend on test order.
    let sweeps = 0;
    while ((await recordExpiredCredentials(later)) > 0) sweeps++;
    expect(sweeps).toBeGreaterThan(0);
    expect(await recordExpiredCredentials(later)).toBe(0);
    const activity = (await listEvents(admin, eventsQuerySchema.parse({ bot: bot.id }))).rows;
    expect(activity.filter((e) => e.type === "credential.expired").map((e) => ({ by: e.actor.id, via: e.source }))).toEqual([{ by: bot.id, via: "system" }]);
    const event = await db().event.findFirstOrThrow({ where: { subjectId: credential.id, type: "credential.expired" } });
    expect(event.subjectName).toBe(`API key ${credential.display}`);
  });
});

describe("revocation", () => {
  it("revokes several at once, records one credential.revoked per credential by the person, and refuses them from then on", async () => {
    const { admin, bot } = await setup();
    const a = await issue(admin, { kind: "authtoken", ownerId: bot.id, description: "edge-a" });
    const b = await issue(admin, { kind: "api_key" });
    expect(await revokeCredentials(admin, { ids: [a.credential.id, b.credential.id] }, ctx)).toEqual({
      ok: true,
      data: { count: 2, ownerIds: expect.arrayContaining([bot.id, admin.principal.id]) },
    });
    const events = await db().event.findMany({ where: { type: "credential.revoked", subjectId: { in: [a.credential.id, b.credential.id] } }, orderBy: { subjectId: "asc" } });
    expect(events.map((e) => ({ subject: e.subjectId, by: e.principalId, ip: e.ip, owner: (e.data as { owner: { id: string } }).owner.id })).sort((x, y) => x.owner.localeCompare(y.owner))).toEqual(
      [
        { subject: a.credential.id, by: admin.principal.id, ip: ctx.ip, owner: bot.id },
        { subject: b.credential.id, by: admin.principal.id, ip: ctx.ip, owner: admin.principal.id },
      ].sort((x, y) => x.owner.localeCompare(y.owner)),
    );
    expect(events.find((e) => e.subjectId === a.credential.id)?.subjectName).toBe(`Authtoken ${a.credential.display} (edge-a)`);
    for (const { token } of [a, b]) expect(await verifyCredential(token!)).toMatchObject({ ok: false, reason: "revoked" });
    // Revoking again is refused as not found and records nothing more.
    expect(await revokeCredentials(admin, { ids: [a.credential.id] }, ctx)).toMatchObject({ ok: false, code: "not_found" });
    expect(await db().event.count({ where: { type: "credential.revoked", subjectId: a.credential.id } })).toBe(1);
  });

  it("all or none: one id that is not the actor's revokes nothing and records nothing", async () => {
    const { account, admin, bot } = await setup();
    const member = actorOf(account, await createTestPerson(account.id, "member"), "member");
    const own = await issue(member, { kind: "api_key" });
    const botKey = await issue(admin, { kind: "api_key", ownerId: bot.id });
    expect(await revokeCredentials(member, { ids: [own.credential.id, botKey.credential.id] }, ctx)).toMatchObject({ ok: false, code: "not_found" });
    expect(await verifyCredential(own.token!)).toMatchObject({ ok: true });
    expect(await db().event.count({ where: { type: "credential.revoked", subjectId: { in: [own.credential.id, botKey.credential.id] } } })).toBe(0);
  });
});

describe("listCredentials", () => {
  it("filters by owner, kind and status on the server", async () => {
    const { account, admin, bot } = await setup();
    const sleepy = await createTestBot(account.id, `sleepy-${Date.now()}`);
    await issue(admin, { kind: "authtoken", ownerId: bot.id });
    await issue(admin, { kind: "api_key", ownerId: bot.id, expiry: "date", expiresOn: new Date(Date.now() + 3 * 86_400_000).toISOString().slice(0, 10) });
    await issue(admin, { kind: "api_key", ownerId: sleepy.id });
    await setBotsActive(admin, { ids: [sleepy.id], active: false }, ctx);
    const q = async (o: Record<string, string>) => {
      const page = await listCredentials(admin, listCredentialsQuerySchema.parse(o));
      if (!page.ok) throw new Error(page.message);
      return page.data;
    };
    expect((await q({ owner: bot.id })).total).toBe(2);
    expect((await q({ owner: "sleepy" })).rows.map((r) => r.status)).toEqual(["suspended"]);
    expect((await q({ kind: "api_key" })).total).toBe(2);
    expect((await q({ status: "expiring" })).rows.map((r) => r.owner.id)).toEqual([bot.id]);
    expect((await q({ status: "suspended" })).rows.map((r) => r.owner.id)).toEqual([sleepy.id]);
    expect((await q({ used: "never" })).total).toBe(3);
  });
});

describe("the sign-in form", () => {
  it("recognises a bot's API key pasted as the password and records the refusal against the bot", async () => {
    const { admin, bot } = await setup();
    const { token } = await issue(admin, { kind: "api_key", ownerId: bot.id });
    const result = await signInWithPassword({ login: admin.principal.email, password: token! }, { ip: "198.51.100.99", userAgent: "vitest" });
    // Answered like any wrong password: the answer never tells whether a string is a real token.
    expect(result).toEqual({ ok: false, refusal: { reason: "invalid", message: "Wrong email or password." } });
    const refusals = await loginRefusals(bot.id);
    expect(refusals).toHaveLength(1);
    expect(refusals[0]!.data).toMatchObject({ path: "credential-as-password" });
  });

  it("treats a person's own token pasted as the password as a wrong password", async () => {
    const { admin } = await setup();
    const { token } = await issue(admin, { kind: "api_key" });
    expect(await signInWithPassword({ login: admin.principal.email, password: token! }, { ip: "198.51.100.98", userAgent: "vitest" })).toMatchObject({
      ok: false,
      refusal: { reason: "invalid" },
    });
  });
});
