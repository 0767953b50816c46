import { describe, expect, it } from "vitest";
import { verifyPassword } from "./password";
import { db } from "../../db/client";
import { createTestAccount } from "../../test-support/factories";
import { changePassword } from "./change-password";

const ctx = { ip: "192.0.2.1", userAgent: "vitest" };

async function actorFor() {
  const { account, owner, password } = await createTestAccount();
  const actor = {
    principal: { id: owner.id, name: owner.name, kind: "person" as const, email: owner.email! },
    account: { id: account.id, name: account.name, seatLimit: account.seatLimit },
    role: "owner" as const,
    accounts: [],
    source: "dashboard" as const,
    credential: null,
  };
  return { actor, password };
}

describe("changePassword", () => {
  it("changes the password and records an event without the password in it", async () => {
    const { actor, password } = await actorFor();
    const result = await changePassword(actor, { currentPassword: password, newPassword: "a new long password", confirmPassword: "a new long password" }, ctx);
    expect(result).toEqual({ ok: true, data: { sessionsEnded: false, sessionVersion: null } });
    const person = await db().principal.findUniqueOrThrow({ where: { id: actor.principal.id } });
    expect(await verifyPassword(person.passwordHash, "a new long password")).toBe(true);
    const events = await db().event.findMany({ where: { principalId: actor.principal.id, type: "person.password_changed" } });
    expect(events).toHaveLength(1);
    expect(JSON.stringify(events[0])).not.toContain("a new long password");
  });

  it("refuses a wrong current password, a short one and a mismatch, changing nothing", async () => {
    const { actor, password } = await actorFor();
    const before = (await db().principal.findUniqueOrThrow({ where: { id: actor.principal.id } })).passwordHash;
    const wrong = await changePassword(actor, { currentPassword: "wrong", newPassword: "another long one", confirmPassword: "another long one" }, ctx);
    expect(wrong).toMatchObject({ ok: false, fieldErrors: { currentPassword: "That is not your current password" } });
    const short = await changePassword(actor, { currentPassword: password, newPassword: "short", confirmPassword: "short" }, ctx);
    expect(short).toMatchObject({ ok: false, fieldErrors: { newPassword: "Use at least 10 characters" } });
    const mismatch = await changePassword(actor, { currentPassword: password, newPassword: "another long one", confirmPassword: "different long one" }, ctx);
    expect(mismatch).toMatchObject({ ok: false, fieldErrors: { confirmPassword: "The two new passwords differ" } });
    expect((await db().principal.findUniqueOrThrow({ where: { id: actor.principal.id } })).passwordHash).toBe(before);
    expect(await db().event.count({ where: { principalId: actor.principal.id, type: "person.password_changed" } })).toBe(0);
  });
});
