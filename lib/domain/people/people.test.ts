import { describe, expect, it } from "vitest";
import { signInWithPassword } from "../access/sign-in-with-password";
import { verifyPassword } from "./password";
import { db } from "../../db/client";
import { actorOf, createTestAccount, createTestPerson } from "../../test-support/factories";
import { getSeatUsage } from "../accounts/get-seat-usage";
import { createBot } from "../bots/create-bot";
import { NOT_ADMIN_PEOPLE } from "../permissions";
import { listPeopleQuerySchema } from "../../validation/people-admin";
import { addPerson } from "./add-person";
import { changeRole } from "./change-role";
import { listPeople } from "./list-people";
import { removePerson } from "./remove-person";
import { setPersonActive } from "./set-person-active";

const ctx = { ip: "192.0.2.66", userAgent: "vitest" };
const ip = () => ({ ip: `198.51.100.${Math.floor(Math.random() * 250)}`, userAgent: "vitest" });
const email = () => `new-${Math.random().toString(36).slice(2)}@example.test`;

async function setup(seatLimit = 5) {
  const { account, owner } = await createTestAccount({ seatLimit });
  return { account, owner, admin: actorOf(account, owner, "owner") };
}

describe("addPerson", () => {
  it("adds a new person with a one-time password that signs in, stored only as a hash", async () => {
    const { account, admin } = await setup();
    const address = email();
    const result = await addPerson(admin, { email: ` ${address.toUpperCase()} `, name: "New Person", role: "member" }, ctx);
    if (!result.ok) throw new Error(result.message);
    expect(result.data.email).toBe(address);
    expect(result.data.initialPassword).toMatch(/^[A-Za-z0-9]{20}$/);
    const stored = await db().principal.findUniqueOrThrow({ where: { id: result.data.id } });
    // Stored as an argon2id hash that the password verifies against, and a near miss does not.
    expect(stored.passwordHash).toMatch(/^\$argon2id\$/);
    expect(await verifyPassword(stored.passwordHash, result.data.initialPassword!)).toBe(true);
    // A different last character (always different: "x" unless the password already ends in "x").
    const initial = result.data.initialPassword!;
    expect(await verifyPassword(stored.passwordHash, `${initial.slice(0, -1)}${initial.endsWith("x") ? "y" : "x"}`)).toBe(false);
    const event = await db().event.findFirstOrThrow({ where: { subjectId: result.data.id, type: "person.added" } });
    expect(JSON.stringify(event)).not.toContain(result.data.initialPassword!);
    expect(await signInWithPassword({ login: address, password: result.data.initialPassword! }, ip())).toMatchObject({ ok: true });
    expect((await getSeatUsage(account.id)).used).toBe(2);
  });

  it("adds an existing person from another account without a new password", async () => {
    const { admin } = await setup();
    const other = await createTestAccount();
    const result = await addPerson(admin, { email: other.owner.email!, name: "ignored", role: "admin" }, ctx);
    expect(result).toMatchObject({ ok: true, data: { id: other.owner.id, initialPassword: null } });
    expect(await addPerson(admin, { email: other.owner.email!, name: "x", role: "member" }, ctx)).toMatchObject({
      ok: false,
      code: "already_member",
    });
  });

  it("is refused at the seat limit with a clear message, while adding a bot is not", async () => {
    const { account, admin } = await setup(2);
    await createTestPerson(account.id, "member");
    const before = await db().principal.count();
    const refused = await addPerson(admin, { email: email(), name: "One Too Many", role: "member" }, ctx);
    expect(refused).toMatchObject({ ok: false, code: "seat_limit", message: expect.stringMatching(/^All 2 seats are in use\./) });
    expect(await db().principal.count()).toBe(before);
    expect(await createBot(admin, { name: "still-fine" }, ctx)).toMatchObject({ ok: true });
  });

  it("gives one of two concurrent adds the last seat, never both", async () => {
    const { account, admin } = await setup(2);
    const results = await Promise.all([
      addPerson(admin, { email: email(), name: "Racer A", role: "member" }, ctx),
      addPerson(admin, { email: email(), name: "Racer B", role: "member" }, ctx),
    ]);
    expect(results.filter((r) => r.ok)).toHaveLength(1);
    expect((await getSeatUsage(account.id)).used).toBe(2);
  });

  it("validates fields and refuses members and non-owners granting owner", async () => {
    const { account, admin } = await setup();
    expect(await addPerson(admin, { email: "not-an-email", name: "", role: "boss" }, ctx)).toMatchObject({
      ok: false,
      fieldErrors: { email: "Enter a valid email", name: "Enter a name", role: "Choose a role" },
    });
    const member = actorOf(account, await createTestPerson(account.id, "member"), "member");
    expect(await addPerson(member, { email: email(), name: "X", role: "member" }, ctx)).toEqual({ ok: false, code: "not_admin", message: NOT_ADMIN_PEOPLE });
    const adminPerson = actorOf(account, await createTestPerson(account.id, "admin"), "admin");
    expect(await addPerson(adminPerson, { email: email(), name: "X", role: "owner" }, ctx)).toMatchObject({ ok: false, code: "not_owner" });
  });
});

