import { describe, expect, it } from "vitest";
import { db } from "../../db/client";
import { actorOf, createTestAccount, createTestBot, loginRefusals } from "../../test-support/factories";
import { codeAt, enrolForTest } from "../../test-support/two-factor";
import { resolveSessionActor } from "./resolve-session-actor";
import { signInWithPassword } from "./sign-in-with-password";
import { signInWithSecondFactor } from "./sign-in-with-second-factor";
import { pendingSignInId, startPendingSignIn } from "./start-pending-sign-in";

const anIp = () => ({ ip: `2001:db8::${Math.random().toString(16).slice(2, 10)}`, userAgent: "vitest" });

async function enrolled() {
  const { account, owner, password } = await createTestAccount();
  const factor = await enrolForTest(actorOf(account, owner, "owner"));
  return { account, owner, password, ...factor };
}

/** The password step; returns the pending sign-in's token (it must ask for the second factor). */
async function passwordStep(email: string, password: string, ctx = anIp()): Promise<string> {
  const result = await signInWithPassword({ login: email, password }, ctx);
  if (result.ok || result.refusal.reason !== "second_factor") throw new Error(`expected second_factor, got ${JSON.stringify(result)}`);
  return result.refusal.pending;
}

describe("password sign-in with a second factor", () => {
  it("the password alone gives no session: it answers second_factor with a short-lived pending sign-in bound to the person", async () => {
    const { owner, password } = await enrolled();
    const result = await signInWithPassword({ login: owner.email!, password }, anIp());
    expect(result).toMatchObject({ ok: false, refusal: { reason: "second_factor" } });
    const token = !result.ok && result.refusal.reason === "second_factor" ? result.refusal.pending : "";
    expect(token).toMatch(/^[A-Za-z0-9_-]{43}$/);
    const row = await db().pendingSignIn.findUniqueOrThrow({ where: { id: pendingSignInId(token) } });
    expect(row.principalId).toBe(owner.id);
    expect(row.expiresAt.getTime() - Date.now()).toBeLessThanOrEqual(300_000);
    // Only its hash is stored; the sign-in is not complete.
    expect(JSON.stringify(await db().pendingSignIn.findMany())).not.toContain(token);
    expect((await db().principal.findUniqueOrThrow({ where: { id: owner.id } })).lastSignInAt).toBeNull();
    // A wrong password does not get that far.
    expect(await signInWithPassword({ login: owner.email!, password: "nope" }, anIp())).toMatchObject({ ok: false, refusal: { reason: "invalid" } });
  });

  it("a current code completes it once: the pending sign-in is single use and the code is not accepted again", async () => {
    const { owner, password, secret } = await enrolled();
    const pending = await passwordStep(owner.email!, password);
    const signedIn = await signInWithSecondFactor({ pending, code: codeAt(secret) }, anIp());
    expect(signedIn).toMatchObject({ ok: true, value: { id: owner.id } });
    expect((await db().principal.findUniqueOrThrow({ where: { id: owner.id } })).lastSignInAt).not.toBeNull();
    // The same pending sign-in again (a replayed request): gone.
    expect(await signInWithSecondFactor({ pending, code: codeAt(secret, Date.now() + 30_000) }, anIp())).toMatchObject({ ok: false, refusal: { reason: "sign_in_expired" } });
    // The same code with a fresh pending sign-in: replayed, refused and recorded.
    const again = await passwordStep(owner.email!, password);
    expect(await signInWithSecondFactor({ pending: again, code: codeAt(secret) }, anIp())).toMatchObject({ ok: false, refusal: { reason: "wrong_code" } });
    const refused = await db().event.findMany({ where: { subjectId: owner.id, type: "login.code_refused" } });
    expect(refused).toHaveLength(1);
    expect(refused[0]).toMatchObject({ data: { reason: "replayed" }, source: "dashboard" });
    // A refused code leaves the pending sign-in for another try.
    expect(await signInWithSecondFactor({ pending: again, code: codeAt(secret, Date.now() + 30_000) }, anIp())).toMatchObject({ ok: true });
  });

  it("a recovery code signs in once, recorded with how many are left", async () => {
    const { owner, password, recoveryCodes } = await enrolled();
    expect(await signInWithSecondFactor({ pending: await passwordStep(owner.email!, password), code: recoveryCodes[5]! }, anIp())).toMatchObject({ ok: true });
    expect(await signInWithSecondFactor({ pending: await passwordStep(owner.email!, password), code: recoveryCodes[5]! }, anIp())).toMatchObject({
      ok: false,
      refusal: { reason: "wrong_code" },
    });
    const used = await db().event.findMany({ where: { subjectId: owner.id, type: "login.recovery_code_used" } });
    expect(used).toHaveLength(1);
    expect(used[0]!.data).toEqual({ remaining: 9 });
    expect(JSON.stringify(used)).not.toContain(recoveryCodes[5]!);
  });

  it("a wrong code is a failed attempt of the sign-in limiter (per email), and a right password does not reset the count", async () => {
    const { owner, password, secret } = await enrolled();
    const ip = anIp();
    const wrong = String((Number(codeAt(secret)) + 3) % 1_000_000).padStart(6, "0");
    // The limit is 5 per email: password (1), wrong code (2), password (3), wrong code (4), password (5), then even the right code is over it.
    let pending = await passwordStep(owner.email!, password, ip);
    expect(await signInWithSecondFactor({ pending, code: wrong }, ip)).toMatchObject({ ok: false, refusal: { reason: "wrong_code" } });
    pending = await passwordStep(owner.email!, password, ip);
    expect(await signInWithSecondFactor({ pending, code: wrong }, ip)).toMatchObject({ ok: false, refusal: { reason: "wrong_code" } });
    pending = await passwordStep(owner.email!, password, ip);
    expect(await signInWithSecondFactor({ pending, code: codeAt(secret) }, ip)).toMatchObject({ ok: false, refusal: { reason: "rate_limited" } });
  });

  it("of 10 parallel code steps of one pending sign-in, each with another right recovery code, exactly one signs in", async () => {
    const { owner, password, recoveryCodes } = await enrolled();
    const pending = await passwordStep(owner.email!, password);
    const results = await Promise.all(recoveryCodes.map((code) => signInWithSecondFactor({ pending, code }, anIp())));
    expect(results.filter((r) => r.ok)).toHaveLength(1);
    // The losers spent nothing: nine codes are left.
    expect(await db().recoveryCode.count({ where: { principalId: owner.id, usedAt: null } })).toBe(9);
  });

  it("of two sign-ins racing with one recovery code, exactly one gets in (PostgreSQL, 10 trials)", async () => {
    for (let trial = 0; trial < 10; trial++) {
      const { owner, password, recoveryCodes } = await enrolled();
      const pendings = [await passwordStep(owner.email!, password), await passwordStep(owner.email!, password)];
      const results = await Promise.all(pendings.map((pending) => signInWithSecondFactor({ pending, code: recoveryCodes[0]! }, anIp())));
      expect(results.filter((r) => r.ok), `trial ${trial}`).toHaveLength(1);
    }
  });

  it("the chokepoint holds at the second step: a bot is refused and recorded; a person deactivated or reset meanwhile is refused", async () => {
    const { account, owner, password, secret } = await enrolled();
    // A pending sign-in naming a bot (no path makes one; the gate refuses it all the same).
    const bot = await createTestBot(account.id);
    const forged = await startPendingSignIn({ id: bot.id, sessionVersion: 0 });
    expect(await signInWithSecondFactor({ pending: forged, code: codeAt(secret) }, anIp())).toMatchObject({ ok: false, refusal: { reason: "bot" } });
    expect(await loginRefusals(bot.id)).toHaveLength(1);

    const pending = await passwordStep(owner.email!, password);
    await db().principal.update({ where: { id: owner.id }, data: { status: "deactivated" } });
    expect(await signInWithSecondFactor({ pending, code: codeAt(secret) }, anIp())).toMatchObject({ ok: false, refusal: { reason: "deactivated" } });
    await db().principal.update({ where: { id: owner.id }, data: { status: "active" } });

    const beforeReset = await passwordStep(owner.email!, password);
    await db().principal.update({ where: { id: owner.id }, data: { sessionVersion: { increment: 1 } } });
    expect(await signInWithSecondFactor({ pending: beforeReset, code: codeAt(secret) }, anIp())).toMatchObject({ ok: false, refusal: { reason: "sign_in_expired" } });
    expect(await signInWithSecondFactor({ pending: "not-a-token", code: codeAt(secret) }, anIp())).toMatchObject({ ok: false, refusal: { reason: "sign_in_expired" } });
  });

  it("an expired pending sign-in is refused", async () => {
    const { owner, password, secret } = await enrolled();
    const pending = await passwordStep(owner.email!, password);
    await db().pendingSignIn.update({ where: { id: pendingSignInId(pending) }, data: { expiresAt: new Date(Date.now() - 1000) } });
    expect(await signInWithSecondFactor({ pending, code: codeAt(secret) }, anIp())).toMatchObject({ ok: false, refusal: { reason: "sign_in_expired" } });
  });
});

