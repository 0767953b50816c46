import { describe, expect, it } from "vitest";
import { db } from "../../db/client";
import { actorOf, createTestAccount, createTestBot, createTestPerson } from "../../test-support/factories";
import { race } from "../../test-support/races";
import { resolveSessionActor } from "../access/resolve-session-actor";
import { signInWithPassword } from "../access/sign-in-with-password";
import { chooseNewPassword } from "./choose-new-password";
import { verifyPassword } from "./password";
import { resetPassword } from "./reset-password";

const ctx = { ip: "198.51.100.70", userAgent: "vitest" };
const anIp = () => ({ ip: `198.51.100.${Math.floor(Math.random() * 250)}`, userAgent: "vitest" });
const OLD = "correct horse battery";

async function signedIn(email: string, password: string) {
  const result = await signInWithPassword({ login: email, password }, anIp());
  if (!result.ok) throw new Error(`sign-in refused: ${result.refusal.reason}`);
  return { subject: result.value.id, version: result.value.sessionVersion };
}

async function stateOf(personId: string) {
  const p = await db().principal.findUniqueOrThrow({ where: { id: personId }, select: { passwordHash: true, mustChangePassword: true, sessionVersion: true } });
  const events = await db().event.findMany({ where: { subjectId: personId, type: "person.password_reset" } });
  return { ...p, events };
}

describe("resetPassword", () => {
  it("an owner resets an admin's password: one-time password, every session ended, must choose a new one, one event without the secret", async () => {
    const { account, owner } = await createTestAccount();
    const admin = await createTestPerson(account.id, "admin");
    const session = await signedIn(admin.email!, OLD);

    const result = await resetPassword(actorOf(account, owner, "owner"), { personId: admin.id }, ctx);
    if (!result.ok) throw new Error(result.message);
    const { oneTimePassword } = result.data;
    expect(result.data).toMatchObject({ id: admin.id, name: admin.name, email: admin.email });
    expect(oneTimePassword).toMatch(/^[A-Za-z2-9]{20}$/);

    const after = await stateOf(admin.id);
    expect(after.mustChangePassword).toBe(true);
    expect(await verifyPassword(after.passwordHash, oneTimePassword)).toBe(true);
    expect(await verifyPassword(after.passwordHash, OLD)).toBe(false);
    // The session from before the reset has ended.
    const old = await resolveSessionActor(session, ctx);
    expect(old.ok ? "admitted" : old.refusal.reason).toBe("ended");
    expect(after.events).toHaveLength(1);
    expect(after.events[0]).toMatchObject({ principalId: owner.id, subjectName: admin.name, subjectKind: "person", data: { sessionsEnded: true, mustChangePassword: true } });
    expect(JSON.stringify(after.events[0])).not.toContain(oneTimePassword);

    // The old password no longer signs in; the one-time one does, into a session marked "must choose".
    expect((await signInWithPassword({ login: admin.email!, password: OLD }, anIp())).ok).toBe(false);
    const fresh = await resolveSessionActor(await signedIn(admin.email!, oneTimePassword), ctx);
    expect(fresh).toMatchObject({ ok: true, value: { mustChangePassword: true } });
  });

  it("refuses members, oneself, an admin touching an owner or another admin, bots, people outside the account or also in another, changing nothing", async () => {
    const { account, owner } = await createTestAccount();
    const admin = await createTestPerson(account.id, "admin");
    const admin2 = await createTestPerson(account.id, "admin");
    const member = await createTestPerson(account.id, "member");
    const secondOwner = await createTestPerson(account.id, "owner");
    const bot = await createTestBot(account.id);
    const elsewhere = await createTestAccount();
    const stranger = await createTestPerson(elsewhere.account.id, "member");
    const foreignBot = await createTestBot(elsewhere.account.id);
    const shared = await createTestPerson(account.id, "member");
    await db().membership.create({ data: { accountId: elsewhere.account.id, principalId: shared.id, role: "member" } });

    const asOwner = actorOf(account, owner, "owner");
    const asAdmin = actorOf(account, admin, "admin");
    const asMember = actorOf(account, member, "member");
    const cases: [ReturnType<typeof actorOf>, string, string][] = [
      [asMember, admin.id, "not_admin"],
      [asAdmin, admin.id, "self"],
      [asOwner, owner.id, "self"],
      [asAdmin, owner.id, "not_owner"],
      // An admin resets members only: not another admin, who could then sign in as them.
      [asAdmin, admin2.id, "not_owner"],
      [asAdmin, secondOwner.id, "not_owner"],
      [asOwner, bot.id, "bot"],
      [asOwner, foreignBot.id, "not_found"],
      [asOwner, stranger.id, "not_found"],
      [asOwner, "usr_doesnotexist", "not_found"],
      [asOwner, shared.id, "other_accounts"],
    ];
    const targets = [owner, admin, admin2, member, secondOwner, stranger, shared];
    const before = await Promise.all(targets.map((t) => stateOf(t.id)));
    for (const [actor, personId, code] of cases) {
      expect(await resetPassword(actor, { personId }, ctx), `${actor.role} → ${personId}`).toMatchObject({ ok: false, code });
    }
    expect(await Promise.all(targets.map((t) => stateOf(t.id)))).toEqual(before);
    expect(await db().principal.findUniqueOrThrow({ where: { id: bot.id }, select: { passwordHash: true, mustChangePassword: true } })).toEqual({
      passwordHash: null,
      mustChangePassword: false,
    });
  });

  it("an admin resets a member's password; an owner resets another owner's", async () => {
    const { account, owner } = await createTestAccount();
    const admin = await createTestPerson(account.id, "admin");
    const member = await createTestPerson(account.id, "member");
    const secondOwner = await createTestPerson(account.id, "owner");
    expect(await resetPassword(actorOf(account, admin, "admin"), { personId: member.id }, ctx)).toMatchObject({ ok: true });
    expect(await resetPassword(actorOf(account, owner, "owner"), { personId: secondOwner.id }, ctx)).toMatchObject({ ok: true });
    expect((await stateOf(member.id)).mustChangePassword).toBe(true);
    expect((await stateOf(secondOwner.id)).mustChangePassword).toBe(true);
  });
});

