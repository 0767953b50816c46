import { describe, expect, it } from "vitest";
import { db } from "../db/client";
import { actorOf, createTestAccount, createTestBot, createTestPerson } from "../test-support/factories";
import { race } from "../test-support/races";
import { deleteBots } from "./bots/delete-bots";
import { renameBot } from "./bots/rename-bot";
import { createCredential } from "./credentials/create-credential";
import { revokeCredentials } from "./credentials/revoke-credentials";
import { rotateCredential } from "./credentials/rotate-credential";
import { verifyCredential } from "./credentials/verify-credential";
import { changeRole } from "./people/change-role";
import { removePerson } from "./people/remove-person";

// The named races of the hardening issue with a crowd on one side: many
// changes of one bot, credential or person against its deletion, revocation or
// removal, all started at the same moment. Each round must end in one clear
// outcome (every call answers ok or a plain refusal, never throws), with no
// half state, and an event for exactly each change that was answered ok. The
// pairwise versions are in bots/bot-races, credentials/credential-races and
// people/people-races.
const ctx = { ip: "192.0.2.94", userAgent: "vitest-crowd-races" };
type Outcome = { ok: boolean; code?: string };

/** Each racer's result, failing the test if any threw (a half-done change shows up as an error). */
function outcomes<T>(round: PromiseSettledResult<unknown>[]): T[] {
  expect(round.filter((r) => r.status === "rejected")).toEqual([]);
  return round.map((r) => (r as PromiseFulfilledResult<T>).value);
}

async function events(subjectId: string, type: string) {
  return db().event.findMany({ where: { subjectId, type }, select: { createdAt: true } });
}

async function owner() {
  const { account, owner } = await createTestAccount();
  return { account, admin: actorOf(account, owner, "owner") };
}