describe("the last owner", () => {
  it("cannot be demoted, deactivated or removed; with a second owner they can", async () => {
    const { account, owner, admin } = await setup();
    const other = await createTestPerson(account.id, "admin");
    const otherActor = actorOf(account, other, "owner");
    expect(await changeRole(admin, { personId: owner.id, role: "member" }, ctx)).toMatchObject({ ok: false, code: "last_owner" });
    await db().membership.update({ where: { accountId_principalId: { accountId: account.id, principalId: other.id } }, data: { role: "owner" } });
    expect(await setPersonActive(otherActor, { personId: owner.id, active: false }, ctx)).toMatchObject({ ok: true });
    // Now `other` is the only active owner.
    expect(await changeRole(admin, { personId: other.id, role: "admin" }, ctx)).toMatchObject({ ok: false, code: "last_owner" });
    expect(await removePerson(admin, { personId: other.id }, ctx)).toMatchObject({ ok: false, code: "last_owner" });
    const membership = await db().membership.findUniqueOrThrow({ where: { accountId_principalId: { accountId: account.id, principalId: other.id } } });
    expect(membership).toMatchObject({ role: "owner", status: "active" });
  });
});

describe("people changes", () => {
  it("records role changes, deactivation, reactivation and removal; removal keeps the user", async () => {
    const { account, admin } = await setup();
    const person = await createTestPerson(account.id, "member");
    expect(await changeRole(admin, { personId: person.id, role: "admin" }, ctx)).toEqual({ ok: true, data: undefined });
    expect(await setPersonActive(admin, { personId: person.id, active: false }, ctx)).toEqual({ ok: true, data: undefined });
    expect((await getSeatUsage(account.id)).used).toBe(1);
    expect(await setPersonActive(admin, { personId: person.id, active: true }, ctx)).toEqual({ ok: true, data: undefined });
    expect(await removePerson(admin, { personId: person.id }, ctx)).toEqual({ ok: true, data: undefined });
    const types = (await db().event.findMany({ where: { subjectId: person.id }, orderBy: { id: "asc" } })).map((e) => e.type);
    expect(types).toEqual(["person.role_changed", "person.deactivated", "person.reactivated", "person.removed"]);
    expect(await db().principal.findUnique({ where: { id: person.id } })).not.toBeNull();
  });

  it("refuses reactivation when no seat is free, and nobody deactivates or removes themselves", async () => {
    const { account, owner, admin } = await setup(2);
    const person = await createTestPerson(account.id, "member");
    await setPersonActive(admin, { personId: person.id, active: false }, ctx);
    await createTestPerson(account.id, "member");
    expect(await setPersonActive(admin, { personId: person.id, active: true }, ctx)).toMatchObject({ ok: false, code: "seat_limit" });
    expect(await setPersonActive(admin, { personId: owner.id, active: false }, ctx)).toMatchObject({ ok: false, code: "self" });
    expect(await removePerson(admin, { personId: owner.id }, ctx)).toMatchObject({ ok: false, code: "self" });
  });

  it("refuses to reactivate or add a person whose user is disabled for every account", async () => {
    const { account, admin } = await setup();
    const person = await createTestPerson(account.id, "member");
    await setPersonActive(admin, { personId: person.id, active: false }, ctx);
    await db().principal.update({ where: { id: person.id }, data: { status: "deactivated" } });
    expect(await setPersonActive(admin, { personId: person.id, active: true }, ctx)).toMatchObject({ ok: false, code: "user_disabled" });
    const other = await setup();
    expect(await addPerson(other.admin, { email: person.email!, name: "x", role: "member" }, ctx)).toMatchObject({ ok: false, code: "user_disabled" });
  });

  it("answers a person of another account exactly like an unknown id", async () => {
    const { admin } = await setup();
    const other = await createTestAccount();
    const foreign = await changeRole(admin, { personId: other.owner.id, role: "member" }, ctx);
    const unknown = await changeRole(admin, { personId: "usr_nope", role: "member" }, ctx);
    expect(foreign).toEqual(unknown);
    expect(foreign).toMatchObject({ ok: false, code: "not_found" });
  });

  it("lists people with filters, sorting and paging on the server", async () => {
    const { account, admin } = await setup(50);
    for (let i = 0; i < 12; i++) await addPerson(admin, { email: `p${String(i).padStart(2, "0")}-${account.id.toLowerCase()}@example.test`, name: `Pat ${String(i).padStart(2, "0")}`, role: "member" }, ctx);
    const page = await listPeople(account.id, listPeopleQuerySchema.parse({ q: "pat", sort: "name", dir: "desc", page: "2", size: "10" }));
    expect(page.total).toBe(12);
    expect(page.rows.map((r) => r.name)).toEqual(["Pat 01", "Pat 00"]);
    const rows = (await listPeople(account.id, listPeopleQuerySchema.parse({ q: "pat", size: "50" }))).rows;
    await setPersonActive(admin, { personId: rows[0]!.id, active: false }, ctx);
    const deactivated = await listPeople(account.id, listPeopleQuerySchema.parse({ status: "deactivated" }));
    expect(deactivated.rows.map((r) => r.id)).toEqual([rows[0]!.id]);
    const activePats = await listPeople(account.id, listPeopleQuerySchema.parse({ q: "pat", status: "active", size: "50" }));
    expect(activePats.total).toBe(11);
  });
});