describe("chooseNewPassword (after a reset)", () => {
  async function resetMember() {
    const { account, owner } = await createTestAccount();
    const member = await createTestPerson(account.id, "member");
    const reset = await resetPassword(actorOf(account, owner, "owner"), { personId: member.id }, ctx);
    if (!reset.ok) throw new Error(reset.message);
    return { account, member, actor: actorOf(account, member, "member"), oneTimePassword: reset.data.oneTimePassword };
  }

  it("clears the flag, stores the new password, ends every other session, and is then done", async () => {
    const { member, actor, oneTimePassword } = await resetMember();
    const other = await signedIn(member.email!, oneTimePassword);
    const result = await chooseNewPassword(actor, { newPassword: "my own long password", confirmPassword: "my own long password" }, ctx);
    if (!result.ok) throw new Error(result.message);
    const after = await stateOf(member.id);
    expect(after.mustChangePassword).toBe(false);
    expect(after.sessionVersion).toBe(result.data.sessionVersion);
    expect(await verifyPassword(after.passwordHash, "my own long password")).toBe(true);
    expect(await verifyPassword(after.passwordHash, oneTimePassword)).toBe(false);
    const ended = await resolveSessionActor(other, ctx);
    expect(ended.ok ? "admitted" : ended.refusal.reason).toBe("ended");
    const now = await resolveSessionActor(await signedIn(member.email!, "my own long password"), ctx);
    expect(now).toMatchObject({ ok: true, value: { mustChangePassword: false } });
    const changed = await db().event.findMany({ where: { principalId: member.id, type: "person.password_changed" } });
    expect(changed).toHaveLength(1);
    expect(JSON.stringify(changed[0])).not.toContain("my own long password");
    // Done: a second choice (a replayed form) changes nothing.
    expect(await chooseNewPassword(actor, { newPassword: "yet another password", confirmPassword: "yet another password" }, ctx)).toMatchObject({
      ok: false,
      code: "not_required",
    });
  });

  it("refuses the one-time password itself, a mismatch, a short one, and anyone whose password was not reset", async () => {
    const { member, actor, oneTimePassword } = await resetMember();
    const before = await stateOf(member.id);
    expect(await chooseNewPassword(actor, { newPassword: oneTimePassword, confirmPassword: oneTimePassword }, ctx)).toMatchObject({
      ok: false,
      fieldErrors: { newPassword: "Choose a password of your own, not the one-time password" },
    });
    expect(await chooseNewPassword(actor, { newPassword: "my own long password", confirmPassword: "my own long passwords" }, ctx)).toMatchObject({
      ok: false,
      fieldErrors: { confirmPassword: "The two new passwords differ" },
    });
    expect(await chooseNewPassword(actor, { newPassword: "short", confirmPassword: "short" }, ctx)).toMatchObject({ ok: false, code: "invalid_input" });
    expect(await stateOf(member.id)).toEqual(before);

    const { account, owner } = await createTestAccount();
    expect(
      await chooseNewPassword(actorOf(account, owner, "owner"), { newPassword: "my own long password", confirmPassword: "my own long password" }, ctx),
    ).toMatchObject({ ok: false, code: "not_required" });
    expect(await verifyPassword((await stateOf(owner.id)).passwordHash, OLD)).toBe(true);
  });

  it("two submissions at once: exactly one password is chosen, and it is the one stored", async () => {
    const rounds = await race(8, async () => {
      const { member, actor } = await resetMember();
      return ["first long password", "second long password"].map((pw) => async () => ({
        member: member.id,
        pw,
        ok: (await chooseNewPassword(actor, { newPassword: pw, confirmPassword: pw }, ctx)).ok,
      }));
    });
    for (const results of rounds) {
      const values = results.map((r) => (r as PromiseFulfilledResult<{ member: string; pw: string; ok: boolean }>).value);
      const winners = values.filter((v) => v.ok);
      expect(winners).toHaveLength(1);
      const after = await stateOf(values[0]!.member);
      expect(await verifyPassword(after.passwordHash, winners[0]!.pw)).toBe(true);
      expect(await db().event.count({ where: { principalId: values[0]!.member, type: "person.password_changed" } })).toBe(1);
    }
  });
});

