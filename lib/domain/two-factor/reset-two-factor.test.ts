import { describe, expect, it } from "vitest";
import { db } from "../../db/client";
import { actorOf, createTestAccount, createTestBot, createTestPerson } from "../../test-support/factories";
import { enrolForTest } from "../../test-support/two-factor";
import { resolveSessionActor } from "../access/resolve-session-actor";
import { signInWithPassword } from "../access/sign-in-with-password";
import { verifyPassword } from "../people/password";
import { operatorReset } from "../people/operator-reset";
import { resetTwoFactor } from "./reset-two-factor";
import { setTwoFactorRequirement } from "./set-two-factor-requirement";
import { getTwoFactorStatus } from "./two-factor-status";

const ctx = { ip: "198.51.100.30", userAgent: "vitest" };
const anIp = () => ({ ip: `198.51.100.${Math.floor(Math.random() * 250)}`, userAgent: "vitest" });

describe("resetTwoFactor (an admin clears someone's second factor)", () => {
  async function team() {
    const { account, owner } = await createTestAccount();
    const admin = await createTestPerson(account.id, "admin");
    const admin2 = await createTestPerson(account.id, "admin");
    const member = await createTestPerson(account.id, "member");
    const owner2 = await createTestPerson(account.id, "owner");
    for (const [p, role] of [[owner, "owner"], [admin, "admin"], [admin2, "admin"], [member, "member"], [owner2, "owner"]] as const) {
      await enrolForTest(actorOf(account, p, role));
    }
    return { account, owner, admin, admin2, member, owner2 };
  }

  it("an owner resets anyone's, an admin a member's: second factor gone, sessions ended, one event; the password alone then signs in", async () => {
    const t = await team();
    const asOwner = actorOf(t.account, t.owner, "owner");
    const asAdmin = actorOf(t.account, t.admin, "admin");
    const version = (await db().principal.findUniqueOrThrow({ where: { id: t.member.id } })).sessionVersion;
    expect(await resetTwoFactor(asAdmin, { personId: t.member.id }, ctx)).toMatchObject({ ok: true });
    expect(await getTwoFactorStatus(t.member.id)).toMatchObject({ enabled: false, recoveryCodesLeft: 0 });
    expect(await db().recoveryCode.count({ where: { principalId: t.member.id } })).toBe(0);
    const ended = await resolveSessionActor({ subject: t.member.id, version }, ctx);
    expect(ended.ok ? "admitted" : ended.refusal.reason).toBe("ended");
    const events = await db().event.findMany({ where: { subjectId: t.member.id, type: "person.two_factor_reset" } });
    expect(events).toHaveLength(1);
    expect(events[0]).toMatchObject({ principalId: t.admin.id, data: { sessionsEnded: true } });
    expect(await signInWithPassword({ login: t.member.email!, password: "correct horse battery" }, anIp())).toMatchObject({ ok: true });

    for (const target of [t.admin, t.owner2]) expect(await resetTwoFactor(asOwner, { personId: target.id }, ctx), target.id).toMatchObject({ ok: true });
    // Nothing left to reset.
    expect(await resetTwoFactor(asOwner, { personId: t.member.id }, ctx)).toMatchObject({ ok: false, code: "not_enrolled" });
  });

  it("refuses members, oneself, an admin touching an admin or an owner, bots, strangers, people also in another account: changing nothing", async () => {
    const t = await team();
    const bot = await createTestBot(t.account.id);
    const elsewhere = await createTestAccount();
    const stranger = await createTestPerson(elsewhere.account.id, "member");
    await enrolForTest(actorOf(elsewhere.account, stranger, "member"));
    const shared = await createTestPerson(t.account.id, "member");
    await enrolForTest(actorOf(t.account, shared, "member"));
    await db().membership.create({ data: { accountId: elsewhere.account.id, principalId: shared.id, role: "member" } });
    const asOwner = actorOf(t.account, t.owner, "owner");
    const asAdmin = actorOf(t.account, t.admin, "admin");
    const asMember = actorOf(t.account, t.member, "member");
    const cases: [ReturnType<typeof actorOf>, string, string][] = [
      [asMember, t.admin.id, "not_admin"],
      [asMember, t.member.id, "not_admin"],
      [asAdmin, t.admin.id, "self"],
      [asOwner, t.owner.id, "self"],
      [asAdmin, t.admin2.id, "not_owner"],
      [asAdmin, t.owner.id, "not_owner"],
      [asOwner, bot.id, "not_found"],
      [asOwner, stranger.id, "not_found"],
      [asOwner, "usr_doesnotexist", "not_found"],
      [asOwner, shared.id, "other_accounts"],
      [asOwner, "", "invalid_input"],
    ];
    const everyone = [t.owner, t.admin, t.admin2, t.member, t.owner2, stranger, shared];
    const before = await Promise.all(everyone.map((p) => db().twoFactor.findUnique({ where: { principalId: p.id } })));
    for (const [actor, personId, code] of cases) {
      expect(await resetTwoFactor(actor, { personId }, ctx), `${actor.role} → ${personId}`).toMatchObject({ ok: false, code });
    }
    expect(await Promise.all(everyone.map((p) => db().twoFactor.findUnique({ where: { principalId: p.id } })))).toEqual(before);
    expect(await db().event.count({ where: { type: "person.two_factor_reset", accountId: t.account.id } })).toBe(0);
  });
});