describe("an account that requires two-factor sign-in", () => {
  it("sends password sessions of people without one to enrol, existing sessions included; not OIDC or GitHub sessions, nor people who have one", async () => {
    const { account, owner, password } = await createTestAccount();
    const signedIn = await signInWithPassword({ login: owner.email!, password }, anIp());
    if (!signedIn.ok) throw new Error("sign-in refused");
    const session = { subject: owner.id, version: signedIn.value.sessionVersion };
    const ctx = anIp();
    expect(await resolveSessionActor(session, ctx)).toMatchObject({ ok: true, value: { mustEnrolTwoFactor: false } });
    await db().account.update({ where: { id: account.id }, data: { requireTwoFactor: true } });
    // The session from before the requirement: held to it on its next request.
    expect(await resolveSessionActor(session, ctx)).toMatchObject({ ok: true, value: { mustEnrolTwoFactor: true } });
    expect(await resolveSessionActor({ ...session, method: "password" }, ctx)).toMatchObject({ ok: true, value: { mustEnrolTwoFactor: true } });
    expect(await resolveSessionActor({ ...session, method: "oidc" }, ctx)).toMatchObject({ ok: true, value: { mustEnrolTwoFactor: false } });
    expect(await resolveSessionActor({ ...session, method: "github" }, ctx)).toMatchObject({ ok: true, value: { mustEnrolTwoFactor: false } });
    const { sessionVersion } = await enrolForTest(actorOf(account, owner, "owner"));
    expect(await resolveSessionActor({ subject: owner.id, version: sessionVersion, method: "password" }, ctx)).toMatchObject({
      ok: true,
      value: { mustEnrolTwoFactor: false },
    });
  });
});
