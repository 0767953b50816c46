import { describe, expect, it } from "vitest";
import { db } from "@/lib/db/client";
import type { Role } from "@/lib/db/generated/enums";
import type { Actor } from "@/lib/domain/access/types";
import { actorOf, createTestAccount, createTestBot, createTestPerson } from "@/lib/test-support/factories";
import { createCredential } from "./create-credential";
import { rotateCredential } from "./rotate-credential";

// Whose credential may someone create (or rotate: both give a new secret that
// acts as its owner)? Their own; a bot's as an owner or admin; another
// person's only as someone who may already act on that person: an owner for
// anyone, an admin for members, never an admin for an admin or an owner.
// Before, an admin could create (and rotate) the owner's API key and act as
// the owner with it.
const ctx = { ip: "192.0.2.97", userAgent: "vitest-issue-rule" };

async function account() {
  const { account, owner } = await createTestAccount();
  const people: Record<"owner" | "owner2" | "admin" | "admin2" | "member" | "member2", { id: string; name: string; email: string | null }> = {
    owner,
    owner2: await createTestPerson(account.id, "owner"),
    admin: await createTestPerson(account.id, "admin"),
    admin2: await createTestPerson(account.id, "admin"),
    member: await createTestPerson(account.id, "member"),
    member2: await createTestPerson(account.id, "member"),
  };
  const roles: Record<keyof typeof people, Role> = { owner: "owner", owner2: "owner", admin: "admin", admin2: "admin", member: "member", member2: "member" };
  const actor = (who: keyof typeof people): Actor => actorOf(account, people[who], roles[who]);
  const bot = await createTestBot(account.id);
  const botActor: Actor = { ...actor("owner"), principal: { id: bot.id, name: bot.name, kind: "bot" }, role: "member", source: "api", credential: null };
  return { account, people, actor, bot, botActor };
}

type Creator = "owner" | "admin" | "member" | "bot";
type Owned = "self" | "bot" | "member2" | "admin2" | "owner2";

/** Who may create a credential owned by whom: the rule, written out. */
const ALLOWED: Record<Creator, Owned[]> = {
  owner: ["self", "bot", "member2", "admin2", "owner2"],
  admin: ["self", "bot", "member2"],
  member: ["self"],
  bot: ["self", "bot"], // the bot is itself
};
const CREATORS: Creator[] = ["owner", "admin", "member", "bot"];
const OWNED: Owned[] = ["self", "bot", "member2", "admin2", "owner2"];

describe("who may create or rotate a credential owned by whom (real PostgreSQL)", () => {
  it("creating: each creator for each owner, exactly as the rule says; a refusal creates nothing", async () => {
    const a = await account();
    for (const creator of CREATORS) {
      const actor = creator === "bot" ? a.botActor : a.actor(creator);
      for (const owned of OWNED) {
        const ownerId = owned === "self" ? actor.principal.id : owned === "bot" ? a.bot.id : a.people[owned].id;
        const before = await db().credential.count({ where: { ownerId } });
        const result = await createCredential(actor, { kind: "api_key", ownerId, description: `${creator} for ${owned}` }, ctx);
        const allowed = ALLOWED[creator].includes(owned);
        expect({ creator, owned, ok: result.ok }).toEqual({ creator, owned, ok: allowed });
        if (!result.ok) {
          expect(result.code).toBe(creator === "admin" ? "not_owner" : "not_admin");
          expect(await db().credential.count({ where: { ownerId } })).toBe(before);
        }
      }
    }
  });

  it("rotating: an admin may not rotate an admin's or an owner's key (the new secret would act as them); an owner may", async () => {
    const a = await account();
    const keyOf = async (who: "owner2" | "admin2" | "member2") => {
      const made = await createCredential(a.actor(who), { kind: "api_key", description: `${who}'s own` }, ctx);
      if (!made.ok) throw new Error(made.message);
      return made.data.credential.id;
    };
    for (const who of ["owner2", "admin2"] as const) {
      const id = await keyOf(who);
      expect(await rotateCredential(a.actor("admin"), { id, grace: "1h" }, ctx)).toMatchObject({ ok: false, code: "not_owner" });
      expect(await db().credential.count({ where: { rotatedFromId: id } })).toBe(0);
      expect(await rotateCredential(a.actor("owner"), { id, grace: "1h" }, ctx)).toMatchObject({ ok: true });
    }
    expect(await rotateCredential(a.actor("admin"), { id: await keyOf("member2"), grace: "1h" }, ctx)).toMatchObject({ ok: true });
  });

  it("credential.created names both people: the creator as its principal, the owner in its data", async () => {
    const a = await account();
    const made = await createCredential(a.actor("admin"), { kind: "authtoken", ownerId: a.people.member2.id }, ctx);
    if (!made.ok) throw new Error(made.message);
    const [event] = await db().event.findMany({ where: { type: "credential.created", subjectId: made.data.credential.id } });
    expect(event).toMatchObject({ principalId: a.people.admin.id, subjectId: made.data.credential.id });
    expect(event!.data).toMatchObject({ owner: { id: a.people.member2.id, name: a.people.member2.name, kind: "person" } });
  });
});
