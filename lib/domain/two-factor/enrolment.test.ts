import { describe, expect, it } from "vitest";
import { db } from "../../db/client";
import { actorOf, createTestAccount } from "../../test-support/factories";
import { codeAt, enrolForTest } from "../../test-support/two-factor";
import { resolveSessionActor } from "../access/resolve-session-actor";
import { beginTwoFactorEnrolment } from "./begin-enrolment";
import { confirmTwoFactorEnrolment } from "./confirm-enrolment";
import { disableTwoFactor } from "./disable-two-factor";
import { regenerateRecoveryCodes } from "./regenerate-recovery-codes";
import { spendSecondFactor } from "./spend-second-factor";
import { getTwoFactorStatus } from "./two-factor-status";
import { timeStep } from "./totp";

const ctx = { ip: "198.51.100.20", userAgent: "vitest" };

async function person() {
  const { account, owner } = await createTestAccount();
  return { account, owner, actor: actorOf(account, owner, "owner") };
}

const eventsOf = (personId: string, type: string) => db().event.findMany({ where: { subjectId: personId, type } });

describe("enrolment", () => {
  it("completes only with a current code of the pending secret; stores it encrypted; ten recovery codes once; other sessions end; one event without secrets", async () => {
    const { owner, actor } = await person();
    const begun = await beginTwoFactorEnrolment(actor);
    if (!begun.ok) throw new Error(begun.message);
    const secret = begun.data.secret.replaceAll(" ", "");
    expect(begun.data.uri).toContain(`secret=${secret}`);
    expect(begun.data.qrCode).toMatch(/^data:image\/svg\+xml;base64,/);
    // Until confirmed, nothing is on.
    expect((await getTwoFactorStatus(owner.id)).enabled).toBe(false);
    const wrong = String((Number(codeAt(secret)) + 1) % 1_000_000).padStart(6, "0");
    expect(await confirmTwoFactorEnrolment(actor, { code: wrong }, ctx)).toMatchObject({ ok: false, code: "wrong_code" });
    expect(await confirmTwoFactorEnrolment(actor, { code: "" }, ctx)).toMatchObject({ ok: false, code: "invalid_input" });

    const before = (await db().principal.findUniqueOrThrow({ where: { id: owner.id } })).sessionVersion;
    const confirmed = await confirmTwoFactorEnrolment(actor, { code: codeAt(secret) }, ctx);
    if (!confirmed.ok) throw new Error(confirmed.message);
    expect(confirmed.data.recoveryCodes).toHaveLength(10);
    expect(confirmed.data.sessionVersion).toBe(before + 1);
    const old = await resolveSessionActor({ subject: owner.id, version: before }, ctx);
    expect(old.ok ? "admitted" : old.refusal.reason).toBe("ended");

    const row = await db().twoFactor.findUniqueOrThrow({ where: { principalId: owner.id } });
    expect(row.enabledAt).not.toBeNull();
    expect(row.pendingSecret).toBeNull();
    expect(row.secret).not.toContain(secret);
    expect(await db().recoveryCode.count({ where: { principalId: owner.id } })).toBe(10);
    const stored = JSON.stringify(await db().recoveryCode.findMany({ where: { principalId: owner.id } }));
    for (const code of confirmed.data.recoveryCodes) expect(stored).not.toContain(code.replaceAll("-", ""));
    expect(await getTwoFactorStatus(owner.id)).toMatchObject({ enabled: true, recoveryCodesLeft: 10 });

    const events = await eventsOf(owner.id, "person.two_factor_enabled");
    expect(events).toHaveLength(1);
    const text = JSON.stringify(events);
    expect(text).not.toContain(secret);
    for (const code of confirmed.data.recoveryCodes) expect(text).not.toContain(code);
    // Done: no second setup while it is on.
    expect(await beginTwoFactorEnrolment(actor)).toMatchObject({ ok: false, code: "already_enabled" });
    expect(await confirmTwoFactorEnrolment(actor, { code: codeAt(secret) }, ctx)).toMatchObject({ ok: false, code: "already_enabled" });
  });

  it("a restarted setup replaces the pending secret: the first one's code no longer confirms", async () => {
    const { actor } = await person();
    const first = await beginTwoFactorEnrolment(actor);
    const second = await beginTwoFactorEnrolment(actor);
    if (!first.ok || !second.ok) throw new Error("begin refused");
    const a = first.data.secret.replaceAll(" ", "");
    const b = second.data.secret.replaceAll(" ", "");
    if (codeAt(a) !== codeAt(b)) expect(await confirmTwoFactorEnrolment(actor, { code: codeAt(a) }, ctx)).toMatchObject({ ok: false, code: "wrong_code" });
    expect(await confirmTwoFactorEnrolment(actor, { code: codeAt(b) }, ctx)).toMatchObject({ ok: true });
  });
});

