import { describe, expect, it } from "vitest";
import { db } from "../../db/client";
import { actorOf, createTestAccount, createTestPerson } from "../../test-support/factories";
import { changePassword } from "../people/change-password";
import { signOutEverywhere } from "../people/end-sessions";
import { removePerson } from "../people/remove-person";
import { setPersonActive } from "../people/set-person-active";
import { resolveSessionActor } from "./resolve-session-actor";
import { signInWithPassword } from "./sign-in-with-password";

const ctx = { ip: "198.51.100.30", userAgent: "vitest" };
const anIp = () => ({ ip: `198.51.100.${Math.floor(Math.random() * 250)}`, userAgent: "vitest" });

/** A session as the sign-in form issues it: the person's id and current session version. */
async function signedIn(email: string, password: string) {
  const result = await signInWithPassword({ login: email, password }, anIp());
  if (!result.ok) throw new Error(`sign-in refused: ${result.refusal.reason}`);
  return { subject: result.value.id, version: result.value.sessionVersion };
}

const reasonOf = async (session: { subject: string; version: number }) => {
  const admission = await resolveSessionActor(session, ctx);
  return admission.ok ? "admitted" : admission.refusal.reason;
};

describe("what ends a session", () => {
  it("signing out ends every copy of the session, and a new sign-in works", async () => {
    const { owner, password, account } = await createTestAccount();
    const copy = await signedIn(owner.email!, password);
    expect(await reasonOf(copy)).toBe("admitted");
    await signOutEverywhere(actorOf(account, owner, "owner"));
    expect(await reasonOf(copy)).toBe("ended");
    expect(await reasonOf(await signedIn(owner.email!, password))).toBe("admitted");
  });

  it("a password change ends the other sessions when asked, and the returned version keeps this one", async () => {
    const { owner, password, account } = await createTestAccount();
    const other = await signedIn(owner.email!, password);
    const actor = actorOf(account, owner, "owner");
    const kept = await changePassword(actor, { currentPassword: password, newPassword: "second long password", confirmPassword: "second long password" }, ctx);
    expect(kept).toEqual({ ok: true, data: { sessionsEnded: false, sessionVersion: null } });
    expect(await reasonOf(other)).toBe("admitted");

    const ended = await changePassword(
      actor,
      { currentPassword: "second long password", newPassword: "third long password", confirmPassword: "third long password", signOutOtherSessions: true },
      ctx,
    );
    expect(ended.ok && ended.data.sessionsEnded).toBe(true);
    expect(await reasonOf(other)).toBe("ended");
    const version = ended.ok ? ended.data.sessionVersion : null;
    expect(await reasonOf({ subject: owner.id, version: version! })).toBe("admitted");
  });

  it("a session from before a deactivation does not come back with the reactivation", async () => {
    const { account, owner, password } = await createTestAccount();
    const member = await createTestPerson(account.id, "member", password);
    const before = await signedIn(member.email!, password);
    const admin = actorOf(account, owner, "owner");
    expect(await setPersonActive(admin, { personId: member.id, active: false }, ctx)).toMatchObject({ ok: true });
    expect(await setPersonActive(admin, { personId: member.id, active: true }, ctx)).toMatchObject({ ok: true });
    expect(await reasonOf(before)).toBe("ended");
    expect(await reasonOf(await signedIn(member.email!, password))).toBe("admitted");
  });

  it("removal from an account ends the person's sessions", async () => {
    const { account, owner, password } = await createTestAccount();
    const { account: second } = await createTestAccount();
    const member = await createTestPerson(account.id, "member", password);
    // Also a member elsewhere, so the session would otherwise still find an account.
    await db().membership.create({ data: { accountId: second.id, principalId: member.id, role: "member" } });
    const before = await signedIn(member.email!, password);
    expect(await removePerson(actorOf(account, owner, "owner"), { personId: member.id }, ctx)).toMatchObject({ ok: true });
    expect(await reasonOf(before)).toBe("ended");
  });

  it("a session issued before session versions existed counts as version 0", async () => {
    const { owner } = await createTestAccount();
    expect((await resolveSessionActor({ subject: owner.id }, ctx)).ok).toBe(true);
  });
});
