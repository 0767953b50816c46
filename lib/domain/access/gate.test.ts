import { describe, expect, it } from "vitest";
import { db } from "../../db/client";
import { createTestAccount, createTestBot, createTestPerson, loginRefusals } from "../../test-support/factories";
import { isActiveInAccount, standingSelect } from "../principals/active-in-account";
import { admitExternalIdentity } from "./admit-external-identity";
import { resolveSessionActor } from "./resolve-session-actor";
import { signInWithPassword } from "./sign-in-with-password";
import { BOT_REFUSAL_MESSAGE } from "./types";

const ctx = { ip: "198.51.100.20", userAgent: "vitest" };
const otherIp = () => ({ ip: `203.0.113.${Math.floor(Math.random() * 250)}`, userAgent: "vitest" });

describe("password sign-in", () => {
  it("admits a person with the right password and records the sign-in time", async () => {
    const { owner, password } = await createTestAccount();
    const result = await signInWithPassword({ login: owner.email!.toUpperCase(), password }, otherIp());
    expect(result).toEqual({ ok: true, value: { id: owner.id, name: owner.name, email: owner.email, sessionVersion: 0 } });
    const after = await db().principal.findUniqueOrThrow({ where: { id: owner.id } });
    expect(after.lastSignInAt).not.toBeNull();
  });

  it("gives a wrong password and an unknown email the same generic answer", async () => {
    const { owner } = await createTestAccount();
    const wrong = await signInWithPassword({ login: owner.email!, password: "nope" }, otherIp());
    const unknown = await signInWithPassword({ login: "nobody@example.test", password: "nope" }, otherIp());
    expect(wrong).toEqual({ ok: false, refusal: { reason: "invalid", message: "Wrong email or password." } });
    expect(unknown).toEqual(wrong);
  });

  it("refuses a login that is not an email before any lookup: a bot's name or id, a mistyped email; nothing is recorded", async () => {
    const { account } = await createTestAccount();
    const bot = await createTestBot(account.id, "Deploy-Bot");
    // Older data may have a bot named like a mistyped email (bot names may no longer have an @).
    const typo = await createTestBot(account.id, "admin @example.com");
    const before = await db().event.count({ where: { accountId: account.id } });
    for (const login of ["deploy-bot", bot.id, "admin @example.com", "admin", "admin@", "@example.com", "admin@example .com"]) {
      const result = await signInWithPassword({ login, password: "anything" }, ctx);
      expect(result, login).toEqual({ ok: false, refusal: { reason: "invalid_email", message: "Enter a valid email" } });
    }
    expect(await loginRefusals(bot.id)).toHaveLength(0);
    expect(await loginRefusals(typo.id)).toHaveLength(0);
    expect(await db().event.count({ where: { accountId: account.id } })).toBe(before);
    // Nor is it counted against the email or the IP: nothing was looked up.
    expect(await db().rateLimit.count({ where: { key: { in: ["signin:email:deploy-bot", "signin:email:admin @example.com"] } } })).toBe(0);
  });

  it("refuses a deactivated person even with the right password", async () => {
    const { account, password } = await createTestAccount();
    const person = await createTestPerson(account.id, "member", password);
    await db().principal.update({ where: { id: person.id }, data: { status: "deactivated" } });
    const result = await signInWithPassword({ login: person.email!, password }, otherIp());
    expect(!result.ok && result.refusal.reason).toBe("deactivated");
  });

  it("refuses a person removed from every account", async () => {
    const { account, password } = await createTestAccount();
    const person = await createTestPerson(account.id, "member", password);
    await db().membership.delete({ where: { accountId_principalId: { accountId: account.id, principalId: person.id } } });
    const result = await signInWithPassword({ login: person.email!, password }, otherIp());
    expect(!result.ok && result.refusal.reason).toBe("no_account");
  });

  it("rate limits failed attempts per email with a retry time, even for the right password", async () => {
    const { owner, password } = await createTestAccount();
    for (let i = 0; i < 5; i++) {
      const r = await signInWithPassword({ login: owner.email!, password: `wrong-${i}` }, otherIp());
      expect(!r.ok && r.refusal.reason).toBe("invalid");
    }
    const limited = await signInWithPassword({ login: owner.email!, password }, otherIp());
    expect(limited.ok).toBe(false);
    if (!limited.ok && limited.refusal.reason === "rate_limited") {
      expect(limited.refusal.retryAfterSeconds).toBeGreaterThan(0);
      expect(limited.refusal.message).toMatch(/^Too many sign-in attempts\. Try again in \d+ s\.$/);
    } else {
      throw new Error(`expected a rate limit, got ${JSON.stringify(limited)}`);
    }
  });

  it("rate limits failed attempts per IP across emails", async () => {
    const ip = { ip: `192.0.2.${Math.floor(Math.random() * 250)}`, userAgent: "vitest" };
    for (let i = 0; i < 50; i++) await signInWithPassword({ login: `x${i}-${Math.random()}@example.test`, password: "x" }, ip);
    const { owner, password } = await createTestAccount();
    const limited = await signInWithPassword({ login: owner.email!, password }, ip);
    expect(!limited.ok && limited.refusal.reason).toBe("rate_limited");
  });
});