describe("spending a code (replay, skew, recovery codes)", () => {
  it("accepts each TOTP time step once, and never an older step after a newer one", async () => {
    const { owner, actor } = await person();
    const { secret } = await enrolForTest(actor); // spent the step before now
    const now = Date.now();
    const spend = (code: string, at = now) => db().$transaction((tx) => spendSecondFactor(tx, owner.id, code, at));
    expect(await spend(codeAt(secret, now - 30_000))).toEqual({ ok: false, reason: "replayed" }); // the enrolment's own code
    expect(await spend(codeAt(secret, now))).toEqual({ ok: true, factor: { kind: "totp" } });
    expect(await spend(codeAt(secret, now))).toEqual({ ok: false, reason: "replayed" });
    expect(await spend(codeAt(secret, now + 30_000))).toEqual({ ok: true, factor: { kind: "totp" } }); // a phone 30 s ahead
    expect((await db().twoFactor.findUniqueOrThrow({ where: { principalId: owner.id } })).lastStep).toBe(timeStep(now) + 1);
    expect(await spend(codeAt(secret, now))).toEqual({ ok: false, reason: "replayed" });
    const wrong = String((Number(codeAt(secret, now + 60_000)) + 7) % 1_000_000).padStart(6, "0");
    expect(await spend(wrong, now + 60_000)).toMatchObject({ ok: false });
  });

  it("spends each recovery code once, and counts what is left", async () => {
    const { owner, actor } = await person();
    const { recoveryCodes } = await enrolForTest(actor);
    const spend = (code: string) => db().$transaction((tx) => spendSecondFactor(tx, owner.id, code));
    expect(await spend(recoveryCodes[3]!.toUpperCase())).toEqual({ ok: true, factor: { kind: "recovery", remaining: 9 } });
    expect(await spend(recoveryCodes[3]!)).toEqual({ ok: false, reason: "wrong" });
    expect(await spend("0000-0000-0000")).toEqual({ ok: false, reason: "wrong" });
    expect(await getTwoFactorStatus(owner.id)).toMatchObject({ recoveryCodesLeft: 9 });
  });

  it("of 20 concurrent uses of one recovery code (or one TOTP code), exactly one succeeds (PostgreSQL, real pool)", async () => {
    const { owner, actor } = await person();
    const { secret, recoveryCodes } = await enrolForTest(actor);
    for (const code of [recoveryCodes[0]!, codeAt(secret)]) {
      const results = await Promise.all(Array.from({ length: 20 }, () => db().$transaction((tx) => spendSecondFactor(tx, owner.id, code))));
      expect(results.filter((r) => r.ok), code).toHaveLength(1);
    }
    expect(await db().recoveryCode.count({ where: { principalId: owner.id, usedAt: { not: null } } })).toBe(1);
  });
});

describe("the person's own changes", () => {
  it("new recovery codes need a current code; the old set stops working; one event", async () => {
    const { owner, actor } = await person();
    const { recoveryCodes } = await enrolForTest(actor);
    expect(await regenerateRecoveryCodes(actor, { code: "000000" }, ctx)).toMatchObject({ ok: false, code: "wrong_code" });
    const result = await regenerateRecoveryCodes(actor, { code: recoveryCodes[0]! }, ctx);
    if (!result.ok) throw new Error(result.message);
    const spend = (code: string) => db().$transaction((tx) => spendSecondFactor(tx, owner.id, code));
    expect(await spend(recoveryCodes[1]!)).toEqual({ ok: false, reason: "wrong" });
    expect(await spend(result.data.recoveryCodes[0]!)).toMatchObject({ ok: true });
    expect(await eventsOf(owner.id, "person.recovery_codes_regenerated")).toHaveLength(1);
  });

  it("turning it off needs a current code, and is refused while an account requires it", async () => {
    const { account, owner, actor } = await person();
    const { secret } = await enrolForTest(actor);
    await db().account.update({ where: { id: account.id }, data: { requireTwoFactor: true } });
    expect(await disableTwoFactor(actor, { code: codeAt(secret) }, ctx)).toMatchObject({ ok: false, code: "required" });
    await db().account.update({ where: { id: account.id }, data: { requireTwoFactor: false } });
    expect(await disableTwoFactor(actor, { code: "12345" }, ctx)).toMatchObject({ ok: false, code: "wrong_code" });
    expect(await getTwoFactorStatus(owner.id)).toMatchObject({ enabled: true });
    expect(await disableTwoFactor(actor, { code: codeAt(secret) }, ctx)).toMatchObject({ ok: true });
    expect(await getTwoFactorStatus(owner.id)).toMatchObject({ enabled: false, recoveryCodesLeft: 0 });
    expect(await db().recoveryCode.count({ where: { principalId: owner.id } })).toBe(0);
    expect(await eventsOf(owner.id, "person.two_factor_disabled")).toHaveLength(1);
  });

  it("records in each account the person is active in", async () => {
    const { account, owner, actor } = await person();
    const other = await createTestAccount();
    await db().membership.create({ data: { accountId: other.account.id, principalId: owner.id, role: "member" } });
    await enrolForTest(actor);
    const events = await eventsOf(owner.id, "person.two_factor_enabled");
    expect(events.map((e) => e.accountId).sort()).toEqual([account.id, other.account.id].sort());
  });
});
