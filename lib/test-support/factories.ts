import { randomBytes } from "node:crypto";
import { hashPassword } from "../domain/people/password";
import { db } from "../db/client";
import type { Role } from "../db/generated/enums";
import type { PersonActor } from "../domain/access/types";
import { newId } from "../ids";
import { botNameKeys } from "../validation/name-keys";

const unique = () => randomBytes(5).toString("hex");

/** A new account with an owner who can sign in; every call makes distinct rows. */
export async function createTestAccount(opts: { seatLimit?: number; password?: string } = {}) {
  const account = await db().account.create({
    data: { id: newId("account"), name: `Test ${unique()}`, seatLimit: opts.seatLimit ?? 5 },
  });
  const password = opts.password ?? "correct horse battery";
  const owner = await createTestPerson(account.id, "owner", password);
  return { account, owner, password };
}

export async function createTestPerson(accountId: string, role: Role = "member", password = "correct horse battery") {
  const id = newId("person");
  const email = `person-${unique()}@example.test`;
  const person = await db().principal.create({
    data: { id, kind: "person", name: `Person ${email}`, email, passwordHash: await hashPassword(password) },
  });
  await db().membership.create({ data: { accountId, principalId: id, role } });
  return person;
}

export async function createTestBot(accountId: string, name = `bot-${unique()}`) {
  return db().principal.create({
    data: { id: newId("bot"), kind: "bot", name, ...botNameKeys(name), accountId },
  });
}

export function loginRefusals(botId: string) {
  return db().event.findMany({ where: { principalId: botId, type: "login.refused" }, orderBy: { createdAt: "asc" } });
}

/** The actor a signed-in person of this account would be, as requireActor() builds it. */
export function actorOf(
  account: { id: string; name: string; seatLimit: number },
  person: { id: string; name: string; email: string | null },
  role: Role,
): PersonActor {
  return {
    principal: { id: person.id, name: person.name, kind: "person", email: person.email ?? "" },
    account: { id: account.id, name: account.name, seatLimit: account.seatLimit },
    role,
    accounts: [{ id: account.id, name: account.name }],
    mustChangePassword: false,
    mustEnrolTwoFactor: false,
    source: "dashboard",
    credential: null,
  };
}

/** A credential row owned by a principal (the credentials issue adds the real creation path). */
export async function createTestCredential(accountId: string, ownerId: string, kind: "authtoken" | "api_key" = "authtoken") {
  return db().credential.create({
    data: { id: newId(kind === "authtoken" ? "authtoken" : "apiKey"), accountId, ownerId, kind, secretHash: "x", secretHint: "abcd" },
  });
}