describe("setTwoFactorRequirement (owners)", () => {
  it("owners turn it on and off, each change one event with how many people have none; others are refused", async () => {
    const { account, owner } = await createTestAccount();
    const admin = await createTestPerson(account.id, "admin");
    await createTestPerson(account.id, "member");
    await enrolForTest(actorOf(account, owner, "owner"));
    const asOwner = actorOf(account, owner, "owner");
    expect(await setTwoFactorRequirement(actorOf(account, admin, "admin"), { required: true }, ctx)).toMatchObject({ ok: false, code: "not_owner" });
    expect(await setTwoFactorRequirement(asOwner, { required: "yes" }, ctx)).toMatchObject({ ok: false, code: "invalid_input" });
    expect(await setTwoFactorRequirement(asOwner, { required: true }, ctx)).toEqual({ ok: true, data: { required: true, peopleWithout: 2 } });
    expect(await setTwoFactorRequirement(asOwner, { required: true }, ctx)).toMatchObject({ ok: true });
    expect(await setTwoFactorRequirement(asOwner, { required: false }, ctx)).toMatchObject({ ok: true, data: { required: false } });
    const events = await db().event.findMany({ where: { accountId: account.id, type: "account.two_factor_requirement_changed" }, orderBy: { id: "asc" } });
    expect(events.map((e) => e.data)).toEqual([
      { before: { requireTwoFactor: false }, after: { requireTwoFactor: true }, peopleWithout: 2 },
      { before: { requireTwoFactor: true }, after: { requireTwoFactor: false }, peopleWithout: 2 },
    ]);
  });
});

describe("operatorReset (npm run reset-owner)", () => {
  it("gives an owner a one-time password they must change, clears their second factor, ends their sessions, records a system event", async () => {
    const { account, owner, password } = await createTestAccount();
    await enrolForTest(actorOf(account, owner, "owner"));
    const version = (await db().principal.findUniqueOrThrow({ where: { id: owner.id } })).sessionVersion;
    const result = await operatorReset(db(), { email: owner.email!.toUpperCase(), keepPassword: false, keepTwoFactor: false });
    if (!result.ok) throw new Error(result.message);
    expect(result.oneTimePassword).toMatch(/^[A-Za-z2-9]{20}$/);
    expect(result.twoFactorCleared).toBe(true);
    const after = await db().principal.findUniqueOrThrow({ where: { id: owner.id } });
    expect(after.mustChangePassword).toBe(true);
    expect(after.sessionVersion).toBe(version + 1);
    expect(await verifyPassword(after.passwordHash, password)).toBe(false);
    expect(await getTwoFactorStatus(owner.id)).toMatchObject({ enabled: false });
    // The printed password signs in (no code asked any more), into a session that must choose a new password.
    const signedIn = await signInWithPassword({ login: owner.email!, password: result.oneTimePassword! }, anIp());
    if (!signedIn.ok) throw new Error(signedIn.refusal.reason);
    expect(await resolveSessionActor({ subject: owner.id, version: signedIn.value.sessionVersion }, ctx)).toMatchObject({ ok: true, value: { mustChangePassword: true } });
    const events = await db().event.findMany({ where: { subjectId: owner.id, type: "person.operator_reset" } });
    expect(events).toHaveLength(1);
    expect(events[0]).toMatchObject({ source: "system", principalId: owner.id, data: { passwordReset: true, twoFactorCleared: true, sessionsEnded: true } });
    expect(JSON.stringify(events)).not.toContain(result.oneTimePassword!);
  });

  it("keeps what it is told to keep, and refuses people who own no account and unknown emails", async () => {
    const { account, owner, password } = await createTestAccount();
    await enrolForTest(actorOf(account, owner, "owner"));
    const kept = await operatorReset(db(), { email: owner.email!, keepPassword: true, keepTwoFactor: false });
    expect(kept).toMatchObject({ ok: true, oneTimePassword: null, twoFactorCleared: true });
    expect(await signInWithPassword({ login: owner.email!, password }, anIp())).toMatchObject({ ok: true });
    await enrolForTest(actorOf(account, owner, "owner"));
    const keptFactor = await operatorReset(db(), { email: owner.email!, keepPassword: false, keepTwoFactor: true });
    expect(keptFactor).toMatchObject({ ok: true, twoFactorCleared: false });
    expect(await getTwoFactorStatus(owner.id)).toMatchObject({ enabled: true });
    const member = await createTestPerson(account.id, "member");
    expect(await operatorReset(db(), { email: member.email!, keepPassword: false, keepTwoFactor: false })).toMatchObject({ ok: false });
    expect(await operatorReset(db(), { email: "nobody@example.test", keepPassword: false, keepTwoFactor: false })).toMatchObject({ ok: false });
    expect(await operatorReset(db(), { email: owner.email!, keepPassword: true, keepTwoFactor: true })).toMatchObject({ ok: false });
  });
});