describe("crowds racing a delete, a revoke or a removal (real PostgreSQL)", () => {
  it("six renames and two deletes of one bot: deleted once, every rename recorded before it or refused, the names free", async () => {
    const { account, admin } = await owner();
    const rounds = await race(8, async (i) => {
      const bot = await createTestBot(account.id, `crowd-${i}`);
      return [
        ...Array.from({ length: 6 }, (_, j) => async () => ({ bot: bot.id, kind: "rename", r: (await renameBot(admin, { id: bot.id, name: `crowd-${i}-${j}` }, ctx)) as Outcome })),
        ...Array.from({ length: 2 }, () => async () => ({ bot: bot.id, kind: "delete", r: (await deleteBots(admin, { ids: [bot.id] }, ctx)) as Outcome })),
      ];
    });
    for (const [i, round] of rounds.entries()) {
      const values = outcomes<{ bot: string; kind: string; r: Outcome }>(round);
      const botId = values[0]!.bot;
      const deletes = values.filter((v) => v.kind === "delete");
      expect(deletes.map((d) => d.r.ok).sort()).toEqual([false, true]);
      expect(deletes.find((d) => !d.r.ok)!.r.code).toBe("not_found");
      const renames = values.filter((v) => v.kind === "rename");
      for (const r of renames.filter((v) => !v.r.ok)) expect(r.r.code).toBe("not_found");
      const [deleted] = await events(botId, "bot.deleted");
      const renamed = await events(botId, "bot.renamed");
      expect(await db().event.count({ where: { subjectId: botId, type: "bot.deleted" } })).toBe(1);
      expect(renamed).toHaveLength(renames.filter((v) => v.r.ok).length);
      for (const e of renamed) expect(e.createdAt.getTime()).toBeLessThanOrEqual(deleted!.createdAt.getTime());
      expect(await db().principal.findUniqueOrThrow({ where: { id: botId } })).toMatchObject({ deletedAt: expect.any(Date), nameKey: null });
      // No name is held by the deleted bot: another bot can take each.
      expect(await db().principal.count({ where: { accountId: account.id, deletedAt: null, name: { startsWith: `crowd-${i}-` } } })).toBe(0);
    }
  });

  it("eight credential creations and a delete of their bot: the bot ends with no credential, no issued secret works, one event per creation", async () => {
    const { account, admin } = await owner();
    const tokens: string[] = [];
    const rounds = await race(8, async () => {
      const bot = await createTestBot(account.id);
      return [
        ...Array.from({ length: 8 }, (_, j) => async () => {
          const r = await createCredential(admin, { kind: j % 2 ? "authtoken" : "api_key", ownerId: bot.id }, ctx);
          if (r.ok && r.data.token) tokens.push(r.data.token);
          return { bot: bot.id, kind: "create", r: r as Outcome };
        }),
        async () => ({ bot: bot.id, kind: "delete", r: (await deleteBots(admin, { ids: [bot.id] }, ctx)) as Outcome }),
      ];
    });
    for (const round of rounds) {
      const values = outcomes<{ bot: string; kind: string; r: Outcome }>(round);
      const botId = values[0]!.bot;
      expect(values.find((v) => v.kind === "delete")!.r.ok).toBe(true);
      const created = values.filter((v) => v.kind === "create" && v.r.ok).length;
      expect(await db().credential.count({ where: { ownerId: botId } })).toBe(0);
      const createdEvents = await db().event.findMany({ where: { botId, type: "credential.created" }, select: { createdAt: true } });
      expect(createdEvents).toHaveLength(created);
      // The deletion listed every credential made before it.
      const [deleted] = await db().event.findMany({ where: { subjectId: botId, type: "bot.deleted" } });
      expect((deleted!.data as { credentialsDeleted: unknown[] }).credentialsDeleted).toHaveLength(created);
    }
    for (const token of tokens) expect(await verifyCredential(token)).toMatchObject({ ok: false });
  });

  it("four rotations and two revocations of one credential: revoked once, a successor for each rotation answered ok and no other", async () => {
    const { account, admin } = await owner();
    const bot = await createTestBot(account.id);
    const rounds = await race(8, async () => {
      const created = await createCredential(admin, { kind: "api_key", ownerId: bot.id }, ctx);
      if (!created.ok) throw new Error(created.message);
      const id = created.data.credential.id;
      return [
        ...Array.from({ length: 4 }, () => async () => ({ id, kind: "rotate", r: (await rotateCredential(admin, { id, grace: "1h" }, ctx)) as Outcome })),
        ...Array.from({ length: 2 }, () => async () => ({ id, kind: "revoke", r: (await revokeCredentials(admin, { ids: [id] }, ctx)) as Outcome })),
      ];
    });
    for (const round of rounds) {
      const values = outcomes<{ id: string; kind: string; r: Outcome }>(round);
      const id = values[0]!.id;
      const revokes = values.filter((v) => v.kind === "revoke");
      expect(revokes.map((v) => v.r.ok).sort()).toEqual([false, true]);
      const rotations = values.filter((v) => v.kind === "rotate");
      for (const r of rotations.filter((v) => !v.r.ok)) expect(r.r.code).toBe("not_found");
      const rotated = rotations.filter((v) => v.r.ok).length;
      expect(await db().credential.count({ where: { rotatedFromId: id } })).toBe(rotated);
      expect(await db().event.count({ where: { type: "credential.rotated", data: { path: ["from"], equals: id } } })).toBe(rotated);
      expect(await db().event.count({ where: { subjectId: id, type: "credential.revoked" } })).toBe(1);
      // Revoked means revoked: no rotation happened after it.
      const [revoked] = await events(id, "credential.revoked");
      for (const succ of await db().credential.findMany({ where: { rotatedFromId: id } })) expect(succ.createdAt.getTime()).toBeLessThanOrEqual(revoked!.createdAt.getTime());
      expect(await db().credential.findUniqueOrThrow({ where: { id } })).toMatchObject({ revokedAt: expect.any(Date) });
    }
  });

  it("six role changes and a removal of one person: removed once, every role change recorded before it or refused, no membership left", async () => {
    const { account, admin } = await owner();
    const rounds = await race(8, async () => {
      const person = await createTestPerson(account.id, "member");
      return [
        ...Array.from({ length: 6 }, (_, j) => async () => ({ person: person.id, kind: "role", r: (await changeRole(admin, { personId: person.id, role: j % 2 ? "member" : "admin" }, ctx)) as Outcome })),
        async () => ({ person: person.id, kind: "remove", r: (await removePerson(admin, { personId: person.id }, ctx)) as Outcome }),
      ];
    });
    for (const round of rounds) {
      const values = outcomes<{ person: string; kind: string; r: Outcome }>(round);
      const personId = values[0]!.person;
      expect(values.find((v) => v.kind === "remove")!.r.ok).toBe(true);
      for (const r of values.filter((v) => v.kind === "role" && !v.r.ok)) expect(r.r.code).toBe("not_found");
      expect(await db().membership.count({ where: { accountId: account.id, principalId: personId } })).toBe(0);
      const [removed] = await events(personId, "person.removed");
      expect(await db().event.count({ where: { subjectId: personId, type: "person.removed" } })).toBe(1);
      const changed = await events(personId, "person.role_changed");
      // A change to the role the person already has is ok without an event; every event is of a change made before the removal.
      expect(changed.length).toBeLessThanOrEqual(values.filter((v) => v.kind === "role" && v.r.ok).length);
      for (const e of changed) expect(e.createdAt.getTime()).toBeLessThanOrEqual(removed!.createdAt.getTime());
      // The removal recorded the role the person had then: the last change before it.
      const lastRole = (await db().event.findMany({ where: { subjectId: personId, type: "person.role_changed" }, orderBy: { createdAt: "desc" }, take: 1 }))[0];
      const removedData = (await db().event.findFirstOrThrow({ where: { subjectId: personId, type: "person.removed" } })).data as { before: { role: string } };
      expect(removedData.before.role).toBe(lastRole ? (lastRole.data as { after: { role: string } }).after.role : "member");
    }
  });
});