describe("a reset racing the person's choice", () => {
  it("an admin's second reset is never silently undone: when both succeed, the second one-time password is the one that works", async () => {
    const rounds = await race(12, async () => {
      const { account, owner } = await createTestAccount();
      const member = await createTestPerson(account.id, "member");
      const first = await resetPassword(actorOf(account, owner, "owner"), { personId: member.id }, ctx);
      if (!first.ok) throw new Error(first.message);
      return [
        async () => ({ member: member.id, r: await resetPassword(actorOf(account, owner, "owner"), { personId: member.id }, ctx) }),
        async () => ({ member: member.id, r: await chooseNewPassword(actorOf(account, member, "member"), { newPassword: "chosen long password", confirmPassword: "chosen long password" }, ctx) }),
      ];
    });
    for (const results of rounds) {
      type Outcome = { member: string; r: Awaited<ReturnType<typeof resetPassword>> | Awaited<ReturnType<typeof chooseNewPassword>> };
      const [reset, choice] = results.map((s) => (s as PromiseFulfilledResult<Outcome>).value);
      expect(reset!.r.ok).toBe(true);
      const after = await stateOf(reset!.member);
      const second = reset!.r.ok ? (reset!.r.data as { oneTimePassword: string }).oneTimePassword : "";
      // Either the choice came first and the reset after it stands, or the reset came first and the choice is refused.
      if (!choice!.r.ok) expect(choice!.r).toMatchObject({ code: "reset_again" });
      expect(after.mustChangePassword).toBe(true);
      expect(await verifyPassword(after.passwordHash, second)).toBe(true);
    }
  });
});