describe("external identities", () => {
  it("refuses an external identity linked to a bot, recording it once", async () => {
    const { account } = await createTestAccount();
    const bot = await createTestBot(account.id);
    await db().externalIdentity.create({ data: { provider: "github", subject: `gh-${bot.id}`, principalId: bot.id } });
    const result = await admitExternalIdentity({ provider: "github", subject: `gh-${bot.id}`, email: null, emailVerified: false }, ctx);
    expect(result).toEqual({ ok: false, refusal: { reason: "bot", message: BOT_REFUSAL_MESSAGE } });
    const events = await loginRefusals(bot.id);
    expect(events).toHaveLength(1);
    expect(events[0]?.data).toMatchObject({ path: "github" });
  });

  it("links a verified email to the existing person, and refuses unknown people", async () => {
    const { owner } = await createTestAccount();
    const admitted = await admitExternalIdentity({ provider: "oidc", subject: `sub-${owner.id}`, email: owner.email, emailVerified: true }, ctx);
    expect(admitted).toEqual({ ok: true, value: { id: owner.id } });
    const unverified = await admitExternalIdentity({ provider: "oidc", subject: `other-${owner.id}`, email: owner.email, emailVerified: false }, ctx);
    expect(!unverified.ok && unverified.refusal.reason).toBe("no_account");
    const stranger = await admitExternalIdentity({ provider: "oidc", subject: "stranger", email: "stranger@example.test", emailVerified: true }, ctx);
    expect(!stranger.ok && stranger.refusal.reason).toBe("no_account");
  });
});

describe("sessions", () => {
  it("re-reads the person on each request: deactivation and removal end an open session", async () => {
    const { account, password } = await createTestAccount();
    const person = await createTestPerson(account.id, "admin", password);
    const first = await resolveSessionActor({ subject: person.id }, ctx);
    expect(first).toMatchObject({ ok: true, value: { principal: { id: person.id }, account: { id: account.id }, role: "admin" } });

    await db().principal.update({ where: { id: person.id }, data: { status: "deactivated" } });
    const deactivated = await resolveSessionActor({ subject: person.id }, ctx);
    expect(!deactivated.ok && deactivated.refusal.reason).toBe("deactivated");

    await db().principal.update({ where: { id: person.id }, data: { status: "active" } });
    await db().membership.update({
      where: { accountId_principalId: { accountId: account.id, principalId: person.id } },
      data: { status: "deactivated" },
    });
    const removed = await resolveSessionActor({ subject: person.id }, ctx);
    expect(!removed.ok && removed.refusal.reason).toBe("no_account");
  });

  it("refuses a session whose subject is a bot, recording each refused request once", async () => {
    const { account } = await createTestAccount();
    const bot = await createTestBot(account.id);
    const result = await resolveSessionActor({ subject: bot.id }, ctx);
    expect(result).toEqual({ ok: false, refusal: { reason: "bot", message: BOT_REFUSAL_MESSAGE } });
    const events = await loginRefusals(bot.id);
    expect(events).toHaveLength(1);
    expect(events[0]?.data).toMatchObject({ path: "session" });
  });

  it("admits exactly where the one active-in-account rule says the person is active", async () => {
    const { account, password } = await createTestAccount();
    const person = await createTestPerson(account.id, "admin", password);
    expect(isActiveInAccount(await db().principal.findUniqueOrThrow({ where: { id: person.id }, select: standingSelect(account.id) }), account.id)).toBe(true);
    expect(await resolveSessionActor({ subject: person.id }, ctx)).toMatchObject({ ok: true });

    // A row the rule does not count (here: marked deleted) gets no account, on every path.
    await db().principal.update({ where: { id: person.id }, data: { deletedAt: new Date() } });
    expect(isActiveInAccount(await db().principal.findUniqueOrThrow({ where: { id: person.id }, select: standingSelect(account.id) }), account.id)).toBe(false);
    const session = await resolveSessionActor({ subject: person.id }, ctx);
    expect(!session.ok && session.refusal.reason).toBe("no_account");
    const signIn = await signInWithPassword({ login: person.email!, password }, otherIp());
    expect(!signIn.ok && signIn.refusal.reason).toBe("no_account");
  });

  it("uses the chosen account only when the person is an active member of it", async () => {
    const { owner, account } = await createTestAccount();
    const { account: other } = await createTestAccount();
    const notMember = await resolveSessionActor({ subject: owner.id, accountId: other.id }, ctx);
    expect(notMember).toMatchObject({ ok: true, value: { account: { id: account.id }, accounts: [{ id: account.id }] } });

    await db().membership.create({ data: { accountId: other.id, principalId: owner.id, role: "member" } });
    const member = await resolveSessionActor({ subject: owner.id, accountId: other.id }, ctx);
    expect(member).toMatchObject({ ok: true, value: { account: { id: other.id }, role: "member" } });

    await db().membership.update({
      where: { accountId_principalId: { accountId: other.id, principalId: owner.id } },
      data: { status: "deactivated" },
    });
    const deactivatedThere = await resolveSessionActor({ subject: owner.id, accountId: other.id }, ctx);
    expect(deactivatedThere).toMatchObject({ ok: true, value: { account: { id: account.id }, accounts: [{ id: account.id }] } });
  });
});
